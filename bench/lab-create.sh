# bench/lab-create.sh - tests/lab/run scenario run by bench/lab-create: time
# N creates of $CFG by xl and by xbuild (alternating), each destroyed before
# the next; print per-tool median/min/max ms and the xl/xbuild ratio.
. /lab/lib.sh
. /lab/files/bench-params
name=$(sed -n 's/^ *name *= *"\([^"]*\)".*/\1/p' "$CFG" | head -1)
[ -n "$name" ] || { echo "bench: no name = \"...\" in $CFG"; exit 1; }
echo "bench: $N x create $PAUSED of $CFG (domain $name), xl and xbuild alternating"
# a vif wants its bridge
grep -q '^ *vif *=' "$CFG" && { lab_bridge xenbr0 || exit 1; }

# one TOOL: create, time it, destroy; prints ms or fails
one() {
	t0=$(lab_ms)
	"$1" create $PAUSED -q "$CFG" >/tmp/bench-$1.out 2>&1 || return 1
	t1=$(lab_ms)
	xl destroy "$name" >/dev/null 2>&1
	lab_wait_gone "$name" 30 >/dev/null || return 1
	echo $((t1 - t0))
}

# stats FILE: median min max mean of one number a line
stats() { sort -n "$1" | awk '{ v[NR] = $1; s += $1 } END {
	m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
	printf "%d %d %d %d\n", m, v[1], v[NR], s / NR }'; }

xbuild_ok=1
: >/tmp/bench-xl.ms
: >/tmp/bench-xbuild.ms
i=0
while [ $i -lt "$N" ]; do
	i=$((i + 1))
	ms=$(one xl) || { echo "bench: xl create failed:"; cat /tmp/bench-xl.out; xl destroy "$name" 2>/dev/null; exit 1; }
	echo "$ms" >>/tmp/bench-xl.ms
	echo "bench: run $i xl     $ms ms"
	[ $xbuild_ok = 1 ] || continue
	if ms=$(one xbuild); then
		echo "$ms" >>/tmp/bench-xbuild.ms
		echo "bench: run $i xbuild $ms ms"
	else
		xbuild_ok=0
		echo "bench: xbuild cannot create $CFG (timing xl only):"
		cat /tmp/bench-xbuild.out
		xl destroy "$name" >/dev/null 2>&1
	fi
done

set -- $(stats /tmp/bench-xl.ms)
xl_med=$1
echo "XB-BENCH create-ms xl     median=$1 min=$2 max=$3 mean=$4 n=$N"
if [ $xbuild_ok = 1 ]; then
	set -- $(stats /tmp/bench-xbuild.ms)
	echo "XB-BENCH create-ms xbuild median=$1 min=$2 max=$3 mean=$4 n=$N"
	echo "XB-BENCH create-ratio xl/xbuild $(awk -v a="$xl_med" -v b="$1" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "inf" }')"
else
	echo "XB-BENCH create-ms xbuild unavailable"
fi
