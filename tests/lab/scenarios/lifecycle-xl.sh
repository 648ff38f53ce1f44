# lab-lifecycle (2/3): xbuild and xl side by side, with the xbtest guest
# (tests/guests, Mini-OS-class: no PV control driver). Checks:
#  - the xenstore permissions of every node xbuild writes equal xl's for the
#    same config (both domains created paused); the differences that are
#    deliberate are listed below with their reason;
#  - xbuild's verbs on a domain xl created: list, vcpu-list, mem-max,
#    mem-set, uptime, rename, pause/unpause; xbuild destroy of xl's domain
#    removes xl's stored config too, as xl destroy does;
#  - shutdown -F of a guest without PV control: Xen shuts it down and the
#    monitor applies on_poweroff (destroy);
#  - on_crash=preserve keeps a crashed xbtest listed as crashed;
#  - on_poweroff=restart of a guest that powers off at once: restarted,
#    then destroyed by the monitor after 5 restarts in quick succession.
# Files: xbtest-x86_64 xbtest-ramdisk.bin xbtest-lab.cfg
. /lab/lib.sh
fail() { echo "lifecycle-xl: FAIL: $*"; xl list; exit 1; }
ok() { echo "lifecycle-xl: ok: $*"; }
# wait_for SECS 'CMD': until the shell command CMD succeeds (evaluated anew 5 times a second)
wait_for() { _n=$(($1 * 5)); until eval "$2" >/dev/null 2>&1; do [ $_n -gt 0 ] || return 1; sleep 0.2; _n=$((_n - 1)); done; }
state() { xbuild list "$1" | awk 'NR == 2 { print $5 }'; }
cfg=/lab/files/xbtest-lab.cfg
# the guest's expectations for another name (its command line carries it)
cmdline() { echo "cmdline=\"xbtest name=$1 mem=32 rd_len=100003 rd_crc=0xfa49cba5 len=$((64 - 6 + ${#1}))\""; }

xl create -p $cfg 'name="xlp"' "$(cmdline xlp)" >/dev/null 2>&1 || fail "xl create"
xbuild create -p $cfg 'name="xbp"' "$(cmdline xbp)" || fail "xbuild create"
xl_id=$(xl domid xlp) xb_id=$(xbuild domid xbp)
xl_vm=$(xenstore-read /local/domain/$xl_id/vm) xb_vm=$(xenstore-read /local/domain/$xb_id/vm)
# path and permissions of every node, domain ids and uuids made generic
tree() { # domid vm
	for top in /local/domain/$1 "$2" /libxl/$1; do xenstore-ls -fp "$top"; done |
		sed -E "s|=.*\((.*)\)$| \1|; s|/local/domain/$1|/local/domain/N|; s|$2|/vm/UUID|; s|/libxl/$1|/libxl/N|; s/([nrwb])$1\b/\1N/g" | sort
}
tree "$xl_id" "$xl_vm" >/tmp/xl.tree
tree "$xb_id" "$xb_vm" >/tmp/xb.tree
changes() { diff /tmp/xl.tree /tmp/xb.tree | grep -E '^[-+]/'; } # busybox: unified
# Deliberate differences, with their reason:
#  console/backend, /local/domain/0/backend/console, /libxl/N/device/console:
#    xl writes a console "backend" that no one serves for the primary
#    console (xenconsoled reads the frontend nodes); xbuild writes none.
deliberate='/local/domain/N/console/backend |/libxl/N/device'
changes | grep -Ev "^.($deliberate)" >/tmp/d
[ -s /tmp/d ] && { cat /tmp/d; fail "xenstore nodes or permissions differ from xl's"; }
[ "$(wc -l </tmp/xb.tree)" -ge 40 ] || { cat /tmp/xb.tree; fail "too few nodes compared"; }
ok "$(wc -l </tmp/xb.tree) nodes, permissions as xl's ($(changes | wc -l) deliberate differences: $(changes | cut -d' ' -f1 | tr '\n' ' '))"

# xbuild's verbs on xl's domain
xbuild list xlp | grep -q "^xlp  *$xl_id " || fail "list of xl's domain"
xbuild vcpu-list xlp | grep -q "^xlp  *$xl_id  *0 " || fail "vcpu-list of xl's domain"
xbuild mem-max xlp 48m && xbuild mem-set xlp 24m || fail "mem-max/mem-set on xl's domain"
[ "$(xenstore-read /local/domain/$xl_id/memory/target)" = 24576 ] || fail "xl's domain memory/target"
xbuild uptime xlp | grep -q "^xlp " || fail "uptime of xl's domain"
xbuild rename xlp xlq && xl list xlq >/dev/null && xl list -l xlq | grep -q '"name": "xlq"' || fail "rename of xl's domain"
xbuild pause xlq && xbuild unpause xlq && xbuild pause xlq || fail "pause/unpause xl's domain"
ls /var/lib/xen | grep -q "userdata-d\.$xl_id\." || fail "xl stored no config?"
xbuild destroy xlq || fail "destroy of xl's domain"
ls /var/lib/xen | grep -q "userdata-d\.$xl_id\." && { ls /var/lib/xen; fail "xl's stored config left behind"; }
ok "list, vcpu-list, mem-max/-set, uptime, rename, pause, destroy on xl's domain"

