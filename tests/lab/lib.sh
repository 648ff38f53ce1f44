# Shared by tests/lab/{fetch,run,shell} and bench/lab-create (sourced, bash).
#
# The lab: Debian's Xen 4.17 hypervisor with Debian's Linux kernel as PV dom0,
# booted by qemu (TCG) from .debs fetched with `apt-get download` into
# tests/lab/cache/ and unpacked with `dpkg -x`. Nothing Xen-related is
# installed on the host.
#
# Cache layout (tests/lab/cache/, gitignored):
#   debs/                  the downloaded .debs
#   root/                  all of them unpacked (dpkg -x)
#   xen.elf                the uncompressed hypervisor (qemu's multiboot loader)
#   vmlinuz                Debian's Linux bzImage (the PV domU kernel)
#   dom0-vmlinux           its ELF vmlinux, the dom0 kernel (boots faster)
#   vmlinux                -> dom0-vmlinux: an ELF kernel for PVH domUs (pass it
#                          to tests/lab/run as a FILE: /lab/files/vmlinux)
#   domu-initrd.cpio.gz    busybox initramfs: prints XB-DOMU-OK, powers off
#   dom0-base.cpio.gz      dom0 initramfs without the per-run overlay
# Per-run files go to tests/lab/work/ (gitignored), one mktemp dir per run.

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_TOP=$(cd "$LAB_DIR/../.." && pwd)
LAB_CACHE=${XB_LAB_CACHE:-$LAB_DIR/cache}
LAB_WORK=$LAB_DIR/work
# What this copy of lib.sh builds depends on its text as read now (a run that
# sourced an older lib.sh must not pass its output off as current).
LAB_LIB_HASH=$(sha1sum <"${BASH_SOURCE[0]}" | cut -c1-40)
LAB_XEN_PKGS=(xen-hypervisor-4.17-amd64 xen-utils-4.17 xen-utils-common
  xenstore-utils libxenmisc4.17 libxencall1 libxenevtchn1 libxenforeignmemory1
  libxengnttab1 libxenstore4 libxentoollog1 libxentoolcore1 libxenhypfs1
  libxendevicemodel1 libyajl2 libgcc-s1)
# Dom0 modules the toolstack needs (built as modules in Debian's kernel).
LAB_MODULES=(xen-evtchn xen-privcmd xenfs xen-gntdev xen-gntalloc)
# Xen binaries copied into dom0 (from /usr/lib/xen-4.17/bin).
LAB_XEN_BINS=(xl xenstored xenconsoled xenconsole xen-init-dom0
  libxl-save-helper xenstore-control)
LAB_XEN_ARGS="console=com1 com1=115200,8n1 dom0_mem=512M,max:512M dom0_max_vcpus=1 loglvl=warning guest_loglvl=warning"
LAB_DOM0_ARGS="console=hvc0 earlyprintk=xen rdinit=/init loglevel=3"

lab_die() { echo "lab: $*" >&2; exit 126; }
lab_log() { [ "${LAB_QUIET:-0}" = 1 ] || echo "lab: $*" >&2; }

# The linux-image-X.Y.Z-N-amd64 package linux-image-amd64 points at.
lab_kernel_pkg() {
  apt-cache depends linux-image-amd64 2>/dev/null |
    awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }'
}

lab_apt_ready() {
  apt-cache show xen-hypervisor-4.17-amd64 >/dev/null 2>&1 && [ -n "$(lab_kernel_pkg)" ]
}

lab_download() { # packages...
  mkdir -p "$LAB_CACHE/debs"
  (cd "$LAB_CACHE/debs" &&
    apt-get download -q -o APT::Sandbox::User=root "$@" >/dev/null) ||
    lab_die "apt-get download $* failed"
}

