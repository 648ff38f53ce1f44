# Stock xl with phy: disks: the checks of xl-vbd.sh, the images on loop
# devices that dom0 sets up itself (losetup, ro.img read-only) and detaches
# after the domain is gone (xl must have let go of them).
# Files: cache:root.img cache:ro.img
. /lab/lib.sh
lab_vbd_test xl xl-vbd-phy pv /lab/domu/vmlinuz phy
