# lab-xbuild-migrate-2host, host b (migrate-a.sh on host a drives the test):
# serve xb-rsh, wait until host a is done, then nothing of the guest may be
# left here.
# Files: xb-rsh
. /lab/lib.sh
[ "$LAB_HOST" = b ] || { echo "migrate-b: FAIL: this is host '$LAB_HOST', not b"; exit 1; }
lab_serve
lab_wait_flag done 1200 || { echo "migrate-b: FAIL: host a never said it was done"; exit 1; }
lab_wait_gone cnth 30 || { echo "migrate-b: FAIL: cnth is left here"; xl list; exit 1; }
left=$(/usr/sbin/losetup -a; ls /sys/class/net | grep '^vif'; ls /sys/class/net/xenbr0/brif 2>/dev/null)
[ -z "$left" ] || { echo "$left"; echo "migrate-b: FAIL: loop devices, vifs or bridge ports left"; exit 1; }
left=$(xenstore-ls -f / | grep -e cnth -e '/local/domain/[1-9]')
[ -z "$left" ] || { echo "$left"; echo "migrate-b: FAIL: xenstore nodes left"; exit 1; }
kill "$(cat /tmp/xb-rsh.pid)"
echo "migrate-b: PASS"
