# xbuild with phy: disks on loop devices dom0 set up itself (losetup,
# ro.img read-only): the checks of xbuild-vbd.sh, and those loop devices
# stay when the domain goes (the test detaches them: xbuild must have let
# go of them and freed none).
# Files: cache:root.img cache:ro.img
. /lab/lib.sh
lab_vbd_test xbuild xbuild-vbd-phy pv /lab/domu/vmlinuz phy
