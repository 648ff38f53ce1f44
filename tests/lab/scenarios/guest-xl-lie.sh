# guest-xl-lie.sh (in lab-guest-xl): the xbtest guest under stock xl, told wrong expectations
# on its command line (name, memory, ramdisk CRC). Proves the guest's checks
# can fail: exactly nr_pages, ramdisk and xenstore must FAIL, everything
# else pass, and the guest must crash (kept by on_crash=preserve).
# Files: xbtest-x86_64 xbtest-ramdisk.bin xbtest-lie.cfg
. /lab/lib.sh
name=xbtest-lie
log=$(lab_console_log $name)

t0=$(lab_ms)
xl create /lab/files/xbtest-lie.cfg || exit 1
lab_wait_console $name 'XBTEST RESULT' 120 || { xl list; exit 1; }
echo "guest-xl-lie: console after $(( $(lab_ms) - t0 )) ms"
n=50 state=
while [ $n -gt 0 ]; do
  state=$(xl list $name 2>/dev/null | awk 'NR == 2 { print $5 }')
  case $state in *c*) break ;; esac
  sleep 0.2; n=$((n - 1))
done
echo "guest-xl-lie: state '$state' after $(( $(lab_ms) - t0 )) ms"
xl destroy $name 2>/dev/null
cat "$log"
fails=$(grep '^XBTEST CHECK [a-z_0-9]* FAIL ' "$log" | awk '{ print $3 }' | sort | tr '\n' ' ')
[ "$fails" = "nr_pages ramdisk xenstore " ] ||
  { echo "guest-xl-lie: FAIL: failed checks '$fails', want 'nr_pages ramdisk xenstore '"; exit 1; }
oks=$(grep -c '^XBTEST CHECK [a-z_0-9]* ok ' "$log")
grep -q "^XBTEST RESULT pass=$oks fail=3" "$log" ||
  { echo "guest-xl-lie: FAIL: want 'XBTEST RESULT pass=$oks fail=3'"; exit 1; }
case $state in *c*) ;; *) echo "guest-xl-lie: FAIL: state '$state', want crashed"; exit 1 ;; esac
echo "guest-xl-lie: PASS: 3 lies caught, $oks checks ok, guest crashed"
