#!/bin/sh
# check-example.sh XBUILD EXAMPLE.cfg KERNELS_DIR: the example passes
# `xbuild create --dry-run` given a kernel and ramdisk (stand-ins from
# KERNELS_DIR, passed as overrides), printing no error and a "spec" object.
set -u
xbuild=$1 cfg=$2 k=$3
out=$("$xbuild" create --dry-run "$cfg" kernel="$k/vmlinuz" ramdisk="$k/initrd.img" 2>&1 >/dev/null)
rc=$?
printf '%s\n' "$out"
[ $rc -eq 0 ] || { echo "$cfg: exit status $rc"; exit 1; }
case $out in *"error:"*) echo "$cfg: errors reported"; exit 1 ;; esac
"$xbuild" create -q --dry-run "$cfg" kernel="$k/vmlinuz" ramdisk="$k/initrd.img" |
  grep -q '"spec": {' || { echo "$cfg: no spec in the JSON"; exit 1; }
echo "$cfg: ok"
