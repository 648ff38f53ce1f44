#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# deb.sh SOURCE_DIR VERSION: build the Debian packages from a clean copy of
# the tree (the files git tracks, as they are in the work tree: no build
# directories, no lab cache, no untracked files) with `dpkg-buildpackage -us -uc -b`, check what
# each package holds, that their dependencies can be met on this system
# (dpkg --no-act -i), unpack them into a scratch root (dpkg -x) and run the
# installed xbuild from there; then lintian on them and on the source package
# (dpkg-source -b), which must report no error or warning that
# debian/**/lintian-overrides does not explain.
# The package's own build runs no tests (nocheck): the other suites do.
set -euo pipefail
src=$1 version=$2
unset LD_LIBRARY_PATH # meson test's, pointing at build/: not for the package
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "deb: $*"; exit 1; }

tree=$tmp/xbuild-$version
mkdir "$tree"
git -C "$src" rev-parse --git-dir >/dev/null 2>&1 || fail "$src is not a git work tree"
(cd "$src" && git ls-files -z --cached) \
  | (cd "$src" && xargs -0 sh -c 'for f; do { [ -e "$f" ] || [ -L "$f" ]; } && printf "%s\0" "$f"; done' sh) \
  | tar -C "$src" --null -T - -cf - | tar -C "$tree" -xf -
[ -x "$tree/debian/rules" ] || fail "no debian/rules in the copy of $src"
[ ! -e "$tree/build" ] || fail "the copy holds a build directory"
changelog=$(cd "$tree" && dpkg-parsechangelog -S Version)
[ "$changelog" = "$version" ] \
  || fail "debian/changelog is at $changelog, meson.build at $version: add a changelog entry"

(cd "$tmp" && dpkg-source -b "$(basename "$tree")") >"$tmp/source.log" 2>&1 \
  || { cat "$tmp/source.log"; fail "dpkg-source -b failed"; }
