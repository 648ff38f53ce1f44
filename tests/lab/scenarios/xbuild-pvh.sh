# lab-xbuild-pvh: PVH guests and the PV shim built by `xbuild create` on real
# Xen (Debian's 4.17: no 32-bit PV, its PV shim installed), in one boot:
#  - xbtest-pvh (tests/guests/) passes every check of its start of day (with
#    vcpus=2 maxvcpus=3: its MADT has 3 local APICs, 2 enabled); while
#    it runs, `xl list` and `xbuild list` agree (type pvh in --json), and
#    `xbuild console` shows its output; `xbuild destroy` leaves no domain
#    and no xenstore node;
#  - Debian's Linux as PVH from its bzImage, with the lab's initramfs kept
#    up (xb.stay), 2 of 3 vCPUs: its init prints the marker and the command
#    line on `xbuild console`, from the kernel's banner on; it finds
#    xbuild's ACPI tables (RSDP at 0xfc000000; 3 CPUs, 1 hot-pluggable, whose
#    processor device it hot-adds at boot), runs on 2 vCPUs, takes the third
#    on `xbuild vcpu-set` and powers off when asked (control/shutdown): the monitor
#    destroys it (on_poweroff's default; on_crash="preserve" would keep a
#    crash); its --dry-run with acpi=0 plans no tables;
#  - a config of just name, memory and kernel for the 32-bit PAE guest
#    xbtest-x86_32: its --dry-run shows the plan (the shim, automatic);
#    created running in the PV shim with the one-line notice,
#    listed alike by xl and xbuild, its console shows the guest inside the
#    shim (which, told nothing, fails its command-line checks and crashes:
#    on_crash="preserve" keeps it for the destroy); destroyed without a trace;
#  - the same guest with its expectations and no type or shim key
#    (xbtest-autoshim.cfg): all its checks pass inside the shim.
# msr_relaxed=1 on the command line is the lab's (TCG's CPU model), not
# xbuild's: without it the shim faults writing AMD's HWCR MSR.
# Files: xbtest-pvh xbtest-x86_32 xbtest-ramdisk.bin xbtest-pvh.cfg xbtest-autoshim.cfg
. /lab/lib.sh
fail() { echo "xbuild-pvh: FAIL: $*"; xl list; exit 1; }
rows() { "$@" | awk 'NR > 1 { print $1, $2, $3, $4, $5 }'; }
checks_pass() { # LOG MIN: every XBTEST CHECK ok, at least MIN of them, RESULT fail=0
  c=$(grep -c '^XBTEST CHECK ' "$1"); o=$(grep -c '^XBTEST CHECK [a-z_0-9]* ok ' "$1")
  grep -q "^XBTEST RESULT pass=$o fail=0" "$1" && [ "$c" -ge "$2" ] && [ "$c" = "$o" ]
}
no_trace() { # NAME ID: no domain, no xenstore node left
  xl domid "$1" >/dev/null 2>&1 && fail "$1 still exists"
  left=$(xenstore-ls -f / | grep -E "/local/domain/$2(/|\b)|/libxl/$2\b|$1")
  [ -z "$left" ] || { echo "$left"; fail "xenstore nodes of $1 left behind"; }
}

# -- xbtest-pvh: its checks, list, console, destroy --
name=xbtest-pvh
t0=$(lab_ms)
xbuild create -p /lab/files/xbtest-pvh.cfg 'on_poweroff="preserve"' vcpus=2 maxvcpus=3 || fail "create $name"
echo "xbuild create -p $name: $(( $(lab_ms) - t0 )) ms"
id=$(xl domid $name) || fail "xl does not know $name"
[ "$(rows xbuild list)" = "$(rows xl list)" ] || { xbuild list; fail "xbuild list and xl list differ (PVH, paused)"; }
xbuild list --json $name | grep -q '"type": "pvh"' || { xbuild list --json $name; fail "not listed as pvh"; }
xbuild console $name >/tmp/pvh-con.txt 2>&1 &
cpid=$!
sleep 1
xl unpause $name || fail "unpause"
n=0
while ! grep -q 'XBTEST RESULT' /tmp/pvh-con.txt && [ $n -lt 300 ]; do sleep 0.2; n=$((n + 1)); done
tr -d '\r' </tmp/pvh-con.txt >/tmp/pvh.log
cat /tmp/pvh.log
checks_pass /tmp/pvh.log 17 || fail "xbtest-pvh: not every check passed under xbuild"
grep -q '^XBTEST CHECK acpi ok .*MADT 3 LAPICs (2 enabled, ours), Xen 3 vCPUs$' /tmp/pvh.log ||
  fail "xbtest-pvh: want a MADT of 3 local APICs, 2 enabled (vcpus=2, maxvcpus=3)"
