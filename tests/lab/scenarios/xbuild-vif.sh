# xbuild with xl-vif.sh's config: the disks of xbuild-vbd.sh and a vif
# (mac 00:16:3e:58:42:01) on bridge xenbr0, which xbuild plugs netback's
# vif into over netlink (no vif-bridge). eth0 comes up in the guest, dom0
# pings its link-local address over xenbr0; the domain's xenstore tree is
# printed as "xbuild disk+vif" (tests/lab/xenstore-compare holds it against
# xl's); xl shutdown, and nothing is left (loop device, backend node, vif,
# bridge port). See lab_vif_test in /lab/lib.sh.
# Files: cache:root.img cache:ro.img
. /lab/lib.sh
lab_vif_test xbuild xbuild-vif
