# scripts/demo, inside the lab's dom0: create the Linux PV example guest
# (examples/configs/linux-pv.cfg, with Debian's kernel and the lab's busybox
# initramfs beside it in /lab/files) and attach to its console. Uses xbuild
# when it can create the guest, else stock xl, and says which.
. /lab/lib.sh
cfg=linux-pv.cfg
name=linux-pv
echo "== dom0 is up: $(xl info | sed -n 's/^xen_version *: /Xen /p'), $(xl info | sed -n 's/^virt_caps *: /caps: /p')"
echo "== $cfg:"
grep -v '^ *#' "$cfg" | grep -v '^ *$'
t0=$(lab_ms)
echo "== xbuild create -c $cfg"
xbuild create -c "$cfg"
rc=$?
if [ $rc -ne 0 ] && ! grep -q XB-DOMU-OK "$(lab_console_log $name)" 2>/dev/null; then
	xl destroy $name >/dev/null 2>&1
	echo "== xbuild could not create the guest (exit $rc); falling back to stock: xl create -c $cfg"
	t0=$(lab_ms)
	xl create -c "$cfg" || exit 1
	tool=xl
else
	tool=xbuild
fi
down=$(lab_wait_down $name 60) || { echo "$down"; xl destroy $name; exit 1; }
ms=$(( $(lab_ms) - t0 ))
grep -q XB-DOMU-OK "$(lab_console_log $name)" || { echo "== no XB-DOMU-OK on the console"; exit 1; }
echo "== $tool: the guest booted, printed its marker and powered off: $ms ms from create to shutdown"
if [ "$down" = shutdown ]; then
	echo "== note: $tool left the shut-down domain behind (on_poweroff=destroy not applied); destroying it"
	xl destroy $name
fi