echo "xbuild-pvh: xbtest-pvh: $(grep -c '^XBTEST CHECK' /tmp/pvh.log) checks ok, on xbuild console"
n=0
until xbuild list --json $name | grep -q '"shutdown_reason": "poweroff"'; do
  [ $n -lt 50 ] || fail "$name did not power off"; sleep 0.2; n=$((n + 1))
done
[ "$(rows xbuild list)" = "$(rows xl list)" ] || { xbuild list; fail "xbuild list and xl list differ (PVH, shut down)"; }
wait $cpid
xbuild destroy $name || fail "destroy $name"
no_trace $name $id
echo "xbuild-pvh: xbtest-pvh destroyed, nothing left"

# -- Debian's Linux as PVH, straight from its bzImage --
cat >/tmp/linux-pvh.cfg <<'CFG'
name = "linux-pvh"
type = "pvh"
kernel = "/lab/domu/vmlinuz"
ramdisk = "/lab/domu/initrd.cpio.gz"
extra = "console=hvc0 rdinit=/init xbuild-pvh-marker=7 xb.stay"
memory = 128
vcpus = 2
maxvcpus = 3
on_crash = "preserve"
CFG
xbuild create --dry-run /tmp/linux-pvh.cfg acpi=0 >/tmp/noacpi.json || fail "dry run with acpi=0"
grep -q '"rsdp": "0x0"' /tmp/noacpi.json && ! grep -q '"type": "acpi"' /tmp/noacpi.json ||
  { sed -n '/"layout"/,$p' /tmp/noacpi.json; fail "acpi=0: the dry run still plans ACPI tables"; }
t0=$(lab_ms)
xbuild create -p /tmp/linux-pvh.cfg || fail "create linux-pvh"
id=$(xl domid linux-pvh) || fail "xl does not know linux-pvh"
xbuild console linux-pvh >/tmp/linux.txt 2>&1 &
cpid=$!
sleep 1
xl unpause linux-pvh || fail "unpause linux-pvh"
n=0
while ! grep -q '^XB-DOMU-STATE' /tmp/linux.txt && [ $n -lt 600 ]; do sleep 0.2; n=$((n + 1)); done
tr -d '\r' </tmp/linux.txt >/tmp/linux.log
grep -E 'Linux version|XB-DOMU|ACPI: (RSDP|XSDT|FACP|DSDT|APIC) |smpboot: Allowing|Brought up|hot-added' /tmp/linux.log | head -20
head -c 300 /tmp/linux.log | grep -q 'Linux version' || { head -5 /tmp/linux.log; fail "xbuild console missed the kernel's banner"; }
grep -q '^XB-DOMU-OK' /tmp/linux.log || { tail -30 /tmp/linux.log; fail "no XB-DOMU-OK from Linux as PVH"; }
grep -q '^XB-DOMU-CMDLINE .*xbuild-pvh-marker=7' /tmp/linux.log || fail "the command line did not reach Linux"
echo "xbuild-pvh: Linux PVH from the bzImage: marker $(( $(lab_ms) - t0 )) ms after create"
grep -q 'ACPI: RSDP 0x00000000FC000000 000024 (v02 XBUILD)' /tmp/linux.log || fail "Linux did not find xbuild's RSDP"
grep -q 'smpboot: Allowing 3 CPUs, 1 hotplug CPUs' /tmp/linux.log || fail "Linux did not find 3 vCPUs in the MADT, 1 hot-pluggable"
grep -q '^XB-DOMU-INFO .* vcpus=2$' /tmp/linux.log || fail "Linux did not bring up its 2 vCPUs"
grep -q 'CPU2 has been hot-added' /tmp/linux.log || fail "Linux did not take the DSDT's processor device of vCPU 2"
# the third vCPU (-i: the lab's host has fewer CPUs), brought up by Linux
xbuild vcpu-set -i linux-pvh 3 || fail "vcpu-set linux-pvh 3"
n=0
while ! grep -q 'XB-DOMU-STATE cpus=3' /tmp/linux.txt && [ $n -lt 300 ]; do sleep 0.2; n=$((n + 1)); done
grep -q 'XB-DOMU-STATE cpus=3' /tmp/linux.txt || { tail -5 /tmp/linux.txt; fail "Linux did not bring up vCPU 2"; }
echo "xbuild-pvh: Linux PVH took its third vCPU $(( $(lab_ms) - t0 )) ms after create"
# With the tables Linux powers off: the monitor applies on_poweroff (destroy).
# The request is the guest protocol's own node (what xl and xbuild shutdown
# write), so that this checks the guest's poweroff, not a verb.
xenstore-write /local/domain/$id/control/shutdown poweroff || fail "control/shutdown of linux-pvh"
lab_wait_gone linux-pvh 60 || { xl list; tail -5 /tmp/linux.txt; fail "Linux PVH did not power off (or crashed: preserved)"; }
kill $cpid 2>/dev/null; wait $cpid 2>/dev/null
no_trace linux-pvh $id
echo "xbuild-pvh: Linux PVH powered off, destroyed by the monitor $(( $(lab_ms) - t0 )) ms after create"

