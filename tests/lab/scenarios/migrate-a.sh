# lab-xbuild-migrate-2host, host a (with migrate-b.sh on host b): Debian's
# Linux as a counting guest migrated from host a to host b over their own
# link, through xb-rsh (the lab's ssh), and back as many times as
# /lab/files/migrate-rounds says (default 1: a to b only). The guest is PVH
# and moves live (/lab/files/migrate-type pv: PV, non-live with the notice,
# as this Xen has no shadow paging). It has a file: disk, /tmp/cnth.img
# (made here, the same image copied to host b), and writes its counter to
# it (xb.count_disk, tests/lab/domu-init), and a vif on each host's xenbr0.
# First a move to host b with its copy of the image missing: refused, the
# guest runs on here, nothing left there. After each move the guest counts
# on over there under its name, with no second boot; it reads back there
# counters newer than any it had here, and that host's image holds them
# (blkfront reconnected to the target's backend); it answers pings there
# (netfront too); nothing of it is left on the host it left (no domain,
# loop device, backend or other xenstore node, vif, bridge port). Each move
# prints xbuild's XB-BENCH migrate line (downtime: the guest stopped here to
# the target's report that it runs, on this host's clock) and one XB-BENCH
# migrate-guest line: the gap the guest itself saw in its counter (its wall
# clock, the two hosts' clocks compared over the link first), less its
# usual interval; and disk_gap_ms, the gap between its last disk write
# read back here and its first one there.
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

# The guest's disk: the same 2 MiB image on both hosts; its vif: on each
# host's xenbr0 (eth0 up first, xb.test=net,count, then it counts).
img=/tmp/cnth.img mac=00:16:3e:58:42:02
ll=$(lab_ll $mac)
dd if=/dev/zero of=$img bs=1M count=2 2>/dev/null || fail "make $img"
lab_peer "cat >$img" <$img || fail "$img to host b"
lab_bridge xenbr0 || fail "lab_bridge"
lab_peer ". /lab/lib.sh; lab_bridge xenbr0" || fail "lab_bridge on host b"
lab_count_cfg /tmp/cnth.cfg cnth "$type" "xb.test=net,count xb.count_disk=xvda"
echo "disk = [ 'file:$img,xvda,w' ]" >>/tmp/cnth.cfg
echo "vif = [ 'mac=$mac,bridge=xenbr0' ]" >>/tmp/cnth.cfg
lab_peer "cat >/tmp/cnth.cfg" </tmp/cnth.cfg || fail "the config to host b"
rm -f "$(lab_console_log cnth)"
xbuild create /tmp/cnth.cfg || fail "create cnth"
lab_wait_count cnth 20 400 || fail "cnth does not count"
tr -d '\r' <"$(lab_console_log cnth)" | grep -q "^XB-DOMU-NET eth0 mac=$mac ll=$ll$" ||
	{ grep XB-DOMU "$(lab_console_log cnth)"; fail "cnth's eth0 is not up as $mac, $ll"; }
ping -6 -c 2 -W 5 $ll%xenbr0 >/dev/null || fail "cnth does not answer pings here"

# disk_lines LOG: the guest's disk writes read back in LOG, one "N T" a line.
disk_lines() { tr -d '\r' <"$1" | sed -n 's/^XB-COUNT-DISK \([0-9]*\) t=\([0-9.]*\)$/\1 \2/p'; }
# disk_count LOG [MOVED]: the last counter the guest read back from its
# disk in LOG (0 when none); fails, printing them, when LOG has
# XB-COUNT-DISK-FAIL lines or XB-COUNT-DISK-MISMATCH lines. With MOVED, the
# last counter seen on the host it left, one mismatch of a counter up to
# MOVED+20 is no fault (written there, read back from this host's copy of
# the image: the same window as lab_count_goes_on's).
disk_count() {
	if tr -d '\r' <"$1" | grep '^XB-COUNT-DISK-FAIL' >&2; then
		return 1
	fi
	tr -d '\r' <"$1" | grep '^XB-COUNT-DISK-MISMATCH' >/tmp/mismatch
	if [ -s /tmp/mismatch ] && { [ -z "${2:-}" ] || [ "$(wc -l </tmp/mismatch)" -gt 1 ] ||
		[ "$(cut -d' ' -f2 </tmp/mismatch)" -gt $((${2:-0} + 20)) ]; }; then
		cat /tmp/mismatch >&2
		return 1
	fi
	_d=$(disk_lines "$1" | tail -n 1)
	echo "${_d%% *}" | sed 's/^$/0/'
}
# img_count RUN: the counter in the first sector of RUN's host's image.
img_count() {
	$1 "dd if=$img bs=512 count=1 2>/dev/null" | tr -d '\000' |
		sed -n 's/^xb-count \([0-9]*\)$/\1/p'
}
lab_wait_console cnth '^XB-COUNT-DISK' 60 || fail "cnth writes nothing to its disk"
d=$(disk_count "$(lab_console_log cnth)") || fail "cnth's disk writes fail here"
[ "$d" -gt 0 ] || { tail -n 20 "$(lab_console_log cnth)"; fail "cnth writes nothing to its disk"; }
d_img=$(img_count "sh -c")
[ "${d_img:-0}" -ge "$d" ] || fail "the image here has counter '$d_img', the guest wrote $d"
echo "migrate-a: cnth wrote counter $d to its disk, the image here has $d_img; it answers pings"