# Download and unpack every .deb once; stamp records the exact package list.
lab_fetch_debs() {
  local stamp="$LAB_CACHE/debs.stamp"
  if [ "${LAB_REFRESH:-0}" != 1 ] && [ -s "$stamp" ] && [ -d "$LAB_CACHE/root" ]; then
    return 0 # cached; tests/lab/fetch --refresh looks for newer packages
  fi
  if ! lab_apt_ready; then
    lab_log "apt lists missing, running apt-get update"
    apt-get update -qq >/dev/null 2>&1 || true
    lab_apt_ready || lab_die "apt cannot see xen-hypervisor-4.17-amd64 / linux-image-amd64"
  fi
  local pkgs
  # pkg=version for each package apt would download now
  pkgs=$(apt-cache policy "${LAB_XEN_PKGS[@]}" "$(lab_kernel_pkg)" |
    awk '/^[^ ].*:$/ { p = substr($1, 1, length($1) - 1) }
         $1 == "Candidate:" { printf "%s=%s ", p, $2 }')
  [ -n "$pkgs" ] && [ "${pkgs#*=(none)}" = "$pkgs" ] || lab_die "apt has no candidate among: $pkgs"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$pkgs" ] && [ -d "$LAB_CACHE/root" ]; then
    return 0
  fi
  lab_log "fetching $(wc -w <<<"$pkgs") packages into $LAB_CACHE/debs"
  rm -rf "$LAB_CACHE/debs" "$LAB_CACHE/root"
  # shellcheck disable=SC2086
  lab_download $pkgs
  mkdir -p "$LAB_CACHE/root"
  local d
  for d in "$LAB_CACHE"/debs/*.deb; do
    dpkg -x "$d" "$LAB_CACHE/root" || lab_die "dpkg -x $d failed"
  done
  echo "$pkgs" >"$stamp"
}

lab_kver() { basename "$(ls -d "$LAB_CACHE"/root/lib/modules/*/ | head -1)"; }

# xen.elf and the stable vmlinuz path.
lab_fetch_images() {
  local kver
  kver=$(lab_kver)
  [ -n "$kver" ] || lab_die "no kernel modules in $LAB_CACHE/root"
  if [ ! -s "$LAB_CACHE/xen.elf" ] || [ "$LAB_CACHE/root/boot/xen-4.17-amd64.gz" -nt "$LAB_CACHE/xen.elf" ]; then
    gunzip -c "$LAB_CACHE/root/boot/xen-4.17-amd64.gz" >"$LAB_CACHE/xen.elf.tmp" &&
      mv "$LAB_CACHE/xen.elf.tmp" "$LAB_CACHE/xen.elf" || lab_die "cannot unpack xen"
  fi
  ln -sfn "root/boot/vmlinuz-$kver" "$LAB_CACHE/vmlinuz"
  [ -s "$LAB_CACHE/vmlinuz" ] || lab_die "no vmlinuz-$kver in the kernel package"
  ln -sfn dom0-vmlinux "$LAB_CACHE/vmlinux"
  lab_stale "$LAB_CACHE/dom0-vmlinux" "$LAB_CACHE/vmlinuz" || return 0
  lab_vmlinux "$LAB_CACHE/vmlinuz" "$LAB_CACHE/dom0-vmlinux.tmp" &&
    mv "$LAB_CACHE/dom0-vmlinux.tmp" "$LAB_CACHE/dom0-vmlinux" ||
    lab_die "cannot unpack the ELF kernel from $LAB_CACHE/vmlinuz"
  lab_built "$LAB_CACHE/dom0-vmlinux" "$LAB_CACHE/vmlinuz"
}

# The ELF vmlinux inside bzImage $1, into $2. Xen boots it as dom0 4-6 s
# faster under TCG than the bzImage, whose payload it would decompress itself.
lab_vmlinux() {
  local k=$1 ss po pl magic
  rd() { od -An -t "u$2" -j "$1" -N "$2" "$k" | tr -d ' '; }
  ss=$(rd $((0x1f1)) 1) po=$(rd $((0x248)) 4) pl=$(rd $((0x24c)) 4)
  payload() { tail -c +$(((ss + 1) * 512 + po + 1)) "$k" | head -c "$pl"; }
  magic=$(payload | od -An -tx1 -N 4 | tr -d ' ')
  case $magic in
  fd377a58) payload | xz -dc --single-stream ;;
  1f8b*) payload | gzip -dc ;;
  28b52ffd) payload | zstd -qdc ;;
  02214c18) payload | lz4 -dc ;;
  *) echo "lab: unknown kernel payload magic $magic" >&2; return 1 ;;
  esac >"$2" 2>/dev/null || [ -s "$2" ] || return 1
  [ "$(od -An -c -N 4 "$2" | tr -d ' ')" = '177ELF' ]
}

