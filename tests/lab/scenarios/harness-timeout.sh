# The harness must stop a lab that never finishes and fail.
echo "harness-timeout: sleeping forever"
while :; do sleep 1000; done
