# Helpers for lab scenarios, inside dom0: `. /lab/lib.sh`.
# Scenarios run in busybox sh, which runs its own applets before anything on
# PATH: call dom0's real tools by path (/usr/sbin/ip, /usr/sbin/losetup:
# iproute2, util-linux), as xl's hotplug scripts (bash) find them.

# lab_console_log NAME: xenconsoled's log of guest NAME's console.
lab_console_log() { echo "/var/log/xen/console/guest-$1.log"; }

# lab_wait_console NAME PATTERN [SECS=60]: wait until guest NAME's console
# has a line matching the grep pattern; prints the log and fails on timeout.
lab_wait_console() {
	_log=$(lab_console_log "$1")
	_n=$(( ${3:-60} * 5 ))
	while [ $_n -gt 0 ]; do
		grep -q -- "$2" "$_log" 2>/dev/null && return 0
		sleep 0.2
		_n=$((_n - 1))
	done
	# indented: the host hides lines that start "(XEN)" (Xen's own log on
	# the serial line), and a shim's log on a guest console is made of them
	echo "lab: no '$2' on $1's console within ${3:-60}s; console log:"
	tr -d '\r' <"$_log" 2>/dev/null | sed 's/^/  /'
	return 1
}

# lab_wait_gone NAME [SECS=30]: wait until domain NAME no longer exists.
lab_wait_gone() {
	_n=$(( ${2:-30} * 5 ))
	while [ $_n -gt 0 ]; do
		xl domid "$1" >/dev/null 2>&1 || return 0
		sleep 0.2
		_n=$((_n - 1))
	done
	echo "lab: domain $1 still exists after ${2:-30}s"
	return 1
}

# lab_ms: wall-clock milliseconds (for timing inside dom0).
lab_ms() { gdate +%s%3N; }

# lab_wait_down NAME [SECS=30]: wait until domain NAME is gone or has shut
# down (state s, kept by a toolstack that does not reap it); prints "gone" or
# "shutdown".
lab_wait_down() {
	_n=$(( ${2:-30} * 5 ))
	while [ $_n -gt 0 ]; do
		_st=$(xl list "$1" 2>/dev/null | awk 'NR == 2 { print $5 }')
		[ -z "$_st" ] && { echo gone; return 0; }
		case $_st in *s*) echo shutdown; return 0 ;; esac
		sleep 0.2
		_n=$((_n - 1))
	done
	echo "lab: domain $1 still running after ${2:-30}s"
	return 1
}

# --- Devices (the domU initramfs's xb.test modes: see tests/lab/domu-init) ---

# lab_domu_result NAME [SECS=120]: wait for guest NAME's "XB-DOMU-RESULT" line
# (xb.test=...), print its XB-DOMU-* lines; fails unless every check passed.
lab_domu_result() {
	lab_wait_console "$1" '^XB-DOMU-RESULT' "${2:-120}" || return 1
	tr -d '\r' <"$(lab_console_log "$1")" | grep '^XB-DOMU-'
	tr -d '\r' <"$(lab_console_log "$1")" | grep -q '^XB-DOMU-RESULT pass=[1-9][0-9]* fail=0$'
}

# lab_bridge [NAME=xenbr0]: create bridge NAME (iproute2, over netlink; STP
# off, no forwarding delay, no IPv6 duplicate address detection) and bring it
# up; idempotent. Guests' vifs join it (vif = ['bridge=xenbr0']); its IPv6
# link-local address appears once a port is up. dom0 has no other network.
lab_bridge() {
	_br=${1:-xenbr0}
	if [ ! -d /sys/class/net/$_br/bridge ]; then
		/usr/sbin/ip link add name $_br type bridge stp_state 0 forward_delay 0 || return 1
	fi
	echo 0 >/proc/sys/net/ipv6/conf/$_br/accept_dad
	/usr/sbin/ip link set $_br up
}