# cpio (newc) of directory $1 into file $2, gzip'ed if $3 = gz.
lab_cpio() {
  local tmp="$2.tmp.$$"
  if [ "${3:-}" = gz ]; then
    (cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -1) >"$tmp"
  else
    (cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$tmp"
  fi || lab_die "cpio of $1 failed"
  mv "$tmp" "$2"
}

# Is $1 missing or built from other inputs than the files $2...? The key
# (this lib.sh and the inputs' contents) is kept in $1.key; lab_built saves it.
lab_key() {
  shift
  { echo "$LAB_LIB_HASH"; cat "$@"; } | sha1sum | cut -c1-40
}
lab_stale() {
  [ -s "$1" ] && [ -f "$1.key" ] && [ "$(cat "$1.key")" = "$(lab_key "$@")" ] && return 1
  return 0
}
lab_built() { lab_key "$@" >"$1.key"; }

lab_busybox() {
  local bb
  bb=$(command -v busybox) || lab_die "busybox not found (apt-get install busybox-static)"
  file -L "$bb" | grep -q 'statically linked' || lab_die "$bb is not static (install busybox-static)"
  echo "$bb"
}

lab_domu_initrd() {
  local out="$LAB_CACHE/domu-initrd.cpio.gz" bb
  bb=$(lab_busybox)
  local inputs=("$LAB_DIR/domu-init" "$bb")
  lab_stale "$out" "${inputs[@]}" || return 0
  local d
  d=$(mktemp -d "$LAB_CACHE/domu.XXXXXX")
  mkdir -p "$d/bin" "$d/proc" "$d/sys" "$d/dev"
  cp "$bb" "$d/bin/busybox"
  install -m 755 "$LAB_DIR/domu-init" "$d/init"
  lab_cpio "$d" "$out" gz
  lab_built "$out" "${inputs[@]}"
  rm -rf "$d"
}

# Copy ELF files $3... and every library they need into tree $1, libraries
# under $1/$2. Host libraries come from the host (same Debian release);
# Xen's own from the unpacked .debs, which take precedence.
lab_copy_elf() {
  local root=$1 libdir=$2 f lib
  shift 2
  local lp="$LAB_CACHE/root/usr/lib/x86_64-linux-gnu:$LAB_CACHE/root/lib/x86_64-linux-gnu"
  mkdir -p "$root/$libdir"
  for f in "$@"; do
    LD_LIBRARY_PATH="$lp${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" ldd "$f" >"$root/.ldd" 2>&1 ||
      lab_die "ldd $f failed: $(cat "$root/.ldd")"
    if grep -q 'not found' "$root/.ldd"; then
      lab_die "$f: missing libraries: $(grep 'not found' "$root/.ldd" | tr -s ' \t\n' ' ')"
    fi
    for lib in $(awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' "$root/.ldd"); do
      case $lib in
      */ld-linux-x86-64.so.2) mkdir -p "$root/lib64" && cp -L "$lib" "$root/lib64/ld-linux-x86-64.so.2" ;;
      *) cp -L "$lib" "$root/$libdir/$(basename "$lib")" ;;
      esac
    done
  done
  rm -f "$root/.ldd"
}

