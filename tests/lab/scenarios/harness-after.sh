# Run with --also after a failing scenario: must still run, in the same boot.
echo "harness-after: runs after a failure"
exit 0
