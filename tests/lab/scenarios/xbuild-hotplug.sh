# xbuild's block-* and network-* verbs on a running Linux PV guest (booted
# by xbuild with root.img and a vif, its checks done and kept alive by
# xb.test=disk,net): block-attach ro.img as xvdc (read-only), block-list
# shows it Connected (the guest's blkfront took it), block-detach asks the
# guest, which lets go, and its loop device is freed; network-attach a
# second vif on xenbr0, Connected and a port of the bridge, network-detach
# it by MAC, gone; then xl shutdown, and nothing of the domain is left.
# Files: cache:root.img cache:ro.img
. /lab/lib.sh
n=xbuild-hotplug
fail() { echo "$n: FAIL: $*"; xl destroy $n >/dev/null 2>&1; exit 1; }

# wait_listed VERB PATTERN SECS: `xbuild VERB $n` prints a line matching PATTERN
wait_listed() {
	for _i in $(seq $((${3} * 10))); do
		xbuild $1 $n | grep -qE "$2" && return 0
		sleep 0.1
	done
	xbuild $1 $n
	return 1
}

lab_bridge xenbr0 || exit 1
lab_domu_cfg /tmp/$n.cfg $n pv /lab/domu/vmlinuz \
	"console=hvc0 rdinit=/init xb.test=disk,net xb.token=hp xb.net_secs=300" \
	"'file:/lab/files/root.img,xvda,w'" "'mac=00:16:3e:58:42:02'"
rm -f "$(lab_console_log $n)"
xbuild create /tmp/$n.cfg || fail "xbuild create"
id=$(xl domid $n) || fail "no domain $n"
vm=$(xenstore-read /local/domain/$id/vm)
lab_domu_result $n 120 || fail "the guest's checks" # blkfront loaded, xvda unmounted

t0=$(lab_ms)
xbuild block-attach $n file:/lab/files/ro.img xvdc r || fail "block-attach"
echo "$n: block-attach took $(($(lab_ms) - t0)) ms"
wait_listed block-list '^51744 +xvdc +0 +Connected .* r +/lab/files/ro.img$' 30 ||
	fail "xvdc did not get Connected"
xbuild block-list $n
/usr/sbin/losetup -a | grep -q '/lab/files/ro.img' || fail "no loop device for ro.img"
t0=$(lab_ms)
xbuild block-detach $n xvdc || fail "block-detach"
echo "$n: block-detach took $(($(lab_ms) - t0)) ms"
/usr/sbin/losetup -a | grep -q '/lab/files/ro.img' && { /usr/sbin/losetup -a; fail "ro.img's loop device stays"; }
xenstore-exists /local/domain/0/backend/vbd/$id/51744 2>/dev/null && fail "xvdc's backend stays"
xbuild block-detach $n xvdc 2>/dev/null && fail "detached xvdc twice"

xbuild network-attach $n bridge=xenbr0 || fail "network-attach"
wait_listed network-list '^1 +vif'"$id"'\.1 +0 +00:16:3e:[0-9a-f:]+ +Connected' 30 ||
	fail "vif 1 did not get Connected"
xbuild network-list $n
[ -e /sys/class/net/xenbr0/brif/vif$id.1 ] || fail "vif$id.1 is no port of xenbr0"
mac=$(xenstore-read /local/domain/0/backend/vif/$id/1/mac)
xbuild network-detach $n "$mac" || fail "network-detach $mac"
[ -e /sys/class/net/vif$id.1 ] && fail "vif$id.1 stays"
xenstore-exists /local/domain/0/backend/vif/$id/1 2>/dev/null && fail "vif 1's backend stays"

xl shutdown -w $n || fail "xl shutdown"
lab_wait_gone $n 30 || fail "still there after xl shutdown"
lab_leftovers $id $vm || fail "leftovers"
echo "$n: PASS"
