#!/bin/sh
# SPDX-License-Identifier: MIT
# consumer.sh BUILD_DIR LIBDIR INCLUDEDIR CC CONSUMER.c (absolute dirs):
# install the build into a scratch DESTDIR and build against it, from a
# directory outside the tree, with nothing but
# `pkg-config --cflags --libs libbuilder`:
#   - each installed public header alone (it must be self-contained),
#   - consumer.c (every header, a few calls), which is then run,
#   - the EXAMPLES program of the installed libbuilder(3), linked, not run.
# shellcheck disable=SC2086 # $cc, $strict and $flags are lists of words
set -eu
build=$1 libdir=$2 includedir=$3 cc=$4 src=$5
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/root
meson install -C "$build" --no-rebuild --quiet --destdir "$dest" >/dev/null

export PKG_CONFIG_PATH="$dest$libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dest"
pc=$(pkg-config --variable=pcfiledir libbuilder)
[ "$pc" = "$dest$libdir/pkgconfig" ] || { echo "pkg-config found libbuilder.pc in $pc"; exit 1; }
flags=$(pkg-config --cflags --libs libbuilder)
echo "pkg-config --cflags --libs libbuilder: $flags"
cd "$tmp"
strict="-std=c11 -Wall -Wextra -Werror"

n=0
for h in "$dest$includedir"/xbuild/*.h; do
  name=xbuild/${h##*/}
  printf '#include <%s>\n' "$name" >one.c
  $cc $strict -c one.c -o one.o $flags || { echo "$name does not compile alone"; exit 1; }
  n=$((n + 1))
done
[ $n -ge 5 ] || { echo "only $n public headers installed"; exit 1; }
for h in "$dest$includedir"/xbuild/*.h; do
  grep -q "^#include <xbuild/${h##*/}>" "$src" \
    || { echo "consumer.c does not include xbuild/${h##*/}"; exit 1; }
done
echo "$n headers compile alone"

cp "$src" consumer.c
$cc $strict -o consumer consumer.c $flags
LD_LIBRARY_PATH="$dest$libdir" ./consumer
# The program must have run against the installed library, not another one.
LD_LIBRARY_PATH="$dest$libdir" ldd ./consumer | grep -F "$dest$libdir/libbuilder.so.0" >/dev/null \
  || { echo "consumer did not load $dest$libdir/libbuilder.so.0"; exit 1; }

man=$(find "$dest" -name libbuilder.3)
{
  printf '#include <err.h>\n#include <stdint.h>\n#include <stdlib.h>\n'
  printf '#include <xbuild/builder.h>\n#include <xbuild/config.h>\n\n'
  printf 'int main(void)\n{\n'
  sed -n '/^\.EX$/,/^\.EE$/{/^\.E[XE]$/d;p}' "$man" \
    | sed -e 's/\\-/-/g' -e 's/\\(aq/'"'"'/g' -e 's/\\e/\\/g' -e 's/\\&//g'
  printf '    return 0;\n}\n'
} >example.c
grep -q 'xb_' example.c || { echo "no EXAMPLES program in $man"; exit 1; }
if grep -n '\\' example.c | grep -v '\\n' >/dev/null; then
  echo "libbuilder.3 EXAMPLES: a roff escape this test does not translate:"
  grep -n '\\' example.c
  exit 1
fi
$cc $strict -o example example.c $flags \
  || { echo "the EXAMPLES program of libbuilder(3) does not build:"; cat -n example.c; exit 1; }
echo "libbuilder(3) EXAMPLES program builds against the installed tree"
