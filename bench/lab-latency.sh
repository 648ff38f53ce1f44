# bench/lab-latency.sh - a tests/lab/run scenario (bench/lab-suite): create
# and destroy latency of the Mini-OS-class guest (the xbtest PV kernel of
# tests/guests, 4 MiB, one vCPU), $ROUNDS rounds; in each round every tool
# of $TOOLS creates it paused and destroys it, then creates it running,
# waits for it to shut down (untimed) and destroys it (untimed); the order
# of the tools rotates from round to round.
#
# Proofs that every timed domain was real (any failure fails the scenario):
# each running xl/xbuild guest's console log ends with all 15 checks ok
# (it powered off after checking its start of day); each running floor
# guest shut down (crash: no xenstore, no console: see bench/floor.c), and
# one more floor guest, with its console ring readable (-C), shows its 13
# start-of-day checks ok.
#
# Prints XB-BENCH create guest=minios mode=paused|running tool=T n= median_ms=
# p95_ms= ..., XB-BENCH destroy guest=minios tool=T ..., XB-BENCH ratio ...
# (medians), and XB-BENCH exec tool=T (a process that does nothing: the
# cost of exec and dynamic linking under TCG, part of every figure).
. /lab/files/lab-lib.sh
. /lab/files/bench-params
: "${ROUNDS:=20}" "${TOOLS:=xl xbuild floor}"
echo "bench: latency, $ROUNDS rounds of: $TOOLS"

for t in $TOOLS; do
	: >/tmp/lat.$t.paused
	: >/tmp/lat.$t.running
	: >/tmp/lat.$t.destroy
	: >/tmp/lat.$t.exec
done

# A process that does nothing: xbuild --version, floor's usage, xl's help.
for i in 1 2 3 4 5; do
	for t in $TOOLS; do
		case $t in
		xl) run_tool xl -h >/dev/null 2>&1 ;;
		floor) run_tool floor >/dev/null 2>&1 ;;
		*) run_tool "$t" --version >/dev/null ;;
		esac
		echo "$BT_US" >>/tmp/lat.$t.exec
	done
done

# The floor's proof: its start of day, as the guest reports it.
$F/floor create -w 60 -C -m $MINI_MIB -c "$MINI_CMDLINE" $MINI_KERNEL >/tmp/proof.txt 2>&1
read -r pid </tmp/proof.txt
oks=$(grep -c '^XBTEST CHECK [a-z_0-9]* ok ' /tmp/proof.txt)
fails=$(grep '^XBTEST CHECK [a-z_0-9]* FAIL ' /tmp/proof.txt | cut -d' ' -f3 | tr '\n' ' ')
[ "$oks" = 13 ] && [ "$fails" = "xenstore console " ] || { cat /tmp/proof.txt; bench_fail "floor proof: $oks checks ok, failed: $fails"; }
$F/floor destroy "$pid"
echo "XB-BENCH proof guest=minios tool=floor checks_ok=$oks failed=xenstore,console"

log=$(lab_console_log mini)
order=$TOOLS
r=0
while [ $r -lt "$ROUNDS" ]; do
	r=$((r + 1))
	for t in $order; do
		create_mini "$t" paused || bench_fail "$t create -p failed (round $r)"
		echo "$BT_US" >>/tmp/lat.$t.paused
		c=$BT_US
		destroy_tool "$t" mini || bench_fail "$t destroy failed (round $r)"
		echo "$BT_US" >>/tmp/lat.$t.destroy
		echo "bench: round $r $t paused create $((c / 1000)) ms, destroy $((BT_US / 1000)) ms"
	done
	for t in $order; do
		create_mini "$t" running || bench_fail "$t create failed (round $r)"
		echo "$BT_US" >>/tmp/lat.$t.running
		c=$BT_US
		wait_down "$t" mini 60 || { cat /tmp/wait.out; bench_fail "$t: the guest did not shut down (round $r)"; }
		if [ "$t" = floor ]; then
			grep -q 'shut down: crash' /tmp/wait.out || { cat /tmp/wait.out; bench_fail "floor guest: $(cat /tmp/wait.out)"; }
			destroy_tool floor
		else
			# preserved after its poweroff: the console shows why
			grep -q 'shut down: poweroff' /tmp/wait.out || { cat /tmp/wait.out "$log"; bench_fail "$t guest did not power off (round $r)"; }
			xl destroy mini
		fi
		echo "bench: round $r $t running create $((c / 1000)) ms"
	done
	order=$(rotate $order)
done
running_xs=0
for t in $TOOLS; do [ "$t" = floor ] || running_xs=$((running_xs + ROUNDS)); done
passes=$(tr -d '\r' <"$log" 2>/dev/null | grep -c '^XBTEST RESULT pass=15 fail=0')
[ "$passes" = "$running_xs" ] || { tail -40 "$log"; bench_fail "$passes of $running_xs running guests passed all checks"; }
echo "XB-BENCH proof guest=minios tool=xl,xbuild running_guests=$running_xs all_checks_ok=$passes"

for t in $TOOLS; do
	report exec "tool=$t" /tmp/lat.$t.exec
	report create "guest=minios mode=paused tool=$t" /tmp/lat.$t.paused
	report create "guest=minios mode=running tool=$t" /tmp/lat.$t.running
	report destroy "guest=minios tool=$t" /tmp/lat.$t.destroy
done
for m in paused running destroy; do
	for a in $TOOLS; do
		for b in $TOOLS; do
			[ "$a" = "$b" ] && continue
			case "$a/$b" in xl/xbuild | xbuild/floor | xl/floor | base/xbuild | xl/base) ;; *) continue ;; esac
			echo "XB-BENCH ratio figure=minios-$m of=median_ms num=$a den=$b value=$(ratio "$(median_of /tmp/lat.$a.$m)" "$(median_of /tmp/lat.$b.$m)")"
		done
	done
done