# The dom0 initramfs minus the per-run overlay.
lab_dom0_base() {
  local out="$LAB_CACHE/dom0-base.cpio.gz" bb kver
  bb=$(lab_busybox)
  kver=$(lab_kver)
  local inputs=("$LAB_DIR/dom0-init" "$LAB_DIR/dom0-lib.sh" "$LAB_CACHE/debs.stamp"
    "$LAB_CACHE/domu-initrd.cpio.gz.key" "$bb")
  lab_stale "$out" "${inputs[@]}" || return 0
  lab_log "building the dom0 initramfs"
  local d x m ko
  d=$(mktemp -d "$LAB_CACHE/dom0.XXXXXX")
  mkdir -p "$d"/{bin,sbin,etc,proc,sys,dev,tmp,run,root,lab/domu,lib/modules/xen,usr/lib/x86_64-linux-gnu}
  mkdir -p "$d"/var/{lib/xen,lib/xenstored,log/xen/console} "$d/run/xen"
  ln -s ../run "$d/var/run"
  cp "$bb" "$d/bin/busybox"
  install -m 755 "$LAB_DIR/dom0-init" "$d/init"
  install -m 644 "$LAB_DIR/dom0-lib.sh" "$d/lab/lib.sh"
  local xb="$LAB_CACHE/root/usr/lib/xen-4.17/bin"
  mkdir -p "$d/usr/lib/xen-4.17/bin"
  for x in "${LAB_XEN_BINS[@]}"; do
    cp "$xb/$x" "$d/usr/lib/xen-4.17/bin/$x"
    lab_copy_elf "$d" usr/lib/x86_64-linux-gnu "$xb/$x"
  done
  mkdir -p "$d/usr/bin"
  # GNU date for lab_ms (busybox date has no %N)
  cp "$(command -v date)" "$d/usr/bin/gdate"
  lab_copy_elf "$d" usr/lib/x86_64-linux-gnu "$d/usr/bin/gdate"
  cp "$LAB_CACHE/root/usr/bin/xenstore" "$d/usr/bin/xenstore"
  for x in read write ls list rm exists watch chmod; do ln -s xenstore "$d/usr/bin/xenstore-$x"; done
  lab_copy_elf "$d" usr/lib/x86_64-linux-gnu "$LAB_CACHE/root/usr/bin/xenstore"
  cp -L "$LAB_CACHE/root/lib/x86_64-linux-gnu/libgcc_s.so.1" "$d/usr/lib/x86_64-linux-gnu/"
  cp -a "$LAB_CACHE/root/etc/xen" "$d/etc/xen"
  for m in "${LAB_MODULES[@]}"; do
    ko=$(find "$LAB_CACHE/root/lib/modules/$kver" -name "$m.ko*" | head -1)
    [ -n "$ko" ] || lab_die "module $m not found in the kernel package"
    case $ko in
    *.xz) xz -dc "$ko" >"$d/lib/modules/xen/$m.ko" ;;
    *.zst) zstd -qdc "$ko" >"$d/lib/modules/xen/$m.ko" ;;
    *.gz) gzip -dc "$ko" >"$d/lib/modules/xen/$m.ko" ;;
    *) cp "$ko" "$d/lib/modules/xen/$m.ko" ;;
    esac
  done
  ln -s "../lab/domu/vmlinuz" "$d/root/vmlinuz"
  cp -L "$LAB_CACHE/vmlinuz" "$d/lab/domu/vmlinuz"
  cp "$LAB_CACHE/domu-initrd.cpio.gz" "$d/lab/domu/initrd.cpio.gz"
  # Xen's PV shim, where xl looks for it (type="pvh" + pvshim=1)
  install -D -m 644 "$LAB_CACHE/root/usr/lib/xen-4.17/boot/xen-shim" "$d/usr/lib/xen-4.17/boot/xen-shim"
  cat >"$d/lab/domu/linux-pv.cfg" <<'EOF'
# Debian's Linux as a PV domU with the lab's busybox initramfs.
name = "linux-pv"
type = "pv"
kernel = "/lab/domu/vmlinuz"
ramdisk = "/lab/domu/initrd.cpio.gz"
extra = "console=hvc0 rdinit=/init"
memory = 128
vcpus = 1
on_poweroff = "destroy"
on_crash = "destroy"
EOF
  echo "root:x:0:0:root:/root:/bin/sh" >"$d/etc/passwd"
  echo "root:x:0:" >"$d/etc/group"
  lab_cpio "$d" "$out" gz
  lab_built "$out" "${inputs[@]}"
  rm -rf "$d"
}

