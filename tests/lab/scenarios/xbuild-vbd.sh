# xbuild with xl-vbd.sh's disks: Debian's Linux as a PV domU with root.img
# writable as xvda and ro.img read-only as xvdb, both file: disks on loop
# devices xbuild sets up itself (no hotplug script). The guest's checks
# pass (xvda mounts and takes a file, xvdb is read-only); it powers off,
# xbuild's monitor destroys it; root.img then holds the file, ro.img is
# unchanged, and nothing is left: no loop device, backend node or
# xenstore path. See lab_vbd_test in /lab/lib.sh.
# Files: cache:root.img cache:ro.img
. /lab/lib.sh
lab_vbd_test xbuild xbuild-vbd pv /lab/domu/vmlinuz file
