#!/bin/sh
# check-example.sh XBUILD EXAMPLE.cfg KERNEL RAMDISK: the example passes a full
# `xbuild create --dry-run` given a real kernel of its kind (a fixture image
# passed as an override, with a stand-in ramdisk): exit 0, no error line, and
# the JSON shows the spec, the loaded image and a planned layout.
set -u
xbuild=$1 cfg=$2 kernel=$3 ramdisk=$4
out=$("$xbuild" create --dry-run "$cfg" kernel="$kernel" ramdisk="$ramdisk" 2>&1 >/dev/null)
rc=$?
printf '%s\n' "$out"
[ $rc -eq 0 ] || { echo "$cfg: exit status $rc"; exit 1; }
case $out in *"error:"*) echo "$cfg: errors reported"; exit 1 ;; esac
json=$("$xbuild" create -q --dry-run "$cfg" kernel="$kernel" ramdisk="$ramdisk")
for member in '"spec": {' '"image": {' '"layout": {'; do
  printf '%s\n' "$json" | grep -qF "$member" || { echo "$cfg: no $member in the JSON"; exit 1; }
done
echo "$cfg: ok"
