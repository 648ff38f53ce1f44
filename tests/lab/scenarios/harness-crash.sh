# The harness must notice a machine that dies under the scenario (here dom0
# panics, Xen reboots, qemu -no-reboot exits) and fail with 125.
echo "harness-crash: crashing dom0"
echo c >/proc/sysrq-trigger
sleep 1000
