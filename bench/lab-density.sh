# bench/lab-density.sh - a tests/lab/run scenario (bench/lab-suite): for
# each tool of $DENSITY_TOOLS in turn, create paused Mini-OS-class domains
# (4 MiB, names d1, d2, ...) one after the other and keep them, until one
# fails, or dom0 (512 MiB) is about to run out of memory (less than
# $DOM0_RESERVE_KIB available: past that, the OOM killer takes xenstored
# and the machine with it), or $DENSITY_MAX domains live. Then destroy them
# all (by id) before the next tool.
#
# Figures: the create time of the Nth live domain (growth: the median of
# creates 1-10 against that of creates N-9..N for N = $GROWTH_N, as a
# ratio); how many domains fit and what stopped the run; what each domain
# costs dom0 (MemAvailable), xenstored (its RSS) and the process table.
# Prints XB-BENCH nth tool=T n=N ms=... (every 50th), XB-BENCH growth ...,
# XB-BENCH density-sample ... (every 50th), XB-BENCH density tool=T
# domains=N stop=REASON ..., XB-BENCH destroy-at tool=T live=N ms=...
. /lab/files/lab-lib.sh
. /lab/files/bench-params
: "${DENSITY_TOOLS:=floor xbuild}" "${DENSITY_MAX:=1000}" "${GROWTH_N:=500}"
: "${DOM0_RESERVE_KIB:=24576}"
echo "bench: density of $DENSITY_TOOLS, up to $DENSITY_MAX domains (growth at $GROWTH_N)"

domus() { xl list | awk 'NR > 2' | wc -l; }

sample() { # TOOL N
	echo "XB-BENCH density-sample tool=$1 n=$2 dom0_avail_kib=$(dom0_avail_kib) xenstored_rss_kib=$(xenstored_rss_kib) procs=$(procs) xen_free_mib=$(xen_free_mib)"
}

# The reason a create failed, from its message (in /tmp/den.err).
why_failed() {
	if dmesg | grep -qi 'out of memory'; then
		echo "dom0-oom"
	elif grep -qi 'xenstore\|xenstored' /tmp/den.err; then
		echo "xenstore"
	elif grep -qi 'memory\|ENOMEM\|populate' /tmp/den.err; then
		echo "xen-memory"
	elif grep -qi 'fork\|monitor' /tmp/den.err; then
		echo "process"
	else
		echo "other"
	fi
}

for t in $DENSITY_TOOLS; do
	[ "$(domus)" = 0 ] || bench_fail "domains live before the $t run"
	avail0=$(dom0_avail_kib) xs0=$(xenstored_rss_kib) procs0=$(procs) free0=$(xen_free_mib)
	sample "$t" 0
	: >/tmp/den.$t
	: >/tmp/den.err
	n=0 stop=limit
	while [ $n -lt "$DENSITY_MAX" ]; do
		if [ "$(dom0_avail_kib)" -lt "$DOM0_RESERVE_KIB" ]; then
			stop=dom0-memory
			break
		fi
		i=$((n + 1))
		if [ "$t" = floor ]; then
			create_mini floor paused 2>/tmp/den.err
		else
			create_mini "$t" paused "d$i" 2>/tmp/den.err
		fi
		if [ "$BT_RC" != 0 ]; then
			stop=$(why_failed)
			echo "bench: $t create $i failed ($stop): $(head -3 /tmp/den.err | tr '\n' ' ')"
			break
		fi
		n=$i
		echo "$BT_US" >>/tmp/den.$t
		if [ $((n % 50)) = 0 ] || [ $n = 1 ]; then
			echo "XB-BENCH nth tool=$t n=$n ms=$((BT_US / 1000))"
			sample "$t" "$n"
		fi
	done
	avail1=$(dom0_avail_kib) xs1=$(xenstored_rss_kib) procs1=$(procs) free1=$(xen_free_mib)
	sample "$t" "$n"
	if [ "$n" -ge "$GROWTH_N" ]; then
		head -10 /tmp/den.$t >/tmp/den.first
		head -"$GROWTH_N" /tmp/den.$t | tail -10 >/tmp/den.last
		f=$(median_of /tmp/den.first) l=$(median_of /tmp/den.last)
		echo "XB-BENCH growth tool=$t n=$GROWTH_N first_ms=$f last_ms=$l ratio=$(ratio "$l" "$f")"
	fi
	per() { awk -v a="$1" -v b="$2" -v n="$n" 'BEGIN { if (n) printf "%.0f", (a - b) / n; else print 0 }'; }
	echo "XB-BENCH density tool=$t domains=$n limit=$DENSITY_MAX stop=$stop dom0_kib_per_domain=$(per "$avail0" "$avail1") xenstored_kib_per_domain=$(per "$xs1" "$xs0") procs_per_domain=$(awk -v a="$procs1" -v b="$procs0" -v n="$n" 'BEGIN { if (n) printf "%.2f", (a - b) / n; else print 0 }') xen_free_mib_left=$free1"

	# destroy them all, newest first, timing a few
	k=$n
	for id in $(xl list | awk 'NR > 2 { print $2 }' | sort -rn); do
		if [ "$t" = floor ]; then run_tool floor destroy "$id"; else run_tool "$t" destroy "$id"; fi
		[ "$BT_RC" = 0 ] || bench_fail "$t destroy $id failed with $k domains live"
		case $k in "$n" | 500 | 100 | 1) echo "XB-BENCH destroy-at tool=$t live=$k ms=$((BT_US / 1000))" ;; esac
		k=$((k - 1))
	done
	[ "$(domus)" = 0 ] || bench_fail "$t: domains left after destroying all"
done
