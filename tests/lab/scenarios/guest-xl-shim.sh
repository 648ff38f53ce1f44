# lab-guest-xl-pvh (third scenario): the 32-bit PAE PV guest xbtest-x86_32
# in Xen's PV shim under stock xl (type "pvh", pvshim=1: xl builds a PVH
# domain whose kernel is /usr/lib/xen-4.17/boot/xen-shim, with the PV
# kernel and ramdisk as modules; the shim builds the PV guest with Xen's
# own dom0 builder). Debian's Xen is built without CONFIG_PV32, its shim
# with it. Every check must pass and the guest must power off; the shim's
# own log (same console, lines ended "\n\r") is shown indented. Without
# msr_relaxed=1 the shim panics on TCG's CPU model (#GP writing AMD's HWCR).
# Files: xbtest-x86_32 xbtest-ramdisk.bin xbtest-shim.cfg
. /lab/lib.sh
name=xbtest-shim
log=/tmp/xbtest-shim.log       # the console log, without the shim's \r

t0=$(lab_ms)
xl -v create /lab/files/xbtest-shim.cfg 2>/tmp/xl-shim.trace ||
  { sed 's/^/  /' /tmp/xl-shim.trace; exit 1; }
echo "guest-xl-shim: created in $(( $(lab_ms) - t0 )) ms; the shim's segments:"
grep -E 'alloc_segment|Adding module|load_acpi' /tmp/xl-shim.trace | sed 's/^/  /'
lab_wait_console $name 'XBTEST RESULT' 120 ||
  { xl list; echo "guest-xl-shim: Xen's log:"; xl dmesg | tail -25 | sed 's/^/  /'
    echo "guest-xl-shim: xl's log of the domain:"; sed 's/^/  /' /var/log/xen/xl-$name.log; exit 1; }
echo "guest-xl-shim: result on the console $(( $(lab_ms) - t0 )) ms after create"
if ! lab_wait_gone $name 30; then
  xl list
  xl destroy $name
  echo "guest-xl-shim: FAIL: guest did not power off"
  tr -d '\r' <"$(lab_console_log $name)" | sed 's/^/  /'
  exit 1
fi
tr -d '\r' <"$(lab_console_log $name)" >"$log"
echo "guest-xl-shim: the shim's log:"
grep -v '^XBTEST ' "$log" | sed 's/^/  /'
grep '^XBTEST ' "$log"
checks=$(grep -c '^XBTEST CHECK ' "$log")
oks=$(grep -c '^XBTEST CHECK [a-z_0-9]* ok ' "$log")
grep -q '^XBTEST BEGIN arch=x86_32p$' "$log" ||
  { echo "guest-xl-shim: FAIL: want 'XBTEST BEGIN arch=x86_32p'"; exit 1; }
grep -q "^XBTEST RESULT pass=$oks fail=0" "$log" ||
  { echo "guest-xl-shim: FAIL: want 'XBTEST RESULT pass=$oks fail=0'"; exit 1; }
[ "$checks" -ge 15 ] && [ "$checks" = "$oks" ] ||
  { echo "guest-xl-shim: FAIL: $oks of $checks checks ok (want >= 15, all)"; exit 1; }
echo "guest-xl-shim: PASS: $oks checks ok in the PV shim"