start=$(date +%s)
if ! (cd "$tree" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
      dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1; then
  tail -n 60 "$tmp/build.log"
  fail "dpkg-buildpackage failed"
fi
echo "dpkg-buildpackage -us -uc -b: $(($(date +%s) - start)) s"
grep -E '^(dpkg-gensymbols|dh_[a-z_]+): (warning|error)' "$tmp/build.log" || true
# A function of the public headers that the library exports must be listed
# in debian/libbuilder0.symbols (dpkg-gensymbols itself fails when a listed
# one disappears). Other exported names are shown, not failed on.
extra=() missing=()
for s in $(sed -n 's/^+ \([A-Za-z0-9_]*\)@.*/\1/p' "$tmp/build.log"); do
  if grep -qE "\b$s\s*\(" "$tree"/include/xbuild/*.h; then
    missing+=("$(grep -m1 "^+ $s@" "$tmp/build.log" | sed 's/^+//')")
  else
    extra+=("$s")
  fi
done
if [ ${#missing[@]} -ne 0 ]; then
  echo "public functions (include/xbuild/) missing from debian/libbuilder0.symbols;"
  echo "add these lines (the version is the first one that has the function):"
  printf '%s\n' "${missing[@]}"
  fail "debian/libbuilder0.symbols is incomplete"
fi
[ ${#extra[@]} -eq 0 ] || echo "exported, not in include/xbuild/: ${#extra[@]} (${extra[*]:0:3} ...)"

arch=$(dpkg-architecture -qDEB_HOST_ARCH)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
debs=()
for p in xbuild libbuilder0 libbuilder-dev; do
  deb=$tmp/${p}_${version}_$arch.deb
  [ -f "$deb" ] || fail "no $(basename "$deb")"
  debs+=("$deb")
done
# holds PACKAGE PATH...: the package has each path (its listing, ./ dropped).
holds() {
  local p=$1 list
  shift
  list=$(dpkg-deb -c "$tmp/${p}_${version}_$arch.deb" | awk '{print $6}' | sed 's|^\.||')
  for f; do
    grep -qxF "$f" <<<"$list" || fail "$p lacks $f"
  done
}
lib=/usr/lib/$multiarch
holds xbuild /usr/bin/xbuild /usr/share/bash-completion/completions/xbuild \
  /usr/share/man/man1/xbuild.1.gz /usr/share/man/man5/xbuild.cfg.5.gz \
  /usr/share/doc/xbuild/copyright /usr/share/doc/xbuild/examples/embox.cfg
holds libbuilder0 "$lib/libbuilder.so.0" "$lib/libbuilder.so.$version"
holds libbuilder-dev "$lib/libbuilder.so" "$lib/pkgconfig/libbuilder.pc" \
  /usr/include/xbuild/builder.h /usr/include/xbuild/config.h \
  /usr/share/man/man3/libbuilder.3.gz
deps=$(dpkg-deb -f "$tmp/xbuild_${version}_$arch.deb" Depends)
grep -q "libbuilder0 (>= $version)" <<<"$deps" || fail "xbuild Depends: $deps (no libbuilder0)"
echo "xbuild Depends: $deps"
deps=$(dpkg-deb -f "$tmp/libbuilder0_${version}_$arch.deb" Depends)
grep -q "libxen" <<<"$deps" || fail "libbuilder0 Depends: $deps (no libxen: built without the Xen backend?)"
echo "libbuilder0 Depends: $deps"
# What the library opens when first needed (lib/builder/image/dl.h) is no
# NEEDED entry for shlibs: debian/control must name its packages.
for p in $(sed -n 's/^LIB([a-z0-9]*, "[^"]*", "\([^"]*\)".*/\1/p' "$tree/lib/builder/image/decompress.c") libxenmisc; do
  grep -q "\b$p" <<<"$deps" || fail "libbuilder0 Depends: $deps (no $p, which libbuilder opens with dlopen)"
done
dpkg --no-act -i "${debs[@]}" >"$tmp/noact.log" 2>&1 \
  || { cat "$tmp/noact.log"; fail "dpkg --no-act -i: the packages cannot be installed here"; }

root=$tmp/root
for deb in "${debs[@]}"; do dpkg -x "$deb" "$root"; done
xb() { LD_LIBRARY_PATH="$root$lib" "$root/usr/bin/xbuild" "$@"; }
libs=$(LD_LIBRARY_PATH="$root$lib" ldd "$root/usr/bin/xbuild") # no grep -q | pipefail: SIGPIPE
grep -qF "$root$lib/libbuilder.so.0" <<<"$libs" \
  || fail "the unpacked xbuild does not load the unpacked libbuilder.so.0: $libs"
out=$(xb --version)
[ "$out" = "xbuild $version" ] || fail "xbuild --version says \"$out\""
echo "installed xbuild --version: $out"
printf 'name = "tiny"\nkernel = "vmlinuz"\nmemory = 32\non_crash = "preserve"\n' >"$tmp/tiny.cfg"
: >"$tmp/vmlinuz"
json=$(xb create --config-only "$tmp/tiny.cfg" vcpus=2)
for want in '"name": "tiny"' '"memory_mib": 32' '"vcpus": 2' '"on_crash": "preserve"'; do
  grep -qF "$want" <<<"$json" || { echo "$json"; fail "create --config-only: no $want"; }
done
echo "installed xbuild create --config-only: ok"
if xb create --config-only "$tmp/tiny.cfg" memory=lots 2>"$tmp/err"; then
  fail "create --config-only accepted memory=lots"
fi
grep -q 'memory' "$tmp/err" || fail "create --config-only memory=lots: $(cat "$tmp/err")"

start=$(date +%s)
changes=$tmp/xbuild_${version}_$arch.changes
lintian --fail-on error,warning --display-info --pedantic "$changes" "$tmp/xbuild_$version.dsc" >"$tmp/lintian.log" 2>&1 || lrc=$?
echo "lintian ($(($(date +%s) - start)) s):"
sed 's/^/  /' "$tmp/lintian.log"
[ "${lrc:-0}" -eq 0 ] || fail "lintian: a tag that debian/*lintian-overrides does not explain"
echo "deb: ok"
