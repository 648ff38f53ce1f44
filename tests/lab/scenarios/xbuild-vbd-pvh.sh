# xbuild: the checks of xbuild-vbd.sh with the guest as PVH (the ELF
# vmlinux): the same disks, served by blkback to a PVH frontend. Needs
# xbuild's ACPI tables: Linux finds its local APICs in the MADT, without
# which it takes no event-channel upcalls and its first disk reads never
# complete (xl's PVH guest with acpi=off hangs alike).
# Files: cache:vmlinux cache:root.img cache:ro.img
. /lab/lib.sh
lab_vbd_test xbuild xbuild-vbd-pvh pvh /lab/files/vmlinux file
