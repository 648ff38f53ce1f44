# lab-guest-xl-pvh: the xbtest-pvh guest (tests/guests/) under stock xl,
# i.e. built by libxl + libxenguest, the reference PVH builder. Validates
# the guest itself: every check must pass, the result line must come
# through the console ring (xenconsoled's log), and the guest must power
# off (on_crash=preserve in the config keeps a crashed guest around, which
# fails here). Prints `xl -v create`'s builder trace first: where xl puts
# the kernel, modules, ACPI tables, start info and special pages, for
# anyone writing a PVH builder (the guest's NOTE lines add the E820).
# Files: xbtest-pvh xbtest-ramdisk.bin xbtest-pvh.cfg
. /lab/lib.sh
name=xbtest-pvh
log=$(lab_console_log $name)

t0=$(lab_ms)
xl -v create /lab/files/xbtest-pvh.cfg 2>/tmp/xl-pvh.trace
rc=$?
echo "guest-xl-pvh: xl -v create (exit $rc, $(( $(lab_ms) - t0 )) ms):"
sed 's/^/  /' /tmp/xl-pvh.trace
[ $rc = 0 ] || exit 1
lab_wait_console $name 'XBTEST RESULT' 120 || { xl list; exit 1; }
echo "guest-xl-pvh: result on the console $(( $(lab_ms) - t0 )) ms after create"
if ! lab_wait_gone $name 30; then
  xl list
  xl destroy $name
  echo "guest-xl-pvh: FAIL: guest did not power off"
  cat "$log"
  exit 1
fi
cat "$log"
checks=$(grep -c '^XBTEST CHECK ' "$log")
oks=$(grep -c '^XBTEST CHECK [a-z_0-9]* ok ' "$log")
grep -q '^XBTEST BEGIN arch=pvh$' "$log" ||
  { echo "guest-xl-pvh: FAIL: want 'XBTEST BEGIN arch=pvh'"; exit 1; }
grep -q "^XBTEST RESULT pass=$oks fail=0" "$log" ||
  { echo "guest-xl-pvh: FAIL: want 'XBTEST RESULT pass=$oks fail=0'"; exit 1; }
[ "$checks" -ge 17 ] && [ "$checks" = "$oks" ] ||
  { echo "guest-xl-pvh: FAIL: $oks of $checks checks ok (want >= 17, all)"; exit 1; }
echo "guest-xl-pvh: PASS: $oks checks ok under xl"
