# lab-xbuild-migrate-2host, host a (with migrate-b.sh on host b): Debian's
# Linux as a counting guest migrated from host a to host b over their own
# link, through xb-rsh (the lab's ssh), and back as many times as
# /lab/files/migrate-rounds says (default 1: a to b only). The guest is PVH
# and moves live (/lab/files/migrate-type pv: PV, non-live with the notice,
# as this Xen has no shadow paging). After each move the
# guest counts on over there under its name, with no second boot, and nothing
# of it is left on the host it left. Each move prints xbuild's XB-BENCH
# migrate line (downtime: the guest stopped here to the target's report that
# it runs, on this host's clock) and one XB-BENCH migrate-guest line: the
# gap the guest itself saw in its counter (its wall clock, the two hosts'
# clocks compared over the link first), less its usual interval.
# Files: xb-rsh
. /lab/lib.sh
fail() {
	echo "migrate-a: FAIL: $*"
	xl list
	lab_peer xl list
	lab_peer_flag done
	exit 1
}
[ "$LAB_HOST" = a ] || fail "this is host '$LAB_HOST', not a"
lab_serve # host b migrates back through it
lab_wait_peer 300 || fail "host b does not answer"
rounds=$(cat /lab/files/migrate-rounds 2>/dev/null || echo 1)
type=$(cat /lab/files/migrate-type 2>/dev/null || echo pvh)
live=
[ "$type" = pvh ] && live=--live

# The other host's clock against ours (ms): the guest's wall clock follows
# its host's Xen, and so does each dom0's.
best=999999
for i in 1 2 3 4 5; do
	t1=$(lab_ms)
	tb=$(lab_peer gdate +%s%3N)
	t2=$(lab_ms)
	if [ $((t2 - t1)) -lt $best ]; then
		best=$((t2 - t1)) offset=$((tb - (t1 + t2) / 2))
	fi
done
echo "migrate-a: host b's clock is ${offset} ms ahead of ours (+-$((best / 2)) ms)"

lab_count_cfg /tmp/cnth.cfg cnth "$type"
lab_peer "cat >/tmp/cnth.cfg" </tmp/cnth.cfg || fail "the config to host b"
rm -f "$(lab_console_log cnth)"
xbuild create /tmp/cnth.cfg || fail "create cnth"
lab_wait_count cnth 20 400 || fail "cnth does not count"

# ms of "SECS.USECS", in the shell's 64-bit arithmetic (busybox awk's %d is 32-bit)
to_ms() {
	_u=$(echo "${1#*.}000" | cut -c1-3)
	echo $((${1%.*} * 1000 + 1$_u - 1000))
}

# move RUN CHECK LOG_FROM LOG_TO SIGN DEST: migrate cnth from the host RUN runs
# commands on (here, or lab_peer) to DEST, where CHECK runs them; then measure
# what the guest saw (SIGN: +1 when DEST is host b, whose clock is offset).
move() {
	_run=$1 _check=$2 _from=$3 _to=$4 _sign=$5 _dest=$6
	$_run "cat $_from" >/tmp/from.log
	_last=$(lab_count_after cnth 0 /tmp/from.log | tail -n 1)
	$_check "rm -f $_to"
	$_run "xbuild migrate $live --timings -C /tmp/cnth.cfg -s $LAB_RSH cnth $_dest" \
		2>/tmp/mig.err || { cat /tmp/mig.err; fail "migrate to $_dest"; }
	grep "^XB-BENCH migrate name=cnth live=$([ -n "$live" ] && echo 1 || echo 0) " /tmp/mig.err ||
		{ cat /tmp/mig.err; fail "not moved as asked ($type${live:+, live})"; }
	[ -n "$live" ] || grep -q '^xbuild: warning: migrate: moving it non-live' /tmp/mig.err ||
		fail "no notice of the non-live move"
	$_run "xl domid cnth" >/dev/null 2>&1 && fail "cnth is still on the host it left"
	$_check "xl domid cnth" >/dev/null || fail "cnth is not on $_dest"
	_n=0
	until $_check "cat $_to" >/tmp/to.log &&
		[ "$(lab_count_last cnth /tmp/to.log)" -gt $((${_last%% *} + 10)) ]; do
		[ $_n -lt 120 ] || fail "cnth does not count on $_dest"
		sleep 0.5
		_n=$((_n + 1))
	done
	$_run "cat $_from" >/tmp/from.log # what the source's xenconsoled still had
	_last=$(lab_count_after cnth 0 /tmp/from.log | tail -n 1) # live: it counted on
	lab_count_goes_on cnth 0 "${_last%% *}" /tmp/to.log || fail "cnth did not carry on at $_dest"
	_next=$(lab_count_after cnth 0 /tmp/to.log | awk -v n="${_last%% *}" '$1 > n { print; exit }')
	_interval=$(lab_count_after cnth 0 /tmp/from.log | tail -n 21 | while read -r _c _t; do
		to_ms "$_t"
	done | awk 'NR > 1 { print $1 - p } { p = $1 }' | sort -n | awk '{ v[NR] = $1 }
		END { print v[int((NR + 1) / 2)] }')
	_gap=$(($(to_ms "${_next#* }") - _sign * offset - $(to_ms "${_last#* }")))
	echo "migrate-a: counter ${_last%% *} here at ${_last#* }, ${_next%% *} there at ${_next#* }"
	echo "XB-BENCH migrate-guest name=cnth to=$_dest gap_ms=$_gap interval_ms=$_interval" \
		"downtime_ms=$((_gap - _interval)) clock_offset_ms=$offset clock_err_ms=$((best / 2))"
}

here() { sh -c "$1"; }
log_a=$(lab_console_log cnth) log_b=$(lab_console_log cnth--incoming)
i=0
while [ $i -lt "$rounds" ]; do
	if [ $((i % 2)) = 0 ]; then
		move here lab_peer "$log_a" "$log_b" 1 "$LAB_PEER"
		log_a=$(lab_console_log cnth--incoming) # where it arrives next time
	else
		move lab_peer here "$log_b" "$log_a" -1 10.0.0.1
		log_b=$(lab_console_log cnth--incoming)
	fi
	echo "migrate-a: move $((i + 1)) of $rounds done"
	i=$((i + 1))
done

if [ $((rounds % 2)) = 1 ]; then lab_peer "xbuild destroy cnth"; else xbuild destroy cnth; fi ||
	fail "destroy cnth"
lab_wait_gone cnth 30 || fail "cnth left here"
lab_peer_flag done
echo "migrate-a: PASS"
