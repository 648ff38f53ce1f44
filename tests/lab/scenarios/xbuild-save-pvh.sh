# lab-xbuild-save (with xbuild-save.sh): the same for Debian's Linux as a
# PVH guest (HAP: it migrates live): migrate to this host through xb-rsh,
# live (--live: no notice; pre-copy rounds), a new domid, the same name, it
# counts on; save and restore, twice, -p keeping it paused; xl restores the
# PVH image xbuild saved, xbuild the one xl saved. Nothing left behind.
# Files: xb-rsh
. /lab/lib.sh
fail() {
	echo "xbuild-save-pvh: FAIL: $*"
	xl list
	dmesg | grep -i -e segfault -e 'general protection' -e 'killed process' | tail -n 5
	exit 1
}
state() { xl list "$1" 2>/dev/null | awk 'NR == 2 { print $5 }'; }
img=/lab/img
mkdir -p $img
[ -s /tmp/xb-rsh.pid ] || { /usr/sbin/ip link set lo up; lab_serve 127.0.0.1:5022; }
lab_wait_peer 30 127.0.0.1 || fail "xb-rsh"

lab_count_cfg /tmp/cnth.cfg cnth pvh
rm -f "$(lab_console_log cnth)" "$(lab_console_log cnth--incoming)"
t0=$(lab_ms)
xbuild create /tmp/cnth.cfg || fail "create cnth"
lab_wait_count cnth 10 400 || fail "cnth does not count"
echo "xbuild-save-pvh: cnth counts, $(($(lab_ms) - t0)) ms after create"
id=$(xl domid cnth)

# -- live migration to this host --
xbuild migrate --live --timings -C /tmp/cnth.cfg -s $LAB_RSH cnth 127.0.0.1 2>/tmp/mig.err ||
	{ cat /tmp/mig.err; fail "migrate --live cnth"; }
last=$(lab_count_last cnth) # the source's console has it all: it is gone
cat /tmp/mig.err
grep -q warning /tmp/mig.err && fail "a notice for a live migration"
grep -q '^XB-BENCH migrate name=cnth live=1 rounds=[1-9]' /tmp/mig.err || fail "not live, or no pre-copy round"
id2=$(xl domid cnth) || fail "no cnth after the migration"
[ "$id2" != "$id" ] || fail "cnth kept domid $id"
log=$(lab_console_log cnth--incoming)
lab_wait_count cnth $((last + 10)) 60 "$log" || fail "cnth does not count after the migration"
lab_count_goes_on cnth 0 "$last" "$log" || fail "cnth did not carry on"
echo "xbuild-save-pvh: migrated live to this host: domain $id -> $id2"

# -- save and restore, twice --
xbuild save cnth $img/cnth.save /tmp/cnth.cfg || fail "save cnth"
xl domid cnth >/dev/null 2>&1 && fail "cnth still exists after its save"
last=$(lab_count_last cnth "$log")
rm -f "$(lab_console_log cnth)"
xbuild restore $img/cnth.save || fail "restore cnth"
lab_wait_count cnth $((last + 10)) 60 || fail "cnth does not count after the restore"
lab_count_goes_on cnth 0 "$last" || fail "cnth did not carry on after the restore"
xbuild destroy cnth && lab_wait_gone cnth || fail "destroy cnth"
off=$(lab_log_size cnth)
xbuild restore -p $img/cnth.save || fail "restore -p cnth"
case $(state cnth) in *p*) ;; *) fail "restore -p: cnth is '$(state cnth)'" ;; esac
xl unpause cnth
lab_wait_count cnth $((last + 10)) 60 "" "$off" || fail "cnth does not count after restore -p"
lab_count_goes_on cnth "$off" "$last" || fail "cnth did not carry on after restore -p"
echo "xbuild-save-pvh: saved, restored twice (-p paused), counting on from $last"

# -- xl restores the PVH image --
xbuild destroy cnth && lab_wait_gone cnth || fail "destroy cnth"
off=$(lab_log_size cnth)
xl restore $img/cnth.save || fail "xl restore of xbuild's PVH image"
lab_wait_count cnth $((last + 5)) 60 "" "$off" || fail "cnth restored by xl does not count"
lab_count_goes_on cnth "$off" "$last" || fail "cnth restored by xl did not carry on"
echo "xbuild-save-pvh: xl restored xbuild's PVH image"
rm -f $img/cnth.save

# -- xbuild restores xl's PVH image --
xl save cnth $img/xl.save || fail "xl save cnth"
last=$(lab_count_last cnth)
off=$(lab_log_size cnth)
xbuild restore $img/xl.save || fail "xbuild restore of xl's PVH image"
rm -f $img/xl.save
lab_wait_count cnth $((last + 5)) 60 "" "$off" || fail "cnth restored from xl's image does not count"
lab_count_goes_on cnth "$off" "$last" || fail "cnth restored from xl's image did not carry on"
echo "xbuild-save-pvh: xbuild restored xl's PVH image"
id=$(xl domid cnth)
vm=$(xenstore-read /local/domain/$id/vm)
xbuild destroy cnth && lab_wait_gone cnth || fail "xbuild destroy cnth"
kill "$(cat /tmp/xb-rsh.pid)" 2>/dev/null
lab_leftovers $id $vm || fail "leftovers"
echo "xbuild-save-pvh: PASS"
