# lab-xen-linux: Debian's Linux kernel as a PV domU with an initramfs and a
# command line, built by `xbuild create -c`, next to the same guest built by
# stock xl, in one boot:
#  - `xbuild create -c` shows the console from the guest's first byte (the
#    kernel's banner) to its init's marker (XB-DOMU-OK) and its command line;
#  - both guests boot; `xl list` and `xbuild list` agree on both;
#  - each tool destroys the other's domain; nothing is left in xenstore.
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
left=$(xenstore-ls -f / | grep -E 'linux-x|/local/domain/[1-9]|/libxl/[1-9]')
[ -z "$left" ] || { echo "$left"; fail "xenstore nodes left behind"; }
echo "xen-linux: PASS"