# A failure on the target (its copy of the disk missing): the source runs
# on, unpaused, and nothing is left there.
lab_peer "mv $img $img.away" || fail "mv on host b"
n0=$(lab_count_last cnth)
xbuild migrate $live -C /tmp/cnth.cfg -s $LAB_RSH cnth "$LAB_PEER" 2>/tmp/mig.err &&
	fail "migrate to a host without the disk"
cat /tmp/mig.err
tail -n 1 /tmp/mig.err | grep -q "the receiver said: .*disk 1, target: $img" ||
	fail "the message does not end with the receiver's line on the disk"
lab_peer "mv $img.away $img" || fail "mv back on host b"
case $(xl list cnth | awk 'NR == 2 { print $5 }') in *p* | *s* | '') fail "cnth is not running" ;; esac
lab_wait_count cnth $((n0 + 10)) 60 || fail "cnth does not count on after the failed move"
lab_peer "xl list | grep -e cnth" && fail "a domain of cnth is left on host b"
lab_peer "xenstore-ls -f /local/domain | grep -e cnth -e '^/local/domain/[1-9]'" &&
	fail "xenstore nodes left on host b"
lab_peer "/usr/sbin/losetup -a | grep ." && fail "a loop device left on host b"
echo "migrate-a: a target without the disk: refused, cnth runs on here, nothing left there"

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
	_id=$($_run "xl domid cnth") || fail "no cnth to move"
	_vm=$($_run "xenstore-read /local/domain/$_id/vm")
	$_run "xbuild migrate $live --timings -C /tmp/cnth.cfg -s $LAB_RSH cnth $_dest" \
		2>/tmp/mig.err || { cat /tmp/mig.err; fail "migrate to $_dest"; }
	grep "^XB-BENCH migrate name=cnth live=$([ -n "$live" ] && echo 1 || echo 0) " /tmp/mig.err ||
		{ cat /tmp/mig.err; fail "not moved as asked ($type${live:+, live})"; }
	[ -n "$live" ] || grep -q '^xbuild: warning: migrate: moving it non-live' /tmp/mig.err ||
		fail "no notice of the non-live move"
	$_run "xl domid cnth" >/dev/null 2>&1 && fail "cnth is still on the host it left"
	$_run ". /lab/lib.sh; lab_leftovers $_id $_vm" || fail "cnth left something where it was"
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
	# its disk: written there after the move, read back by the guest, in that image
	_n=0
	while :; do
		_d=$(disk_count /tmp/to.log "${_last%% *}") || fail "cnth's disk writes fail on $_dest"
		[ "$_d" -gt "${_last%% *}" ] && break
		[ $_n -lt 60 ] || fail "cnth wrote no counter past ${_last%% *} to its disk on $_dest"
		sleep 0.5
		_n=$((_n + 1))
		$_check "cat $_to" >/tmp/to.log
	done
	_d_img=$(img_count "$_check")
	[ "${_d_img:-0}" -ge "$_d" ] ||
		fail "the image on $_dest has counter '$_d_img', the guest read back $_d there"
	echo "migrate-a: on $_dest cnth read back counter $_d from its disk, the image there has $_d_img"
	$_check "ping -6 -c 3 -W 5 $ll%xenbr0" >/dev/null || fail "cnth does not answer pings on $_dest"
	_next=$(lab_count_after cnth 0 /tmp/to.log | awk -v n="${_last%% *}" '$1 > n { print; exit }')
	_interval=$(lab_count_after cnth 0 /tmp/from.log | tail -n 21 | while read -r _c _t; do
		to_ms "$_t"
	done | awk 'NR > 1 { print $1 - p } { p = $1 }' | sort -n | awk '{ v[NR] = $1 }
		END { print v[int((NR + 1) / 2)] }')
	_gap=$(($(to_ms "${_next#* }") - _sign * offset - $(to_ms "${_last#* }")))
	# the disk's: its last write read back there to its first one here
	_dl=$(disk_lines /tmp/from.log | tail -n 1)
	_dn=$(disk_lines /tmp/to.log | awk -v n="${_dl%% *}" '$1 > n { print; exit }')
	_dgap=$(($(to_ms "${_dn#* }") - _sign * offset - $(to_ms "${_dl#* }")))
	echo "migrate-a: counter ${_last%% *} here at ${_last#* }, ${_next%% *} there at ${_next#* }"
	echo "XB-BENCH migrate-guest name=cnth to=$_dest gap_ms=$_gap interval_ms=$_interval" \
		"downtime_ms=$((_gap - _interval)) disk_gap_ms=$_dgap clock_offset_ms=$offset" \
		"clock_err_ms=$((best / 2))"
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
[ -z "$(/usr/sbin/losetup -a)" ] || { /usr/sbin/losetup -a; fail "loop devices left here"; }
lab_peer_flag done
echo "migrate-a: PASS"
