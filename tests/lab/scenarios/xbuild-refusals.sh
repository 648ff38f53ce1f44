# xbuild refuses on real Xen, before anything of the domain exists, what it
# cannot serve, each in one line naming the config line and field, exit 1,
# nothing left behind (loop devices, backend nodes, domains, interfaces):
# an image attached writable to another running domain (xl's, paused), also
# asked read-only; a bridge dom0 lacks; a read-only image asked writable; a
# missing image. And the other way round: with the image held writable by
# an xbuild domain, xl's own block script refuses it too (it reads the
# nodes xbuild wrote as its own).
# Files: cache:root.img cache:ro.img
. /lab/lib.sh
lab_bridge xenbr0 || exit 1
n=xbuild-refusals

fail() {
	echo "$n: FAIL: $*"
	xl destroy xl-holder >/dev/null 2>&1
	xbuild destroy xbuild-holder >/dev/null 2>&1
	exit 1
}

# What a refused create must leave as it was.
state() {
	/usr/sbin/losetup -a | sort
	xenstore-ls -f /local/domain/0/backend 2>/dev/null | grep -E '^/local/domain/0/backend/[a-z]+/[0-9]'
	xl list | awk 'NR > 1 { print $1 }'
	ls /sys/class/net
}

# refused DISKS VIFS WANT: xbuild create of a guest with DISKS and VIFS fails
# with one line holding WANT, and leaves everything as it was.
refused() {
	lab_domu_cfg /tmp/refused.cfg refused pv /lab/domu/vmlinuz "console=hvc0" "$1" "$2"
	before=$(state)
	out=$(xbuild create /tmp/refused.cfg 2>&1) && fail "created with disk = [ $1 ] vif = [ $2 ]"
	echo "$n: $out"
	[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || fail "not one line"
	case $out in *"$3"*) ;; *) fail "want \"$3\" in it" ;; esac
	[ "$(state)" = "$before" ] || fail "left behind: $(state)"
}

lab_domu_cfg /tmp/holder.cfg xl-holder pv /lab/domu/vmlinuz "console=hvc0" \
	"'file:/lab/files/root.img,xvda,w'"
xl create -p /tmp/holder.cfg || fail "xl create -p xl-holder"
id=$(xl domid xl-holder)
refused "'file:/lab/files/root.img,xvda,w'" "" \
	"refused.cfg:8:10: error: disk 1, target: /lab/files/root.img is already attached writable to domain $id (\"xl-holder\", as xvda): one domain at a time may write a disk"
refused "'file:/lab/files/root.img,xvdb,r'" "" "is already attached writable to domain $id"
xl destroy xl-holder || fail "xl destroy xl-holder"
lab_wait_gone xl-holder 30 || fail "xl-holder stays"

refused "" "'bridge=nobr0'" "refused.cfg:9:9: error: vif 1, bridge: dom0 has no interface nobr0"
cp /lab/files/ro.img /tmp/ro-copy.img && chmod 444 /tmp/ro-copy.img
refused "'/tmp/ro-copy.img,raw,xvda,w'" "" "disk 1, access: /tmp/ro-copy.img is read-only (mode 0444)"
refused "'file:/tmp/gone.img,xvda,w'" "" "disk 1, target: /tmp/gone.img: No such file or directory"

# xbuild holds root.img writable (paused): xl's block script refuses it
lab_domu_cfg /tmp/xholder.cfg xbuild-holder pv /lab/domu/vmlinuz "console=hvc0" \
	"'file:/lab/files/root.img,xvda,w'"
xbuild create -p /tmp/xholder.cfg || fail "xbuild create -p xbuild-holder"
xid=$(xl domid xbuild-holder)
vm=$(xenstore-read /local/domain/$xid/vm)
lab_domu_cfg /tmp/xl2.cfg xl-second pv /lab/domu/vmlinuz "console=hvc0" \
	"'file:/lab/files/root.img,xvda,w'"
if xl create -p /tmp/xl2.cfg >/tmp/xl2.out 2>&1; then
	xl destroy xl-second
	fail "xl attached root.img writable to a second domain"
fi
grep -i "mounted\|busy\|hotplug" /tmp/xl2.out | head -3
xl list xl-second >/dev/null 2>&1 && fail "xl left xl-second behind"
xbuild destroy xbuild-holder || fail "xbuild destroy xbuild-holder"
lab_leftovers $xid $vm || fail "leftovers"
echo "$n: PASS"
