#!/bin/sh
# check-example.sh XBUILD EXAMPLE.cfg KERNEL RAMDISK [KEY...]: given a real
# kernel of its kind (a fixture image passed as an override, with a stand-in
# ramdisk), the example passes a full `xbuild create --dry-run`: exit 0, no
# error line, and the JSON shows the spec, the loaded image and a planned
# layout. With KEYs (what xbuild cannot create yet, e.g. disk), the dry run
# must refuse exactly those keys with create's own message and exit 1, as a
# real create would; --config-only still shows the spec.
set -u
xbuild=$1 cfg=$2 kernel=$3 ramdisk=$4
shift 4
out=$("$xbuild" create --dry-run "$cfg" kernel="$kernel" ramdisk="$ramdisk" 2>&1 >/dev/null)
rc=$?
printf '%s\n' "$out"
if [ $# -gt 0 ]; then
  [ $rc -eq 1 ] || { echo "$cfg: exit status $rc, want 1 (create refuses: $*)"; exit 1; }
  for key in "$@"; do
    printf '%s\n' "$out" | grep -q "error: $key: not supported yet by xbuild" ||
      { echo "$cfg: the dry run does not refuse \"$key\" as create does"; exit 1; }
  done
  n=$(printf '%s\n' "$out" | grep -c "error: ")
  [ "$n" -eq $# ] || { echo "$cfg: $n errors, want exactly $# ($*)"; exit 1; }
  "$xbuild" create -q --config-only "$cfg" kernel="$kernel" ramdisk="$ramdisk" | grep -qF '"spec": {' ||
    { echo "$cfg: --config-only shows no spec"; exit 1; }
  echo "$cfg: ok (refuses $*, as create does)"
  exit 0
fi
[ $rc -eq 0 ] || { echo "$cfg: exit status $rc"; exit 1; }
case $out in *"error:"*) echo "$cfg: errors reported"; exit 1 ;; esac
json=$("$xbuild" create -q --dry-run "$cfg" kernel="$kernel" ramdisk="$ramdisk")
for member in '"spec": {' '"image": {' '"layout": {' '"error": null'; do
  printf '%s\n' "$json" | grep -qF "$member" || { echo "$cfg: no $member in the JSON"; exit 1; }
done
echo "$cfg: ok"
