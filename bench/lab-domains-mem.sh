# bench/lab-domains-mem.sh - tests/lab/run scenario of bench/lab-domains-mem.
. /lab/lib.sh
. /lab/files/bench-params
cfg=/lab/files/xbtest-lab.cfg
# PSS in KiB of the processes whose command line matches $1
pss() {
	t=0
	for p in /proc/[0-9]*; do
		tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -q -- "$1" || continue
		k=$(awk '/^Pss:/ { print $2 }' "$p/smaps_rollup" 2>/dev/null)
		t=$((t + ${k:-0}))
	done
	echo $t
}
xsd() { awk '/^VmRSS:/ { print $2 }' /proc/$(cat /run/xenstored.pid)/status; }
free_mb() { xl info free_memory; }
fail() { echo "bench: FAIL: $*"; exit 1; }

# run TOOL PATTERN: create N, measure, destroy all; prints KiB per domain
run() {
	tool=$1 pattern=$2 x0=$(xsd) f0=$(free_mb) i=0
	while [ $i -lt "$N" ]; do
		i=$((i + 1))
		$tool create -p -q $cfg "name=\"m$i\"" memory=4 >/tmp/c.out 2>&1 || { cat /tmp/c.out; fail "$tool create m$i"; }
	done
	sleep 2
	procs=$(pss "$pattern") x1=$(xsd)
	n=$(ps | grep -v grep | grep -c -- "$pattern")
	total=$((procs + x1 - x0))
	echo "XB-BENCH domains-mem tool=$tool domains=$N processes=$n pss_kib=$procs xenstored_growth_kib=$((x1 - x0)) per_domain_kib=$((total / N))"
	i=0
	while [ $i -lt "$N" ]; do i=$((i + 1)); $tool destroy "m$i" >/dev/null 2>&1 || fail "$tool destroy m$i"; done
	k=0
	while [ "$(free_mb)" != "$f0" ] && [ $k -lt 100 ]; do sleep 0.2; k=$((k + 1)); done
	echo "XB-BENCH domains-mem tool=$tool free_mb_before=$f0 free_mb_after=$(free_mb)"
	[ "$(free_mb)" = "$f0" ] || fail "$tool: free memory not back"
	echo $((total / N)) >/tmp/per-$tool
}
run xbuild "xbuild monitor"
run xl "xl create"
xb=$(cat /tmp/per-xbuild) xl=$(cat /tmp/per-xl)
echo "XB-BENCH domains-mem per_domain_kib xbuild=$xb xl=$xl ratio_xl_over_xbuild=$(awk -v a="$xl" -v b="$xb" 'BEGIN { printf "%.1f", b ? a / b : 0 }')"
[ "$xb" -le 150 ] || echo "bench: xbuild is above 150 KiB per domain"
