# Stock xl creates Debian's Linux as a PV domU; its console must show the
# marker, the command line and about the memory we asked for; then the guest
# powers itself off and the domain is gone.
. /lab/lib.sh
set -e
xl create /lab/domu/linux-pv.cfg
lab_wait_console linux-pv XB-DOMU-CMDLINE 90
log=$(lab_console_log linux-pv)
grep XB-DOMU- "$log"
grep -q '^XB-DOMU-OK' "$log"
grep -q '^XB-DOMU-CMDLINE .*rdinit=/init' "$log"
# memory = 128: the guest's MemTotal is that minus the kernel's own share
mem=$(sed -n 's/.*XB-DOMU-INFO .*mem_kb=\([0-9]*\).*/\1/p' "$log" | tr -d '\r')
[ "$mem" -gt 65536 ] && [ "$mem" -le 131072 ] || { echo "domU sees mem_kb=$mem, want 64..128 MiB"; exit 1; }
lab_wait_gone linux-pv 60 || { xl destroy linux-pv; exit 1; }
echo "xl-linux-pv: OK"
