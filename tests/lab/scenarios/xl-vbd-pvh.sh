# Stock xl: the checks of xl-vbd.sh with the guest as PVH (the ELF vmlinux).
# Files: cache:vmlinux cache:root.img cache:ro.img
. /lab/lib.sh
lab_vbd_test xl xl-vbd-pvh pvh /lab/files/vmlinux file