# Everything a boot needs, built or reused; safe to run concurrently.
lab_prepare() {
  mkdir -p "$LAB_CACHE" "$LAB_WORK"
  exec 9>"$LAB_CACHE/.lock"
  flock 9
  lab_fetch_debs
  lab_fetch_images
  lab_domu_initrd
  lab_dom0_base
  flock -u 9
  exec 9>&-
}

lab_check_host() {
  command -v qemu-system-x86_64 >/dev/null || lab_die "qemu-system-x86_64 not found (scripts/setup installs it)"
  command -v cpio >/dev/null || lab_die "cpio not found (scripts/setup installs it)"
  command -v apt-get >/dev/null || lab_die "apt-get not found: the lab fetches Debian packages"
}

# Per-run overlay: xbuild + libbuilder from build dir $2 (if built), the
# scenarios in array LAB_SCENARIOS (none: interactive shell), files $3...;
# written to cpio file $1.
lab_overlay() {
  local out=$1 build=$2 f i=0
  shift 2
  local d
  d=$(mktemp -d "$LAB_WORK/overlay.XXXXXX")
  mkdir -p "$d/lab/files" "$d/lab/bin" "$d/lab/lib"
  if [ -x "$build/tools/xbuild/xbuild" ]; then
    cp "$build/tools/xbuild/xbuild" "$d/lab/bin/xbuild"
    lab_copy_elf "$d" lab/lib "$build/tools/xbuild/xbuild"
    for f in "$build"/lib/libbuilder.so*; do
      [ -f "$f" ] && cp -L "$f" "$d/lab/lib/$(basename "$f")"
    done
  else
    lab_log "no xbuild in $build (run scripts/build): dom0 will have xl only"
  fi
  mkdir -p "$d/lab/scenarios"
  for f in "${LAB_SCENARIOS[@]}"; do
    i=$((i + 1))
    install -m 755 "$f" "$d/lab/scenarios/$(printf %02d $i)-$(basename "$f")"
  done
  for f in "$@"; do # symlinks followed: dom0 gets the files themselves
    cp -RL --preserve=mode,timestamps "$f" "$d/lab/files/" || lab_die "cannot copy $f"
  done
  lab_cpio "$d" "$out"
  rm -rf "$d"
}

# The dom0 initrd $1: the base archive, zero-padded to 512 bytes (the kernel
# computes cpio alignment from the start of the whole initrd), then the
# uncompressed overlay $2.
lab_initrd() {
  local base="$LAB_CACHE/dom0-base.cpio.gz" size
  size=$(stat -c %s "$base")
  { cat "$base"; head -c $(((512 - size % 512) % 512)) /dev/zero; cat "$2"; } >"$1" ||
    lab_die "cannot write $1"
}

# qemu command line for initrd file $1; the caller adds serial options.
# XB_LAB_MEM: the machine's MiB (default 2048; dom0 keeps 512 of them).
# -smap: the PV dom0 crashes on SMAP under TCG. -rdtscp: TCG's SVM gives Xen
# no next-RIP for RDTSCP exits, so HVM/PVH guests would loop on it.
# dom0 finds the run's nonce on its command line ("shell": interactive).
lab_qemu_cmd() {
  LAB_QEMU=(qemu-system-x86_64 -accel tcg -cpu max,-smap,-rdtscp -m "${XB_LAB_MEM:-2048}" -smp 2
    -nodefaults -no-reboot -display none
    -kernel "$LAB_CACHE/xen.elf" -append "$LAB_XEN_ARGS ${XB_LAB_XEN_ARGS:-}"
    -initrd "${XB_LAB_DOM0_KERNEL:-$LAB_CACHE/dom0-vmlinux} $LAB_DOM0_ARGS lab.nonce=$LAB_NONCE ${XB_LAB_DOM0_ARGS:-},$1")
}
