# The harness must hand a scenario's exit status back to the host.
echo "harness-fail: output reaches the host"
exit 3