# lab_ll MAC: the IPv6 link-local (EUI-64) address Linux gives an interface
# with MAC, as ip prints it (for MACs with no zero 16-bit group in it, e.g.
# 00:16:3e:xx:yy:zz with yy:zz != 00:00); ping it with "ping -6 ADDR%xenbr0".
lab_ll() {
	set -- $(echo "$1" | tr ':' ' ')
	printf 'fe80::%x:%x:%x:%x\n' $((((0x$1 ^ 2) << 8) | 0x$2)) $(((0x$3 << 8) | 0xff)) \
		$((0xfe00 | 0x$4)) $(((0x$5 << 8) | 0x$6))
}

# lab_img_cat IMAGE PATH: file PATH inside ext2/3/4 image IMAGE (debugfs,
# read-only, no mount; empty if it is not there).
lab_img_cat() { debugfs -R "cat $2" "$1" 2>/dev/null; }

# lab_xenstore_dump DOMID LABEL: the domain's whole xenstore tree, with
# permissions (xenstore-ls -fp): /local/domain/0/backend, /local/domain/DOMID,
# /libxl/DOMID and its /vm/UUID, between "XB-XENSTORE-BEGIN LABEL domid=DOMID"
# and "XB-XENSTORE-END LABEL" lines.
lab_xenstore_dump() {
	_vm=$(xenstore-read /local/domain/$1/vm)
	echo "XB-XENSTORE-BEGIN $2 domid=$1"
	for _p in /local/domain/0/backend /local/domain/$1 /libxl/$1 $_vm; do
		# the node itself (xenstore-ls shows what is under a path), then below
		[ $_p = /local/domain/0/backend ] ||
			xenstore-ls -fp ${_p%/*} | grep "^$_p = "
		xenstore-ls -fp $_p
	done
	echo "XB-XENSTORE-END $2"
}

# lab_leftovers DOMID [VM]: once domain DOMID is gone, fail naming whatever
# it left behind: a loop device (losetup -a: detach your own first), a
# backend node (/local/domain/0/backend/TYPE/DOMID), /local/domain/DOMID,
# /libxl/DOMID, its /vm/UUID path VM (xenstore-read /local/domain/DOMID/vm
# while it lives), a vifDOMID.N interface or any port on a bridge.
lab_leftovers() {
	_left=$(
		losetup -a | sed 's/^/loop device: /'
		xenstore-ls -f /local/domain/0/backend 2>/dev/null |
			grep -E "^/local/domain/0/backend/[^/]+/$1(/| )" | sed 's/^/backend node: /'
		for _p in /local/domain/$1 /libxl/$1 $2; do
			xenstore-exists $_p 2>/dev/null && echo "xenstore: $_p"
		done
		ls /sys/class/net | grep "^vif$1\." | sed 's/^/interface: /'
		for _p in /sys/class/net/*/brif/*; do [ -e "$_p" ] && echo "bridge port: $_p"; done
	)
	[ -z "$_left" ] && return 0
	echo "lab: left behind by domain $1:"
	echo "$_left"
	return 1
}

# --- Device scenarios: the checks of tests/lab/scenarios/xl-{vbd,vif,pygrub}*.sh,
# run with any tool that creates domains from an xl config (TOOL create CFG:
# xl, or xbuild for the same scenario under xbuild). Only the create is
# TOOL's; the rest is tool-neutral (xl shutdown writes control/shutdown, the
# guest powers off, TOOL's own monitor must then destroy the domain and
# undo its devices). Each prints "NAME: PASS" or "NAME: FAIL: why" and
# returns non-zero on failure.

# lab_domu_cfg FILE NAME TYPE KERNEL EXTRA DISKS [VIFS]: an xl config for the
# lab's Linux domU (memory 128, on_poweroff/on_crash destroy); KERNEL
# "pygrub" means bootloader = "pygrub"; DISKS and VIFS are xl lists' insides.
lab_domu_cfg() {
	{
		echo "name = \"$2\""
		echo "type = \"$3\""
		if [ "$4" = pygrub ]; then
			echo 'bootloader = "pygrub"'
		else
			echo "kernel = \"$4\""
			echo 'ramdisk = "/lab/domu/initrd.cpio.gz"'
		fi
		echo "extra = \"$5\""
		echo 'memory = 128'
		echo 'vcpus = 1'
		echo "disk = [ $6 ]"
		[ -n "${7:-}" ] && echo "vif = [ $7 ]"
		echo 'on_poweroff = "destroy"'
		echo 'on_crash = "destroy"'
	} >"$1"
}

_lab_fail() { # name message: print it and the toolstack's logs, destroy the domain, fail
	echo "$1: FAIL: $2"
	for _f in /var/log/xen/bootloader.*.log /var/log/xen/xen-hotplug.log; do
		[ -s "$_f" ] && { echo "--- $_f:"; tail -n 20 "$_f"; }
	done
	xl destroy "$1" >/dev/null 2>&1
	return 1
}

_lab_token() { head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# lab_vbd_test TOOL NAME TYPE KERNEL [file|phy]: the guest (TYPE pv or pvh,
# KERNEL /lab/domu/vmlinuz, or /lab/files/vmlinux for PVH) with root.img as
# xvda (w) and ro.img as xvdb (r), as file: disks (TOOL sets up the loop
# devices) or phy: disks on loop devices dom0 sets up first. The guest's
# checks (xb.test=disk) pass, it powers off, the domain goes; then root.img
# holds the guest's file with this run's token, ro.img is unchanged, and
# nothing is left (lab_leftovers; dom0's own loop devices detached first).
# Files: cache:root.img cache:ro.img
lab_vbd_test() {
	_t_n=$2 _t_kind=${5:-file}
	_t_tok=$(_lab_token)
	_t_ro_sum=$(sha1sum </lab/files/ro.img)
	if [ $_t_kind = phy ]; then
		_t_l0=$(/usr/sbin/losetup -f --show /lab/files/root.img) &&
			_t_l1=$(/usr/sbin/losetup -r -f --show /lab/files/ro.img) || { _lab_fail $_t_n "losetup"; return 1; }
		_t_disks="'phy:$_t_l0,xvda,w', 'phy:$_t_l1,xvdb,r'"
	else
		_t_disks="'file:/lab/files/root.img,xvda,w', 'file:/lab/files/ro.img,xvdb,r'"
	fi
	# PVH under qemu TCG: the guest's XRSTOR now and then faults ("Bad FPU
	# state detected"), and init then dies of an AVX instruction; noxsave
	# keeps the guest (and glibc's AVX string functions) off XSAVE.
	_t_x=
	[ $3 = pvh ] && _t_x=" noxsave"
	lab_domu_cfg /tmp/$_t_n.cfg $_t_n $3 $4 "console=hvc0 rdinit=/init$_t_x xb.test=disk xb.ro=xvdb xb.token=$_t_tok" "$_t_disks"
	rm -f "$(lab_console_log $_t_n)" # xenconsoled appends to an old one
	_t_t0=$(lab_ms)
	$1 create /tmp/$_t_n.cfg || { _lab_fail $_t_n "$1 create"; return 1; }
	_t_id=$(xl domid $_t_n) || { _lab_fail $_t_n "no domain $_t_n"; return 1; }
	_t_vm=$(xenstore-read /local/domain/$_t_id/vm)
	echo "$_t_n: domain $_t_id created in $(($(lab_ms) - _t_t0)) ms by $1; loop devices:"
	/usr/sbin/losetup -a
	[ "$(/usr/sbin/losetup -a | wc -l)" = 2 ] || { _lab_fail $_t_n "want 2 loop devices"; return 1; }
	lab_domu_result $_t_n 120 || { _lab_fail $_t_n "the guest's checks"; return 1; }
	lab_wait_gone $_t_n 60 || { _lab_fail $_t_n "the guest did not power off"; return 1; }
	echo "$_t_n: guest done and domain gone $(($(lab_ms) - _t_t0)) ms after create"
	if [ $_t_kind = phy ]; then
		/usr/sbin/losetup -d $_t_l0 $_t_l1 || { _lab_fail $_t_n "losetup -d $_t_l0 $_t_l1: busy?"; return 1; }
	fi
	_t_got=$(lab_img_cat /lab/files/root.img /xb-domu-wrote)
	[ "$_t_got" = "xb-domu-wrote token=$_t_tok" ] ||
		{ _lab_fail $_t_n "root.img: /xb-domu-wrote is '$_t_got', want token $_t_tok"; return 1; }
	echo "$_t_n: root.img has /xb-domu-wrote: $_t_got"
	[ "$(sha1sum </lab/files/ro.img)" = "$_t_ro_sum" ] || { _lab_fail $_t_n "ro.img changed"; return 1; }
	lab_leftovers $_t_id $_t_vm || { _lab_fail $_t_n "leftovers"; return 1; }
	echo "$_t_n: PASS"
}

# lab_vif_test TOOL NAME: the PV guest with the disks of lab_vbd_test (file:)
# and a vif (mac 00:16:3e:58:42:01) on bridge xenbr0 (lab_bridge). The
# guest's checks (xb.test=disk,net) pass and its eth0 has that MAC and its
# link-local address; dom0 pings it over xenbr0 and gets answers; the vif is
# a port of xenbr0. The domain's whole xenstore tree is printed
# (lab_xenstore_dump, label "TOOL disk+vif"). Then xl shutdown: the guest
# powers off, the domain goes, nothing is left (no loop device, backend
# node, vif, bridge port) and root.img holds the guest's file.
# Files: cache:root.img cache:ro.img
lab_vif_test() {
	_t_n=$2 _t_mac=00:16:3e:58:42:01
	_t_tok=$(_lab_token)
	lab_bridge xenbr0 || { _lab_fail $_t_n "lab_bridge"; return 1; }
	lab_domu_cfg /tmp/$_t_n.cfg $_t_n pv /lab/domu/vmlinuz \
		"console=hvc0 rdinit=/init xb.test=disk,net xb.ro=xvdb xb.token=$_t_tok xb.net_secs=300" \
		"'file:/lab/files/root.img,xvda,w', 'file:/lab/files/ro.img,xvdb,r'" "'mac=$_t_mac,bridge=xenbr0'"
	rm -f "$(lab_console_log $_t_n)" # xenconsoled appends to an old one
	_t_t0=$(lab_ms)
	$1 create /tmp/$_t_n.cfg || { _lab_fail $_t_n "$1 create"; return 1; }
	_t_id=$(xl domid $_t_n) || { _lab_fail $_t_n "no domain $_t_n"; return 1; }
	_t_vm=$(xenstore-read /local/domain/$_t_id/vm)
	echo "$_t_n: domain $_t_id created in $(($(lab_ms) - _t_t0)) ms by $1"
	lab_domu_result $_t_n 120 || { _lab_fail $_t_n "the guest's checks"; return 1; }
	_t_ll=$(lab_ll $_t_mac)
	_t_net=$(tr -d '\r' <"$(lab_console_log $_t_n)" | grep '^XB-DOMU-NET eth0 ')
	[ "$_t_net" = "XB-DOMU-NET eth0 mac=$_t_mac ll=$_t_ll" ] ||
		{ _lab_fail $_t_n "guest's eth0: '$_t_net', want mac=$_t_mac ll=$_t_ll"; return 1; }
	[ "$(xenstore-read /local/domain/0/backend/vif/$_t_id/0/mac)" = $_t_mac ] || { _lab_fail $_t_n "backend mac"; return 1; }
	[ -e /sys/class/net/xenbr0/brif/vif$_t_id.0 ] ||
		{ ls /sys/class/net/xenbr0/brif; _lab_fail $_t_n "vif$_t_id.0 is no port of xenbr0"; return 1; }
	echo "$_t_n: vif$_t_id.0 is a port of xenbr0; pinging the guest at $_t_ll%xenbr0"
	ping -6 -c 3 -W 5 $_t_ll%xenbr0 || { _lab_fail $_t_n "no answer from $_t_ll%xenbr0"; return 1; }
	lab_xenstore_dump $_t_id "$1 disk+vif"
	_t_t1=$(lab_ms)
	xl shutdown -w $_t_n || { _lab_fail $_t_n "xl shutdown"; return 1; }
	lab_wait_gone $_t_n 30 || { _lab_fail $_t_n "still there after xl shutdown"; return 1; }
	tr -d '\r' <"$(lab_console_log $_t_n)" | grep '^XB-DOMU-POWEROFF signal' ||
		{ _lab_fail $_t_n "the guest did not power off on the shutdown request"; return 1; }
	echo "$_t_n: shut down and gone $(($(lab_ms) - _t_t1)) ms after xl shutdown"
	_t_got=$(lab_img_cat /lab/files/root.img /xb-domu-wrote)
	[ "$_t_got" = "xb-domu-wrote token=$_t_tok" ] ||
		{ _lab_fail $_t_n "root.img: /xb-domu-wrote is '$_t_got', want token $_t_tok"; return 1; }
	lab_leftovers $_t_id $_t_vm || { _lab_fail $_t_n "leftovers"; return 1; }
	echo "$_t_n: PASS"
}

# lab_pygrub_test TOOL NAME: the PV guest with bootloader = "pygrub" and
# grub.img as xvda (w): it boots the kernel and initramfs pygrub took from
# the image, of the menu's default entry (xb.grub=1 on the command line,
# with the config's extra appended), its checks (xb.test=disk) pass, and
# after it is gone grub.img holds its file and nothing is left. Needs
# "# lab-needs: pygrub" in the scenario.
# Files: cache:grub.img
lab_pygrub_test() {
	_t_n=$2
	_t_tok=$(_lab_token)
	command -v pygrub >/dev/null || { _lab_fail $_t_n "no pygrub in dom0 (# lab-needs: pygrub)"; return 1; }
	lab_domu_cfg /tmp/$_t_n.cfg $_t_n pv pygrub "xb.test=disk xb.token=$_t_tok" "'file:/lab/files/grub.img,xvda,w'"
	rm -f "$(lab_console_log $_t_n)" # xenconsoled appends to an old one
	_t_t0=$(lab_ms)
	$1 create /tmp/$_t_n.cfg || { _lab_fail $_t_n "$1 create"; return 1; }
	_t_id=$(xl domid $_t_n) || { _lab_fail $_t_n "no domain $_t_n"; return 1; }
	_t_vm=$(xenstore-read /local/domain/$_t_id/vm)
	echo "$_t_n: domain $_t_id created in $(($(lab_ms) - _t_t0)) ms by $1"
	xenstore-ls -f $_t_vm/image
	# what the bootloader extracted: xl keeps it in /var/lib/xen/bootloader.DOMID.d,
	# xbuild in /var/lib/xen/bootloader.XXXXXX (made before the domain exists)
	xenstore-read $_t_vm/image/kernel | grep -qE "^/var/lib/xen/bootloader\.($_t_id\.d|[A-Za-z0-9]{6})/" ||
		{ _lab_fail $_t_n "the kernel is not one the bootloader extracted"; return 1; }
	lab_domu_result $_t_n 120 || { _lab_fail $_t_n "the guest's checks"; return 1; }
	tr -d '\r' <"$(lab_console_log $_t_n)" | grep -q "^XB-DOMU-CMDLINE .*xb\.grub=1 .*xb\.token=$_t_tok" ||
		{ _lab_fail $_t_n "not booted from grub.cfg's default entry with extra appended"; return 1; }
	lab_wait_gone $_t_n 60 || { _lab_fail $_t_n "the guest did not power off"; return 1; }
	_t_got=$(lab_img_cat /lab/files/grub.img /xb-domu-wrote)
	[ "$_t_got" = "xb-domu-wrote token=$_t_tok" ] ||
		{ _lab_fail $_t_n "grub.img: /xb-domu-wrote is '$_t_got', want token $_t_tok"; return 1; }
	lab_leftovers $_t_id $_t_vm || { _lab_fail $_t_n "leftovers"; return 1; }
	ls -d /var/lib/xen/bootloader.* /var/run/xen/bootloader.* 2>/dev/null &&
		{ _lab_fail $_t_n "bootloader files left behind"; return 1; }
	echo "$_t_n: PASS"
}

# --- The counting guest (the domU initramfs's xb.test=count): save, restore,
# migration. It prints "XB-COUNT N t=SECS.USECS" every xb.count_ms (100) ms.

# lab_count_cfg FILE NAME pv|pvh [EXTRA]: its config, 128 MiB, one vCPU.
lab_count_cfg() {
	_x=
	[ $3 = pvh ] && _x=" noxsave" # see lab_vbd_test
	{
		echo "name = \"$2\""
		echo "type = \"$3\""
		echo 'kernel = "/lab/domu/vmlinuz"'
		echo 'ramdisk = "/lab/domu/initrd.cpio.gz"'
		echo "extra = \"console=hvc0 rdinit=/init$_x xb.test=count ${4:-}\""
		echo 'memory = 128'
		echo 'vcpus = 1'
	} >"$1"
}

# lab_log_size NAME: bytes in guest NAME's console log now (0 when none).
lab_log_size() { wc -c <"$(lab_console_log "$1")" 2>/dev/null || echo 0; }

# lab_count_after NAME OFFSET [LOG]: the counter lines of NAME's console log
# (or LOG) after byte OFFSET, one "N T" pair a line.
lab_count_after() {
	tail -c +$(($2 + 1)) "${3:-$(lab_console_log "$1")}" 2>/dev/null | tr -d '\r' |
		sed -n 's/^XB-COUNT \([0-9]*\) t=\([0-9.]*\)$/\1 \2/p'
}

# lab_count_last NAME [LOG]: the last counter NAME printed (0 when none).
lab_count_last() {
	_c=$(lab_count_after "$1" 0 "${2:-}" | tail -n 1 | cut -d' ' -f1)
	echo "${_c:-0}"
}

# lab_wait_count NAME N [SECS=120] [LOG] [OFFSET=0]: until NAME has counted
# past N in its console log (or LOG) after byte OFFSET.
lab_wait_count() {
	_n=$(( ${3:-120} * 5 ))
	while [ $_n -gt 0 ]; do
		_c=$(lab_count_after "$1" "${5:-0}" "${4:-}" | tail -n 1 | cut -d' ' -f1)
		[ "${_c:-0}" -gt "$2" ] && return 0
		sleep 0.2
		_n=$((_n - 1))
	done
	echo "lab: $1 did not count past $2 within ${3:-120}s; its console ends:"
	tail -n 5 "${4:-$(lab_console_log "$1")}" 2>/dev/null
	return 1
}

# lab_count_goes_on NAME OFFSET FROM [LOG]: after byte OFFSET of its console,
# NAME carries on counting from about FROM, the last counter seen before (the
# first new one within FROM-10..FROM+20: xenconsoled may read again what was
# in the saved ring, or find lines it had not read yet; the source's
# xenconsoled drops what it had read but not logged when the domain goes;
# never 1, a second boot), and printed no boot banner.
lab_count_goes_on() {
	_log=${4:-$(lab_console_log "$1")}
	_first=$(lab_count_after "$1" "$2" "$_log" | head -n 1 | cut -d' ' -f1)
	if tail -c +$(($2 + 1)) "$_log" | grep -q -e 'Linux version' -e '^XB-DOMU-OK'; then
		echo "lab: $1 booted again (a banner after the restore):"
		tail -c +$(($2 + 1)) "$_log" | grep -e 'Linux version' -e '^XB-DOMU-OK'
		return 1
	fi
	[ -n "$_first" ] && [ "$_first" -ge $(($3 - 10)) ] && [ "$_first" -le $(($3 + 20)) ] || {
		echo "lab: $1's counter after the restore starts at '${_first}', want $(($3 - 10))..$(($3 + 20))"
		return 1
	}
}

# lab_count_disk_goes_on NAME OFFSET FROM [LOG] [SECS=60] [STALE]: a counting
# guest with xb.count_disk (its disk the same image throughout) writes to its
# disk again: after byte OFFSET of its console (or LOG) it read back a counter
# past FROM within SECS, and no write or read back there failed. STALE (for
# an image restored onto a disk that ran on after the save: a second restore
# of one image, a checkpoint's): a mismatch of a counter up to STALE is not a
# fault (written before the save, read back after the restore, over it the
# later writes); one of a counter past STALE still is.
lab_count_disk_goes_on() {
	_log=${4:-$(lab_console_log "$1")}
	_n=$(( ${5:-60} * 5 ))
	while :; do
		if tail -c +$(($2 + 1)) "$_log" | tr -d '\r' |
			awk -v stale="${6:--1}" '/^XB-COUNT-DISK-FAIL/ || (/^XB-COUNT-DISK-MISMATCH/ && $2 + 0 > stale)' | grep .; then
			echo "lab: $1's disk: a write or its read back failed"
			return 1
		fi
		_d=$(tail -c +$(($2 + 1)) "$_log" | tr -d '\r' | sed -n 's/^XB-COUNT-DISK \([0-9]*\) t=.*/\1/p' | tail -n 1)
		[ "${_d:-0}" -gt "$3" ] && return 0
		[ $_n -gt 0 ] || { echo "lab: $1 read back no counter past $3 from its disk within ${5:-60}s (last: '${_d}')"; return 1; }
		sleep 0.2
		_n=$((_n - 1))
	done
}

# --- Two hosts (tests/lab/run --hosts 2: LAB_HOST is a or b, LAB_PEER the
# other's address on the link) and the lab's ssh, xb-rsh (a FILE of the run).
LAB_RSH=/lab/files/xb-rsh

# lab_serve [[ADDR:]PORT=5022]: serve xb-rsh in the background (its pid in
# /tmp/xb-rsh.pid); `xbuild migrate -s /lab/files/xb-rsh` and lab_peer use it.
lab_serve() {
	$LAB_RSH -l "${1:-5022}" </dev/null >/dev/null 2>/tmp/xb-rsh.log &
	echo $! >/tmp/xb-rsh.pid
}

# lab_wait_peer [SECS=240] [HOST=$LAB_PEER]: until HOST's xb-rsh answers.
lab_wait_peer() {
	_n=$(( ${1:-240} * 2 ))
	while [ $_n -gt 0 ]; do
		$LAB_RSH "${2:-$LAB_PEER}" true 2>/dev/null && return 0
		sleep 0.5
		_n=$((_n - 1))
	done
	echo "lab: no xb-rsh on ${2:-$LAB_PEER} within ${1:-240}s"
	return 1
}

# lab_peer CMD...: run CMD (one shell line) on the other host.
lab_peer() { $LAB_RSH "$LAB_PEER" "$@"; }

# lab_peer_flag NAME: raise flag NAME on the other host; lab_wait_flag NAME
# [SECS=600]: wait until the other host raised it here.
lab_peer_flag() { lab_peer touch "/tmp/lab-flag-$1"; }
lab_wait_flag() {
	_n=$(( ${2:-600} * 5 ))
	while [ ! -e "/tmp/lab-flag-$1" ] && [ $_n -gt 0 ]; do sleep 0.2; _n=$((_n - 1)); done
	[ -e "/tmp/lab-flag-$1" ] || { echo "lab: flag $1 not raised within ${2:-600}s"; return 1; }
}
