# The harness must fail a scenario during which a process in dom0 died of
# a fault, and name it, even when the scenario exits 0 (a monitor's worker
# that dies so is restarted unseen).
echo "harness-fault: a process that faults"
./fault
echo "harness-fault: it exited $?; the scenario exits 0"
exit 0
