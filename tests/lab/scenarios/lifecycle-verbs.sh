# lab-lifecycle (1/3): every lifecycle verb of xbuild on Debian's Linux as a
# PV guest that stays up (xb.stay: it acts on control/shutdown, balloons,
# onlines hot-plugged vCPUs and reports them on its console), created by
# xbuild with on_reboot=restart, on_crash=preserve. Checks, in order:
#  - one monitor for all domains (supervisor + worker), started by create;
#  - xl list -l prints the domain's configuration (libxl's userdata);
#  - domid, domname, uptime, info, dmesg, list -v/-Z/-c/-n against xl's;
#  - pause shows state p (xbuild list and xl list), unpause runs it again;
#  - mem-set changes memory/target and the guest balloons down; mem-max;
#  - vcpu-set brings vCPU 1 online in the guest; vcpu-pin; vcpu-list = xl's;
#  - rename (xl sees the new name, also in xl list -l); sysrq; trigger nmi;
#    dump-core writes an ELF core;
#  - reboot: a new domid, a second boot, the name findable throughout;
#  - the monitor's worker killed (-9): restarted, and `xl shutdown` of the
#    domain still triggers xbuild's on_poweroff (destroy);
#  - `xl reboot` of the domain: xbuild's monitor restarts it;
#  - on_crash=preserve (sysrq c): listed as crashed ("---sc-", as xl);
#  - shutdown -w returns only when the domain is gone;
#  - both monitor processes killed, a shutdown in between: `xbuild monitor`
#    handles it when it starts;
#  - the monitor exits when no domain is left.
. /lab/lib.sh
fail() {
	echo "lifecycle-verbs: FAIL: $*"; xl list; tail -5 /var/log/xen/xbuild-monitor.log 2>/dev/null
	echo "console log of lx: $(boots) boots, last lines:"; tail -5 "$(lab_console_log lx)"
	ls -l /var/log/xen/console; xenstore-ls -fp /local/domain/$(xl domid lx 2>/dev/null)/console 2>&1 | head
	exit 1
}
ok() { echo "lifecycle-verbs: ok: $*"; }
# wait_for SECS 'CMD': until the shell command CMD succeeds (evaluated anew 5 times a second)
wait_for() { _n=$(($1 * 5)); until eval "$2" >/dev/null 2>&1; do [ $_n -gt 0 ] || return 1; sleep 0.2; _n=$((_n - 1)); done; }
state() { xbuild list "$1" | awk 'NR == 2 { print $5 }'; }
xl_state() { xl list "$1" | awk 'NR == 2 { print $5 }'; }
monitors() { ps | grep -v grep | grep -c 'xbuild monitor'; }
boots() { grep -c XB-DOMU-STAY "$(lab_console_log lx)" 2>/dev/null || echo 0; }
# up N: the guest's console shows its boot number N (xenconsoled's log of lx
# gathers every boot of the name)
up() { wait_for 90 "[ \$(boots) -ge $1 ]"; }

cat >/tmp/lx.cfg <<'EOF'
name = "lx"
type = "pv"
kernel = "/lab/domu/vmlinuz"
ramdisk = "/lab/domu/initrd.cpio.gz"
extra = "console=hvc0 rdinit=/init xb.stay"
memory = 128
maxmem = 160
vcpus = 1
maxvcpus = 2
on_poweroff = "destroy"
on_reboot = "restart"
on_crash = "preserve"
EOF

xbuild create /tmp/lx.cfg || fail "create"
id=$(xbuild domid lx) || fail "domid"
[ "$(xl domid lx)" = "$id" ] || fail "xl domid differs"
[ "$(xbuild domname "$id")" = lx ] || fail "domname"
lab_wait_console lx XB-DOMU-STAY 90 || fail "lx did not boot"
wait_for 5 '[ "$(monitors)" = 2 ]' || { ps; fail "want one monitor (supervisor + worker), got $(monitors) processes"; }
ok "created domain $id, one monitor ($(cat /run/xen/xbuild-monitor-2.lock))"

# xl sees the configuration xbuild stored where libxl keeps it
xl list -l lx >/tmp/l.json 2>&1 || { cat /tmp/l.json; fail "xl list -l"; }
grep -q '"name": "lx"' /tmp/l.json && grep -q '"target_memkb": 131072' /tmp/l.json &&
	grep -q '"on_crash": "preserve"' /tmp/l.json || { cat /tmp/l.json; fail "xl list -l lacks the config"; }
