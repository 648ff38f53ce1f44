#!/bin/sh
# SPDX-License-Identifier: MIT
# install.sh BUILD_DIR EXPECTED VERSION BINDIR LIBDIR INCLUDEDIR MANDIR DATADIR
# (absolute dirs): `meson install --destdir` installs exactly the files of
# EXPECTED (installed-files.txt), the library with its soname and symlinks,
# a binary with no run path into the build tree, and a libbuilder.pc of this
# version.
set -eu
build=$1 expected=$2 version=$3 bindir=$4 libdir=$5 includedir=$6 mandir=$7 datadir=$8
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/root
meson install -C "$build" --no-rebuild --quiet --destdir "$dest" >/dev/null

grep -v '^#' "$expected" | sed -e "s|{bindir}|$bindir|" -e "s|{libdir}|$libdir|" \
  -e "s|{includedir}|$includedir|" -e "s|{mandir}|$mandir|" -e "s|{datadir}|$datadir|" \
  -e "s|{version}|$version|g" | LC_ALL=C sort >"$tmp/expected"
(cd "$dest" && find . ! -type d | sed 's|^\.||' | LC_ALL=C sort | while read -r f; do
  if [ -L "./$f" ]; then echo "$f -> $(readlink "./$f")"; else echo "$f"; fi
done) >"$tmp/installed"
if ! diff -u "$tmp/expected" "$tmp/installed"; then
  echo "installed files differ from $expected (- expected, + installed)"
  exit 1
fi
echo "$(wc -l <"$tmp/installed") files installed as expected"

lib=$dest$libdir/libbuilder.so.$version
soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = libbuilder.so.0 ] || { echo "SONAME of libbuilder is \"$soname\""; exit 1; }
for f in "$dest$bindir/xbuild" "$lib"; do
  if readelf -d "$f" | grep -E '\((RUNPATH|RPATH)\)'; then
    echo "$f keeps a run path"
    exit 1
  fi
done
pcv=$(PKG_CONFIG_PATH="$dest$libdir/pkgconfig" pkg-config --modversion libbuilder)
[ "$pcv" = "$version" ] || { echo "libbuilder.pc says version $pcv, not $version"; exit 1; }
for f in "$dest$mandir"/man*/*; do
  [ -s "$f" ] || { echo "$f is empty"; exit 1; }
done
echo "soname libbuilder.so.0, no run path, libbuilder.pc version $pcv"
