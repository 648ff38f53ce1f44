#!/bin/sh
# check-example.sh PYTHON XBTEST-FILES.PY RAMDISK EXAMPLE.cfg: regenerate the
# example config from the built ramdisk and fail on any difference, so the
# committed examples/configs/xbtest.cfg always states the right expectations.
set -eu
py=$1 gen=$2 rd=$3 example=$4
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
"$py" "$gen" config --example --kernel xbtest-x86_64 \
  --ramdisk xbtest-ramdisk.bin --ramdisk-file "$rd" --out "$tmp"
diff -u "$example" "$tmp"
echo "$example: matches $rd"
