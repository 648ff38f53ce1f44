# lab-xen-linux: Debian's Linux kernel as a PV domU with an initramfs and a
# command line, built by `xbuild create -c`, next to the same guest built by
# stock xl, in one boot:
#  - `xbuild create -c` shows the console from the guest's first byte (the
#    kernel's banner) to its init's marker (XB-DOMU-OK) and its command line;
#  - both guests boot; `xl list` and `xbuild list` agree on both;
#  - each tool destroys the other's domain; nothing is left in xenstore;
#  - on a terminal (xen-ptyrun), `xbuild console` is raw, Ctrl-] detaches
#    and restores the terminal, and the guest keeps running;
#  - on_poweroff="restart": the monitor re-creates the domain (new id) from
#    the same config; `xl console` shows xbuild's domain; `xbuild destroy`
#    stops it for good and the monitor exits.
# Files: xen-ptyrun
. /lab/lib.sh
fail() { echo "xen-linux: FAIL: $*"; xl list; exit 1; }
rows() { "$@" | awk 'NR > 1 { print $1, $2, $3, $4, $5 }'; }
cfg=/lab/domu/linux-pv.cfg

xl create $cfg 'name="linux-xl"' 'on_poweroff="preserve"' || fail "xl create"
xbuild create -c $cfg 'name="linux-xb"' 'on_poweroff="preserve"' \
  'extra="console=hvc0 rdinit=/init xbuild-marker=42"' >/tmp/xb.txt 2>&1 ||
  { cat /tmp/xb.txt; fail "xbuild create -c exited $?"; }
tr -d '\r' </tmp/xb.txt >/tmp/xb.log
grep -E 'Linux version|XB-DOMU' /tmp/xb.log
head -c 200 /tmp/xb.log | grep -q 'Linux version' ||
  { head -5 /tmp/xb.log; fail "create -c missed the start of the console (no banner in the first bytes)"; }
grep -q '^XB-DOMU-OK' /tmp/xb.log || fail "no XB-DOMU-OK from the init under xbuild"
grep -q '^XB-DOMU-CMDLINE .*rdinit=/init xbuild-marker=42' /tmp/xb.log ||
  fail "the command line did not reach the guest"
lab_wait_console linux-xl XB-DOMU-OK 90 || fail "the xl guest did not boot"

xl list
xbuild list
[ "$(rows xbuild list)" = "$(rows xl list)" ] || fail "xbuild list and xl list differ"
xbuild list linux-xb | grep -q '^linux-xb .* ---s-- ' || fail "linux-xb not shut down"

xbuild destroy linux-xl || fail "xbuild destroy of xl's domain"
xl destroy linux-xb || fail "xl destroy of xbuild's domain"
lab_wait_gone linux-xl 10 && lab_wait_gone linux-xb 10 || fail "domains left"
# the monitor removes the record of xbuild's domain once it sees it gone
n=0
while left=$(xenstore-ls -f / | grep -E 'linux-x|/local/domain/[1-9]|/libxl/[1-9]'); do
  [ $n -lt 25 ] || { echo "$left"; fail "xenstore nodes left behind (after 5 s)"; }
  sleep 0.2; n=$((n + 1))
done

xbuild create -p $cfg 'name="linux-tty"' 'on_poweroff="preserve"' || fail "create linux-tty"
(sleep 1; xl unpause linux-tty) &
/lab/files/xen-ptyrun 'Linux version' xbuild console linux-tty || fail "interactive console"
xbuild list linux-tty | grep -q '^linux-tty ' || fail "detaching took the guest away"
xbuild destroy linux-tty || fail "destroy linux-tty"

xbuild create $cfg 'name="linux-rs"' 'on_poweroff="restart"' || fail "create linux-rs"
id1=$(xl domid linux-rs)
n=0
while id2=$(xl domid linux-rs 2>/dev/null); [ "$id2" = "$id1" ] || [ -z "$id2" ]; do
  [ $n -lt 600 ] || fail "linux-rs (domain $id1) was not restarted"
  sleep 0.2; n=$((n + 1))
done
echo "restarted: domain $id1 -> $id2"
n=0
until grep "restart, now domain $id2" /var/log/xen/xbuild-linux-rs.log; do
  [ $n -lt 50 ] || { cat /var/log/xen/xbuild-linux-rs.log; fail "no restart in the monitor's log"; }
  sleep 0.2; n=$((n + 1))
done
mkdir -p /var/lock           # xenconsole (xl console) keeps its lock there
timeout 20 xl console linux-rs </dev/null >/tmp/xlcon.txt 2>&1
grep -a XB-DOMU /tmp/xlcon.txt | tr -d '\r'
grep -aq 'XB-DOMU-OK' /tmp/xlcon.txt || { tail -5 /tmp/xlcon.txt; fail "xl console did not show xbuild's domain"; }
# It may be between two lives (being re-created): destroy until both the
# domain and its monitor are gone.
monitor() { ps | grep -v grep | grep -q "xbuild monitor"; }
n=0
while monitor || xl domid linux-rs >/dev/null 2>&1; do
  [ $n -lt 120 ] || { ps; fail "linux-rs or its monitor still there after 60 s of destroys"; }
  xbuild destroy linux-rs >/dev/null 2>&1
  sleep 0.5; n=$((n + 1))
done
sleep 2
xl domid linux-rs >/dev/null 2>&1 && fail "linux-rs came back after destroy"
left=$(xenstore-ls -f / | grep -E 'linux-|/local/domain/[1-9]|/libxl/[1-9]')
[ -z "$left" ] || { echo "$left"; fail "xenstore nodes left behind"; }
echo "xen-linux: PASS"
