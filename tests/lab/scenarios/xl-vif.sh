# Stock xl, the reference for xbuild's disks and network together: the PV
# guest with xl-vbd.sh's disks and a vif on bridge xenbr0 (xl's hotplug
# script vif-bridge adds the port). eth0 comes up in the guest, dom0 pings its
# link-local address over xenbr0; the domain's whole xenstore tree, with
# permissions, is printed between "XB-XENSTORE-BEGIN xl disk+vif" and
# "XB-XENSTORE-END" lines (the tree xbuild's must match node for node); then
# xl shutdown, and nothing is left (no loop device, backend node, vif or
# bridge port). See lab_vif_test in /lab/lib.sh.
# Files: cache:root.img cache:ro.img
. /lab/lib.sh
lab_vif_test xl xl-vif
