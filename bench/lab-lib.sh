# bench/lab-lib.sh - sourced by the bench/lab-*.sh scenarios, inside the
# lab's dom0 (busybox sh, files in /lab/files; bench/lab-suite puts them
# there). Every figure is printed as one line:
#     XB-BENCH <name> key=value ...
# which bench/table turns into bench/README.md's table.
#
# The tools a scenario compares (each one process per create or destroy, as
# a user runs them, timed by tests/lab/benchtime around fork+exec+exit):
#   xl      stock xl of Xen 4.17 (libxl + libxenguest)
#   xbuild  this tree's xbuild
#   base    another build of xbuild in /lab/files/base (bench/lab-suite
#           --base DIR): the "before" of an optimization, in the same boot
#   floor   bench/floor: the hypervisor calls alone (bench/floor.c)
. /lab/lib.sh
F=/lab/files
MINI_CFG=$F/mini.cfg
MINI_KERNEL=$F/xbtest-x86_64
MINI_CMDLINE="xbtest name=mini mem=4 len=29"
MINI_MIB=4
LINUX_CFG=/lab/domu/linux-pv.cfg
LINUX_RD=/lab/domu/initrd.cpio.gz
LINUX_CMDLINE="console=hvc0 rdinit=/init"
BT=/tmp/bt.out
# xbuild keeps decompressed kernels in /var/cache/xbuild; in the lab that is
# dom0's rootfs, a 181 MiB tmpfs the suite's own files nearly fill (the
# floor's vmlinux alone is 66 MiB): /tmp is another tmpfs, with room.
export XBUILD_CACHE_DIR=/tmp/xbuild-cache

bench_fail() {
	echo "bench: FAIL: $*"
	exit 1
}

# run_tool TOOL ARGS...: TOOL with ARGS under benchtime; sets BT_US, BT_RC.
run_tool() {
	_t=$1
	shift
	case $_t in
	xl) $F/benchtime -o $BT xl "$@" ;;
	xbuild) $F/benchtime -o $BT xbuild "$@" ;;
	base) LD_LIBRARY_PATH=$F/base/lib:$LD_LIBRARY_PATH $F/benchtime -o $BT $F/base/xbuild "$@" ;;
	floor) $F/benchtime -o $BT $F/floor "$@" ;;
	*) bench_fail "unknown tool $_t" ;;
	esac
	BT_RC=$?
	read -r _l <$BT
	_l=${_l#us=}
	BT_US=${_l%% *}
	return $BT_RC
}

# create_mini TOOL paused|running [NAME]: one create of the Mini-OS-class
# guest (xbtest, 4 MiB); the floor's domid goes to /tmp/floor.id.
create_mini() {
	_p=
	[ "$2" = paused ] && _p=-p
	case $1 in
	floor) run_tool floor create $_p -m $MINI_MIB -c "$MINI_CMDLINE" $MINI_KERNEL >/tmp/floor.id ;;
	xl) run_tool xl create $_p -q $MINI_CFG ${3:+"name=\"$3\""} ;;
	*) run_tool "$1" create $_p -q $MINI_CFG ${3:+"name=\"$3\""} ;;
	esac
}

# create_linux TOOL paused|running: Debian's kernel, 128 MiB, its initramfs.
# The floor boots the ELF vmlinux inside the same bzImage (/lab/files/vmlinux):
# it measures the hypervisor, not xz.
create_linux() {
	_p=
	[ "$2" = paused ] && _p=-p
	case $1 in
	floor) run_tool floor create $_p -m 128 -r $LINUX_RD -c "$LINUX_CMDLINE" $F/vmlinux >/tmp/floor.id ;;
	*) run_tool "$1" create $_p -q $LINUX_CFG ;;
	esac
}

# destroy_tool TOOL NAME: the domain just created (the floor's by its id).
destroy_tool() {
	if [ "$1" = floor ]; then
		read -r _id </tmp/floor.id
		run_tool floor destroy "$_id"
	else
		run_tool "$1" destroy "$2"
	fi
}

# wait_down TOOL NAME [SECS]: until the domain just created has shut down.
wait_down() {
	if [ "$1" = floor ]; then
		read -r _id </tmp/floor.id
	else
		_id=$(xl domid "$2") || return 1
	fi
	$F/floor wait "$_id" "${3:-30}" 2>/tmp/wait.out
}

# gone NAME|ID: wait until no domain has this name (or id).
gone() { lab_wait_gone "$1" 30 >/dev/null; }

# stats FILE: "n median p95 min max mean", in ms, of the microseconds in
# FILE (one a line); p95 is the nearest-rank percentile.
stats() {
	sort -n "$1" | awk '{ v[NR] = $1; s += $1 } END {
		if (!NR) { print "0 0 0 0 0 0"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		k = int(NR * 0.95); if (k < NR * 0.95) k++
		printf "%d %.1f %.1f %.1f %.1f %.1f\n", NR, m / 1000, v[k] / 1000, v[1] / 1000, v[NR] / 1000, s / NR / 1000 }'
}

# report NAME KEYS FILE: one XB-BENCH line of FILE's stats.
report() {
	set -- "$1" "$2" $(stats "$3")
	echo "XB-BENCH $1 $2 n=$3 median_ms=$4 p95_ms=$5 min_ms=$6 max_ms=$7 mean_ms=$8"
}

# median_of FILE: the median in ms (for ratios).
median_of() { stats "$1" | cut -d' ' -f2; }

# ratio A B: A / B with two decimals ("inf" when B is 0).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "inf" }'; }

# rotate WORDS...: the words, the first moved last (alternating orders).
rotate() {
	_first=$1
	shift
	echo "$* $_first"
}

# Dom0's own memory and the toolstack's processes, for density figures.
dom0_avail_kib() { awk '/^MemAvailable:/ { print $2 }' /proc/meminfo; }
xenstored_rss_kib() { awk '/^VmRSS:/ { print $2 }' /proc/$(cat /run/xenstored.pid)/status; }
procs() { ls -d /proc/[0-9]* | wc -l; }
xen_free_mib() { xl info | sed -n 's/^free_memory *: *//p'; }