xl list -l xbp | grep -q '"name": "xbp"' || fail "xl list -l of xbuild's domain"
[ "$(state xbp)" = "--p---" ] || fail "created paused: $(state xbp)"
# the other verbs on the xbtest guest (paused: it would power off at once)
[ "$(xbuild domname "$(xbuild domid xbp)")" = xbp ] || fail "domid/domname"
xbuild sysrq xbp s && [ "$(xenstore-read /local/domain/$xb_id/control/sysrq)" = s ] || fail "sysrq"
xbuild trigger xbp nmi || fail "trigger nmi"
xbuild vcpu-set xbp 1 && xbuild vcpu-pin xbp all 0 && xbuild vcpu-list xbp | grep -q " 0 / all$" || fail "vcpu-set/pin"
xbuild mem-set xbp 16m && [ "$(xenstore-read /local/domain/$xb_id/memory/target)" = 16384 ] || fail "mem-set"
# (no dump-core here: Xen's dumper finds a PV guest's memory through the p2m
# the guest publishes once it runs; lifecycle-verbs dumps the Linux guest)
xbuild uptime -s xbp | grep -q " up .*, xbp ($xb_id)" || fail "uptime -s"
xbuild pause xbp && xbuild list xbp | grep -q -- "--p---" || fail "pause"
xbuild info xen_major | grep -q '^4$' || fail "info xen_major"
xbuild dmesg -c | grep -q 'Xen version' || fail "dmesg -c: no boot messages"
xbuild dmesg | grep -q 'Xen version' && fail "dmesg -c did not clear the ring"
ok "domid, domname, sysrq, trigger, vcpu-set/-pin, mem-set, uptime -s, pause, info, dmesg -c"
xbuild shutdown xbp 2>/dev/null # no PV control: written, nobody acts
[ "$(state xbp)" = "--p---" ] || fail "shut down without -F"
# (bounded here: a monitor that never acts would hold the wait for ever)
timeout 60 xbuild shutdown -F -w xbp 2>/tmp/e || {
	cat /tmp/e; ps | grep '[x]build'; cat /run/xen/xbuild-monitor*.lock
	xenstore-ls -f /xbuild; cat /var/log/xen/xbuild-xbp.log; fail "shutdown -F -w"
}
grep -q "No PV control" /tmp/e || fail "shutdown -F did not say it forced"
xl domid xbp >/dev/null 2>&1 && fail "shutdown -F -w returned before the domain was gone"
ok "shutdown -F of a guest without PV control: on_poweroff destroy"

xbuild create $cfg 'name="xbc"' || fail "create xbc" # cmdline expects name=xbtest: it crashes
wait_for 30 '[ "$(state xbc)" = "---sc-" ]' || fail "xbc: $(state xbc)"
sleep 1
[ "$(state xbc)" = "---sc-" ] || fail "xbc was not preserved"
xbuild destroy xbc || fail "destroy xbc"
ok "on_crash=preserve: the crashed guest stays, ---sc-"

xbuild create $cfg 'on_poweroff="restart"' || fail "create restart loop"
# (xl domid sees the gaps between a destroy and the re-create; the log tells)
wait_for 120 'grep -q "restarted 5 times" /var/log/xen/xbuild-xbtest.log' || fail "the restart loop did not end"
lab_wait_gone xbtest 10 || fail "xbtest left after the restart loop"
n=$(grep -c "poweroff: restart, now domain" /var/log/xen/xbuild-xbtest.log)
grep -q "restarted 5 times" /var/log/xen/xbuild-xbtest.log || { cat /var/log/xen/xbuild-xbtest.log; fail "no burst limit"; }
[ "$n" = 5 ] || fail "$n restarts, want 5"
ok "on_poweroff=restart: 5 restarts, then destroyed"

xbuild create -p $cfg 'name="xbr"' "$(cmdline xbr)" 'on_poweroff="preserve"' || fail "create xbr"
r_id=$(xbuild domid xbr)
xbuild reboot -F xbr 2>/dev/null || fail "reboot -F" # no PV control: Xen reboots it
wait_for 30 '[ $(xbuild domid xbr) != $r_id ]' || fail "reboot -F: no restart (on_reboot default)"
wait_for 30 '[ "$(state xbr)" = "---s--" ]' || fail "the restarted xbr did not run and power off: $(state xbr)"
xbuild destroy xbr || fail "destroy xbr"
ok "reboot -F: restarted as a new domain, which ran"
echo "lifecycle-xl: PASS"
