# lab-xen-lifecycle: the xbtest guest (tests/guests/) built by `xbuild create`
# on real Xen. Checks, in one boot:
#  - it is created paused and shows in `xbuild list` and `xl list` alike;
#  - `xbuild console` attached before the unpause shows all its output, and
#    every check of the guest passes;
#  - `xbuild list --json` reports its runtime state (shut down, poweroff);
#  - `xbuild destroy` removes it: no xenstore node mentions it afterwards and
#    the free memory `xl info` reports is back where it was;
#  - `xbuild create -c` with on_poweroff=destroy: the console shows the guest
#    from its first line to its last, written just before it powers off, and
#    the monitor destroys it (create -c returns; nothing left behind).
# Files: xbtest-x86_64 xbtest-ramdisk.bin xbtest-lab.cfg
. /lab/lib.sh
name=xbtest
fail() { echo "xen-lifecycle: FAIL: $*"; xl list; exit 1; }
free_mb() { xl info | sed -n 's/^free_memory *: *//p'; }
# xl list / xbuild list without the Time(s) column
rows() { "$@" | awk 'NR > 1 { print $1, $2, $3, $4, $5 }'; }

free0=$(free_mb)
xbuild create -p /lab/files/xbtest-lab.cfg 'on_poweroff="preserve"' || fail "create"
id=$(xl domid $name) || fail "xl does not know $name"
echo "created domain $id (paused)"
xbuild list
[ "$(rows xbuild list)" = "$(rows xl list)" ] || { xl list; fail "xbuild list and xl list differ"; }
xbuild list $name | grep -q "^$name  *$id .* --p--- " || fail "not listed as paused"

xbuild console $name >/tmp/console.txt 2>&1 &
cpid=$!
sleep 1                        # the console is attached, the guest has not run yet
xl unpause $name || fail "unpause"
n=0
while ! grep -q 'XBTEST RESULT' /tmp/console.txt && [ $n -lt 300 ]; do sleep 0.2; n=$((n + 1)); done
cat /tmp/console.txt
checks=$(grep -c '^XBTEST CHECK ' /tmp/console.txt)
oks=$(grep -c '^XBTEST CHECK [a-z_0-9]* ok ' /tmp/console.txt)
grep -q "^XBTEST RESULT pass=$oks fail=0" /tmp/console.txt || fail "want 'XBTEST RESULT pass=$oks fail=0' on xbuild console"
[ "$checks" -ge 15 ] && [ "$checks" = "$oks" ] || fail "$oks of $checks checks ok"
echo "xbuild console: $oks checks ok"

n=0
until xbuild list --json $name | grep -q '"shutdown_reason": "poweroff"'; do
  [ $n -lt 50 ] || { xbuild list --json $name; fail "not shut down (poweroff)"; }
  sleep 0.2; n=$((n + 1))
done
xbuild list --json $name
[ "$(rows xbuild list)" = "$(rows xl list)" ] || { xl list; fail "xbuild list and xl list differ"; }
wait $cpid || fail "xbuild console exited $?"

uuid=$(xenstore-read /local/domain/$id/vm)
xbuild destroy $name || fail "destroy"
xl domid $name >/dev/null 2>&1 && fail "$name still exists"
left=$(xenstore-ls -f / | grep -E "/local/domain/$id(/|\b)|$uuid|/libxl/$id\b|$name")
[ -z "$left" ] || { echo "$left"; fail "xenstore nodes left behind"; }
n=0
while [ "$(free_mb)" != "$free0" ] && [ $n -lt 50 ]; do sleep 0.2; n=$((n + 1)); done
echo "free memory: before $free0 MiB, after $(free_mb) MiB"
[ "$(free_mb)" = "$free0" ] || fail "free memory not back"
xbuild destroy $name 2>&1 | grep -q "no domain named \"$name\"" || fail "destroy of a gone domain"

t0=$(lab_ms)
xbuild create -c /lab/files/xbtest-lab.cfg >/tmp/c2.txt 2>&1 || { cat /tmp/c2.txt; fail "create -c exited $?"; }
t1=$(lab_ms)
tr -d '\r' </tmp/c2.txt >/tmp/c2.log
head -1 /tmp/c2.log | grep -q '^XBTEST BEGIN' || { head -3 /tmp/c2.log; fail "create -c missed the first line"; }
grep -v '^$' /tmp/c2.log | tail -1 | grep -q '^XBTEST RESULT pass=15 fail=0' || { tail -3 /tmp/c2.log; fail "create -c missed the last line"; }
echo "create -c: $(wc -l </tmp/c2.log) lines, first to last, returned after $((t1 - t0)) ms"
lab_wait_gone $name 10 || fail "the monitor did not destroy $name (on_poweroff=destroy)"
left=$(xenstore-ls -f / | grep -E "/local/domain/[1-9]|/libxl/[1-9]|$name")
[ -z "$left" ] || { echo "$left"; fail "xenstore nodes left behind by the monitor"; }
n=0
while [ "$(free_mb)" != "$free0" ] && [ $n -lt 50 ]; do sleep 0.2; n=$((n + 1)); done
[ "$(free_mb)" = "$free0" ] || fail "free memory not back after the monitor's destroy"
sleep 0.5
ps | grep -v grep | grep -q 'xbuild monitor' && { ps; fail "the monitor still runs with no domain left"; }
echo "xen-lifecycle: PASS"