ok "xl list -l prints the configuration"

xbuild uptime | grep -q "^lx  *$id  *0:0" || { xbuild uptime; fail "uptime"; }
xl uptime lx | grep -q "^lx " || { xl uptime; fail "xl uptime of an xbuild domain"; }
for f in xen_version nr_cpus total_memory xen_caps xen_scheduler build_id; do
	[ "$(xbuild info "$f")" = "$(xl info | sed -n "s/^$f *: //p")" ] || fail "info $f: $(xbuild info "$f") vs xl's"
done
xbuild info --json | grep -q '"xen_major": 4' || fail "info --json"
xbuild info -n | grep -q '^numa_info' || fail "info -n"
xbuild dmesg | grep -q 'Xen version' || fail "dmesg"
for opt in -v -Z -c -n; do
	[ "$(xbuild list $opt lx | awk 'NR == 2 { $5 = $6 = ""; print }')" = "$(xl list $opt lx | awk 'NR == 2 { $5 = $6 = ""; print }')" ] ||
		{ xbuild list $opt lx; xl list $opt lx; fail "list $opt differs from xl's"; }
done
ok "uptime, info, dmesg, list -v/-Z/-c/-n as xl"

xbuild pause lx || fail "pause"
case "$(state lx) $(xl_state lx)" in ??p???" "??p???) ;; *) fail "paused: $(state lx) / $(xl_state lx)" ;; esac
xbuild unpause lx || fail "unpause"
case $(state lx) in *p*) fail "still paused" ;; esac
ok "pause shows p (as xl), unpause"

xbuild mem-set lx 96m || fail "mem-set"
[ "$(xenstore-read /local/domain/$id/memory/target)" = 98304 ] || fail "memory/target"
wait_for 30 '[ "$(xl list lx | awk "NR == 2 { print \$3 }")" -le 100 ]' || { xl list; fail "the guest did not balloon to 96 MiB"; }
low=$(xl list lx | awk 'NR == 2 { print $3 }')
xbuild mem-max lx 64m 2>/tmp/e && fail "mem-max below the target accepted"
grep -q "below the domain's target" /tmp/e || fail "mem-max: $(cat /tmp/e)"
xbuild mem-max lx 150m || fail "mem-max"
[ "$(xenstore-read /local/domain/$id/memory/static-max)" = 153600 ] || fail "static-max"
xbuild mem-set lx 128m || fail "mem-set back"
ok "mem-set (the guest ballooned from 128 to $low MiB), mem-max"

xbuild vcpu-set lx 2 || fail "vcpu-set"
lab_wait_console lx "XB-DOMU-STATE cpus=2" 30 || fail "vCPU 1 did not come online"
xbuild vcpu-pin lx 0 0 || fail "vcpu-pin"
cut13() { awk 'NR > 1 { print $1, $2, $3, $7, $8, $9 }'; } # without CPU, State, Time(s)
[ "$(xbuild vcpu-list lx | cut13)" = "$(xl vcpu-list lx | cut13)" ] || { xbuild vcpu-list lx; xl vcpu-list lx; fail "vcpu-list differs from xl's"; }
xbuild vcpu-list lx >/tmp/vl 2>&1
grep -q "^lx  *$id  *0 .* 0 / all$" /tmp/vl || { cat /tmp/vl; fail "vCPU 0 not pinned to CPU 0"; }
ok "vcpu-set 2 (guest: 2 CPUs), vcpu-pin, vcpu-list as xl"

xbuild rename lx lx2 || fail "rename"
xl list lx2 >/dev/null || { xl list; fail "xl list does not see the rename"; }
xl list -l lx2 >/tmp/l2.json 2>&1 || { cat /tmp/l2.json; fail "xl list -l lx2: exit status $?"; }
grep -q '"name": "lx2"' /tmp/l2.json || { cat /tmp/l2.json; fail "xl list -l does not see the rename"; }
xbuild rename lx2 lx || fail "rename back"
xbuild sysrq lx h || fail "sysrq"
lab_wait_console lx "sysrq: HELP" 10 || fail "the guest saw no sysrq"
xbuild trigger lx nmi || fail "trigger nmi"
xbuild trigger lx power 2>&1 | grep -q "PV guest only takes nmi" || fail "trigger power on PV"
xbuild dump-core lx /tmp/lx.core || fail "dump-core"
[ "$(od -An -c -N 4 /tmp/lx.core | tr -d ' ')" = '177ELF' ] || fail "dump-core: not an ELF file"
ok "rename, sysrq, trigger, dump-core ($(wc -c </tmp/lx.core) bytes)"
rm -f /tmp/lx.core

