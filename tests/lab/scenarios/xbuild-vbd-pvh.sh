# xbuild: the checks of xbuild-vbd.sh with the guest as PVH (the ELF
# vmlinux): the same disks, served by blkback to a PVH frontend.
# Files: cache:vmlinux cache:root.img cache:ro.img
. /lab/lib.sh
lab_vbd_test xbuild xbuild-vbd-pvh pvh /lab/files/vmlinux file
