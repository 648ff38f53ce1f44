# lab-guest-xl: the xbtest guest (tests/guests/) under stock xl, i.e. built
# by libxenguest, the reference builder. Validates the guest itself: every
# check must pass, the result line must come through the console ring
# (xenconsoled's log), and the guest must power off (on_crash=preserve in
# the config keeps a crashed guest around, which fails here).
# Files: xbtest-x86_64 xbtest-ramdisk.bin xbtest-lab.cfg
. /lab/lib.sh
name=xbtest
log=$(lab_console_log $name)

xl create /lab/files/xbtest-lab.cfg || exit 1
lab_wait_console $name 'XBTEST RESULT' 120 || { xl list; exit 1; }
if ! lab_wait_gone $name 30; then
  xl list
  xl destroy $name
  echo "guest-xl: FAIL: guest did not power off"
  cat "$log"
  exit 1
fi
cat "$log"
checks=$(grep -c '^XBTEST CHECK ' "$log")
oks=$(grep -c '^XBTEST CHECK [a-z_0-9]* ok ' "$log")
grep -q "^XBTEST RESULT pass=$oks fail=0" "$log" ||
  { echo "guest-xl: FAIL: want 'XBTEST RESULT pass=$oks fail=0'"; exit 1; }
[ "$checks" -ge 15 ] && [ "$checks" = "$oks" ] ||
  { echo "guest-xl: FAIL: $oks of $checks checks ok (want >= 15, all)"; exit 1; }
echo "guest-xl: PASS: $oks checks ok under xl"
