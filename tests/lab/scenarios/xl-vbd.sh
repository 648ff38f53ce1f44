# Stock xl, the reference for xbuild's disks: Debian's Linux as a PV domU with
# two file: disks on loop devices that xl's hotplug script (block) sets up:
# root.img writable as xvda, ro.img read-only as xvdb. The guest's checks
# pass (xvda mounts and takes a file, xvdb is read-only); after it is gone
# root.img holds the file, ro.img is unchanged, nothing is left (no loop
# device, backend node or xenstore path). See lab_vbd_test in /lab/lib.sh;
# `lab_vbd_test xbuild NAME pv /lab/domu/vmlinuz` is the same under xbuild.
# Files: cache:root.img cache:ro.img
. /lab/lib.sh
lab_vbd_test xl xl-vbd pv /lab/domu/vmlinuz file