xbuild reboot lx || fail "reboot"
n=0
while [ "$(boots)" -lt 2 ] && [ $n -lt 450 ]; do
	xbuild domid lx >/dev/null 2>/tmp/find.err || fail "the name was not findable during the restart: $(cat /tmp/find.err)"
	sleep 0.2; n=$((n + 1))
done
[ "$(boots)" = 2 ] || fail "no second boot"
id2=$(xbuild domid lx)
[ "$id2" != "$id" ] || fail "same domid after the restart"
grep -q "lx (domain $id): reboot: restart, now domain $id2" /var/log/xen/xbuild-lx.log || { cat /var/log/xen/xbuild-lx.log; fail "monitor log"; }
xl list -l lx | grep -q '"name": "lx"' || fail "xl list -l after the restart"
ok "reboot: domain $id -> $id2, second boot, name findable throughout"

read sup worker </run/xen/xbuild-monitor-2.lock
kill -9 "$worker"
wait_for 10 'read s w </run/xen/xbuild-monitor-2.lock; [ $w != $worker ] && kill -0 $w' || fail "the worker was not restarted"
xl shutdown lx || fail "xl shutdown"
lab_wait_gone lx 60 || fail "xl shutdown did not lead to xbuild's on_poweroff (destroy)"
ok "worker killed and restarted; xl shutdown -> on_poweroff destroy"

xbuild create /tmp/lx.cfg || fail "create 2"
up 3 || fail "lx did not boot again"
id3=$(xbuild domid lx)
xl reboot lx >/dev/null 2>&1 || fail "xl reboot of xbuild's domain"
up 4 || fail "no boot after xl reboot"
[ "$(xbuild domid lx)" != "$id3" ] || fail "xl reboot: no restart by xbuild's monitor"
ok "xl reboot -> xbuild's on_reboot (restart): domain $id3 -> $(xbuild domid lx)"
xbuild sysrq lx c || fail "sysrq c"
wait_for 30 '[ "$(state lx)" = "---sc-" ]' || fail "crashed: $(state lx)"
[ "$(xl_state lx)" = "---sc-" ] || fail "xl: $(xl_state lx)"
sleep 1
[ "$(state lx)" = "---sc-" ] || fail "the crashed domain was not preserved"
xbuild destroy lx || fail "destroy of the crashed domain"
ok "on_crash=preserve: listed ---sc-"

xbuild create /tmp/lx.cfg || fail "create 3"
up 5 || fail "lx did not boot a third time"
xbuild shutdown -w lx || fail "shutdown -w"
xl domid lx >/dev/null 2>&1 && fail "shutdown -w returned before the domain was gone"
ok "shutdown -w returned when the domain was gone"

xbuild create /tmp/lx.cfg || fail "create 4"
up 6 || fail "lx did not boot a fourth time"
read sup worker </run/xen/xbuild-monitor-2.lock
kill -9 "$sup" "$worker"
sleep 0.5
[ "$(monitors)" = 0 ] || fail "monitor still running after kill -9"
xl shutdown lx || fail "xl shutdown with no monitor"
wait_for 30 'xl list lx | awk "NR == 2 { print \$5 }" | grep -q s' || fail "lx did not shut down"
xbuild monitor || fail "xbuild monitor"
lab_wait_gone lx 30 || fail "the restarted monitor did not handle the pending shutdown"
ok "monitor killed (both), shutdown meanwhile: handled by the next monitor"

wait_for 10 '[ "$(monitors)" = 0 ]' || { ps; fail "the monitor did not exit with no domain left"; }
left=$(xenstore-ls -f / | grep -E "^/xbuild/(domains|restarts)/[^ ]")
[ -z "$left" ] || { echo "$left"; fail "monitor records left"; }
ls /var/lib/xen | grep -q 'userdata-d\.[1-9]' && { ls /var/lib/xen; fail "userdata left"; }
ok "the monitor exited; no record, no userdata left"
echo "lifecycle-verbs: PASS"
