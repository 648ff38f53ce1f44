#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# completion.sh XBUILD COMPLETION: drive the built bash completion of xbuild
# as bash-completion does (COMP_WORDS, COMP_CWORD, COMP_LINE, COMP_POINT) and
# check what it offers. `xbuild list` is answered by a stand-in that lists
# two domains; every other verb is the real XBUILD. Every key offered after
# `create CFG` must be one the built xbuild knows.
set -u
xbuild=$(realpath "$1") completion=$(realpath "$2")
bc=/usr/share/bash-completion/bash_completion
[ -r "$bc" ] || { echo "no $bc (Debian's bash-completion; scripts/setup installs it)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/bin" "$tmp/cwd" "$tmp/cwd/sub"
cat >"$tmp/bin/xbuild" <<EOS
#!/bin/sh
if [ "\$1" = list ]; then
  printf 'Name  ID  Mem VCPUs State Time(s)\nDomain-0  0  1024  1  r-----  5.0\nembox  3  16  1  -b----  0.1\n'
  exit 0
fi
exec "$xbuild" "\$@"
EOS
chmod +x "$tmp/bin/xbuild"
touch "$tmp/cwd/embox.cfg" "$tmp/cwd/vmlinuz"
PATH=$tmp/bin:$PATH
cd "$tmp/cwd" || exit 1

# shellcheck disable=SC1090
. "$bc"
# shellcheck disable=SC1090
. "$completion" || exit 1
declare -F _xbuild >/dev/null || { echo "$completion defines no _xbuild"; exit 1; }

failures=0
# complete LINE: COMPREPLY for the cursor at the end of LINE, sorted, one
# line. COMP_WORDS is split as bash splits it: at blanks and around '='.
complete_line() {
  local line=$1
  COMP_LINE=$line COMP_POINT=${#line}
  read -ra COMP_WORDS <<<"${line//=/ = }"
  [[ $line == *' ' || $line == *= ]] && COMP_WORDS+=("")
  [[ $line == *= ]] && unset 'COMP_WORDS[-1]' # "key=": the cursor is on "="
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _xbuild 2>/dev/null
  printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
}
# expect LINE WANT: the offered words are exactly WANT.
expect() {
  local got
  got=$(complete_line "$1")
  if [ "$got" = "$2" ]; then
    echo "ok: '$1' -> $got"
  else
    echo "FAIL: '$1' -> '$got', expected '$2'"
    failures=$((failures + 1))
  fi
}
# offers LINE WORD...: the offered words include every WORD, none twice.
offers() {
  local line=$1 got w
  shift
  got=" $(complete_line "$line") "
  if [ "$(tr ' ' '\n' <<<"$got" | sed '/^$/d' | sort | uniq -d)" ]; then
    echo "FAIL: '$line' -> '$got' offers a word twice"
    failures=$((failures + 1))
    return
  fi
  for w; do
    if [[ $got != *" $w "* ]]; then
      echo "FAIL: '$line' -> '$got', no '$w'"
      failures=$((failures + 1))
      return
    fi
  done
  echo "ok: '$line' offers $*"
}

expect 'xbuild cr' 'create'
expect 'xbuild ' "--help --version $(xbuild help | awk '/^  [a-z]/ {print $1}' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"
offers 'xbuild ' console create destroy help inspect list
expect 'xbuild --v' '--version'
offers 'xbuild create --' --config-only --dry-run --strict
offers 'xbuild create -' -c -p -q
offers 'xbuild list -' --json -l
offers 'xbuild inspect --' --json
offers 'xbuild console -' -n
expect 'xbuild console --j' ''
expect 'xbuild console -n ' ''
expect 'xbuild destroy ' 'Domain-0 embox'
expect 'xbuild destroy e' 'embox'
expect 'xbuild console -n 2 em' 'embox'
expect 'xbuild list -l ' 'Domain-0 embox'
expect 'xbuild list embox D' 'Domain-0'
expect 'xbuild destroy embox ' ''
expect 'xbuild help de' 'destroy'
expect 'xbuild create em' 'embox.cfg'
expect 'xbuild create -c -q em' 'embox.cfg'
expect 'xbuild create -f em' 'embox.cfg'
expect 'xbuild create -f embox.cfg mem' 'memory='
expect 'xbuild inspect vm' 'vmlinuz'
offers 'xbuild create ' embox.cfg sub
expect 'xbuild create embox.cfg mem' 'memory='
expect 'xbuild create -c embox.cfg on_cr' 'on_crash='
expect 'xbuild create embox.cfg memory=64 ker' 'kernel='
expect 'xbuild create embox.cfg on_crash=pre' 'preserve'
expect 'xbuild create embox.cfg on_reboot=' 'coredump-destroy coredump-restart destroy preserve rename-restart restart soft-reset'
expect 'xbuild create embox.cfg type=' 'pv pvh'
expect 'xbuild create embox.cfg kernel=vm' 'vmlinuz'
offers 'xbuild create embox.cfg ' name= kernel= ramdisk= memory= vcpus= on_crash= disk= vif=

# Every key offered is one the parser knows (an unknown one gets a warning).
echo 'name = "k"' >k.cfg
keys=$(complete_line 'xbuild create k.cfg ')
n=0
for k in $keys; do
  if "$xbuild" create --config-only k.cfg "${k}0" 2>&1 >/dev/null | grep -q 'unknown key'; then
    echo "FAIL: xbuild does not know the offered key ${k%=}"
    failures=$((failures + 1))
  fi
  n=$((n + 1))
done
[ $n -ge 50 ] || { echo "FAIL: only $n keys offered"; failures=$((failures + 1)); }
echo "$n keys offered, each known to xbuild"
[ $failures -eq 0 ] || { echo "$failures failed"; exit 1; }