# -- the 32-bit PAE guest from a config of just name, memory and kernel --
name=xbtest-min
printf 'name = "%s"\nmemory = 32\nkernel = "/lab/files/xbtest-x86_32"\n' $name >/tmp/min.cfg
# the dry run plans what create will do, on this Xen: the shim, said once
xbuild create --dry-run /tmp/min.cfg >/tmp/min.json 2>/tmp/min-dry.err || { cat /tmp/min-dry.err; fail "dry run of $name"; }
grep -q '"automatic": true' /tmp/min.json && grep -q '"path": "/usr/lib/xen-4.17/boot/xen-shim"' /tmp/min.json ||
  { sed -n '/"layout"/,$p' /tmp/min.json; fail "the dry run does not show the PV shim plan"; }
grep -q "Xen has no 32-bit PV; running it in the PV shim" /tmp/min-dry.err || fail "the dry run did not say it"
echo "xbuild-pvh: --dry-run shows the PV shim plan: $(cat /tmp/min-dry.err)"
xbuild create /tmp/min.cfg msr_relaxed=1 'on_crash="preserve"' 2>/tmp/min.err || { cat /tmp/min.err; fail "create $name"; }
cat /tmp/min.err
[ "$(wc -l </tmp/min.err)" = 1 ] && grep -q "^xbuild: .*$name: Xen has no 32-bit PV; running it in the PV shim (/usr/lib/xen-4.17/boot/xen-shim)$" /tmp/min.err ||
  fail "want the one-line notice of the PV shim"
id=$(xl domid $name) || fail "xl does not know $name"
state=$(xl list $name | awk 'NR == 2 { print $5 }')
echo "xbuild-pvh: $name created, state $state"
case $state in *p*|*d*|'') xl list; fail "$name is not running (state '$state')" ;; esac
# the lists compared once the guest has crashed: read while its state
# changes, the two would differ by that alone
n=0
until xl list $name 2>/dev/null | awk 'NR == 2 { print $5 }' | grep -q c || [ $n -ge 150 ]; do
  sleep 0.2; n=$((n + 1))
done
[ "$(rows xbuild list)" = "$(rows xl list)" ] ||
  { xbuild list; xl dmesg | tail -25 | sed 's/^/  /'; fail "xbuild list and xl list differ (shim)"; }
xbuild list --json $name | grep -q '"type": "pvh"' || fail "the shim's domain is not listed as pvh"
timeout 60 xbuild console $name >/tmp/min-con.txt 2>&1 &
cpid=$!
n=0
while ! grep -q 'XBTEST RESULT' /tmp/min-con.txt && [ $n -lt 300 ]; do sleep 0.2; n=$((n + 1)); done
kill $cpid 2>/dev/null; wait $cpid 2>/dev/null
tr -d '\r' </tmp/min-con.txt >/tmp/min-con.log
grep -E '^XBTEST (BEGIN|RESULT)' /tmp/min-con.log || { tail -20 /tmp/min-con.log; fail "xbuild console did not show the guest in the shim"; }
grep -q '^XBTEST BEGIN arch=x86_32p$' /tmp/min-con.log || fail "not the 32-bit PV guest"
xbuild destroy $name || fail "destroy $name"
no_trace $name $id
echo "xbuild-pvh: $name ran in the shim from name, memory and kernel; destroyed, nothing left"

# -- the same guest with its expectations: every check inside the shim --
t0=$(lab_ms)
xbuild create -c /lab/files/xbtest-autoshim.cfg msr_relaxed=1 >/tmp/auto.txt 2>&1 || { tail -20 /tmp/auto.txt; fail "create -c xbtest-autoshim exited $?"; }
tr -d '\r' </tmp/auto.txt >/tmp/auto.log
grep -v '^XBTEST ' /tmp/auto.log | sed 's/^/  /' | head -40
grep '^XBTEST ' /tmp/auto.log
grep -q '^XBTEST BEGIN arch=x86_32p$' /tmp/auto.log || fail "want 'XBTEST BEGIN arch=x86_32p'"
checks_pass /tmp/auto.log 15 || fail "xbtest-x86_32 in the shim: not every check passed"
echo "xbuild-pvh: xbtest-x86_32 passes all its checks in the shim ($(( $(lab_ms) - t0 )) ms)"
lab_wait_gone xbtest-autoshim 20 || fail "xbtest-autoshim not destroyed at poweroff"
echo "xbuild-pvh: PASS"
