# bench/lab-parallel.sh - a tests/lab/run scenario (bench/lab-suite):
# throughput of K concurrent creates of distinct Mini-OS-class guests
# (paused, names p0..pK-1), for each K of $PAR_K and each tool of $TOOLS;
# tests/lab/benchtime -P releases the K processes at once and times until the
# last exits. Every create must succeed and leave exactly K domains.
# Prints XB-BENCH parallel tool=T k=K wall_ms= domains_per_s= and a ratio
# of throughputs per K.
. /lab/files/lab-lib.sh
. /lab/files/bench-params
: "${PAR_K:=1 4 8 16}" "${TOOLS:=xl xbuild floor}"
echo "bench: parallel creates, K in $PAR_K, of: $TOOLS"

domus() { xl list | awk 'NR > 2' | wc -l; }

for k in $PAR_K; do
	for t in $TOOLS; do
		rm -rf /tmp/par && mkdir /tmp/par
		case $t in
		floor) $F/benchtime -o $BT -P "$k" -d /tmp/par $F/floor create -p -m $MINI_MIB $MINI_KERNEL ;;
		xl) $F/benchtime -o $BT -P "$k" -d /tmp/par xl create -p -q $MINI_CFG 'name="p%i"' ;;
		xbuild) $F/benchtime -o $BT -P "$k" -d /tmp/par xbuild create -p -q $MINI_CFG 'name="p%i"' ;;
		base) LD_LIBRARY_PATH=$F/base/lib:$LD_LIBRARY_PATH $F/benchtime -o $BT -P "$k" -d /tmp/par \
			$F/base/xbuild create -p -q $MINI_CFG 'name="p%i"' ;;
		esac
		rc=$?
		read -r line <$BT
		us=${line#us=}
		us=${us%% *}
		n=$(domus)
		ok=$(grep -lx 0 /tmp/par/*.rc | wc -l)
		[ "$n" = "$ok" ] || { xl list; bench_fail "$t: $ok creates succeeded but $n domains live"; }
		echo "$us" >/tmp/par.$t.$k
		# a failed create is a figure too (and why, once per distinct message)
		echo "XB-BENCH parallel tool=$t k=$k ok=$ok fail=$((k - ok)) wall_ms=$((us / 1000)) domains_per_s=$(awk -v k="$ok" -v u="$us" 'BEGIN { printf "%.2f", k / (u / 1e6) }')"
		[ $rc = 0 ] || cat /tmp/par/*.out | sort | uniq -c | sed "s/^/bench: $t: /"
		# destroy them all (untimed), by id
		for id in $(xl list | awk 'NR > 2 { print $2 }'); do
			xl destroy "$id" 2>/dev/null || $F/floor destroy "$id"
		done
		[ "$(domus)" = 0 ] || bench_fail "$t: domains left after the parallel run"
	done
	for a in $TOOLS; do
		for b in $TOOLS; do
			case "$a/$b" in xl/xbuild | xbuild/floor | base/xbuild) ;; *) continue ;; esac
			# throughput ratio b/a = wall a / wall b
			echo "XB-BENCH ratio figure=parallel-k$k of=domains_per_s num=$b den=$a value=$(ratio "$(cat /tmp/par.$a.$k)" "$(cat /tmp/par.$b.$k)")"
		done
	done
done
