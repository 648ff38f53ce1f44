# Stock xl creates Debian's Linux (ELF vmlinux, /lab/files/vmlinux) as a PVH
# domU with the lab's busybox initramfs; its console must show the marker and
# command line, then it powers off and the domain is gone.
# Files: cache:vmlinux
. /lab/lib.sh
set -e
cat >/tmp/linux-pvh.cfg <<'CFG'
name = "linux-pvh"
type = "pvh"
kernel = "/lab/files/vmlinux"
ramdisk = "/lab/domu/initrd.cpio.gz"
extra = "console=hvc0 rdinit=/init"
memory = 128
vcpus = 1
on_poweroff = "destroy"
on_crash = "destroy"
CFG
t0=$(lab_ms)
xl create /tmp/linux-pvh.cfg
lab_wait_console linux-pvh XB-DOMU-CMDLINE 120
echo "xl-linux-pvh: console marker $(( $(lab_ms) - t0 )) ms after create"
log=$(lab_console_log linux-pvh)
grep XB-DOMU- "$log"
grep -q '^XB-DOMU-OK' "$log"
grep -q '^XB-DOMU-CMDLINE .*rdinit=/init' "$log"
lab_wait_gone linux-pvh 60 || { xl destroy linux-pvh; exit 1; }
echo "xl-linux-pvh: OK"
