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
#                          to tests/lab/run as FILE cache:vmlinux: /lab/files/vmlinux)
#   domu-initrd.cpio.gz    busybox initramfs: prints XB-DOMU-OK, powers off;
#                          xb.test=disk|net modes (tests/lab/domu-init)
#   dom0-base.cpio.gz      dom0 initramfs without the per-run overlay
#   dom0-pygrub.cpio.gz    python3 + pygrub, appended to dom0's initrd only for
#                          scenarios that say `# lab-needs: pygrub`
#   root.img ro.img        ext4 disk images for the guests (tests/lab/run FILE
#                          cache:root.img -> /lab/files/root.img)
#   grub.img               ext4 image with /boot/grub/grub.cfg, Debian's kernel
#                          and the domU initramfs, for bootloader = "pygrub"
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
# pygrub in dom0 (tests/lab/dom0-pygrub.cpio.gz): the interpreter and core
# stdlib (python3.11-minimal, libpython3.11-minimal), ctypes and curses
# (libpython3.11-stdlib, with libffi8, libncursesw6, libtinfo6 and the
# terminfo entries of ncurses-base), libext2fs for xenfsimage's ext2fs plugin
# (libext2fs2, libcom-err2). pygrub itself, its grub/ modules and xenfsimage
# are in xen-utils-4.17 and libxenmisc4.17.
LAB_PYGRUB_PKGS=(python3.11-minimal libpython3.11-minimal libpython3.11-stdlib
  libffi8 libncursesw6 libtinfo6 ncurses-base libext2fs2 libcom-err2)
# Dom0 modules (built as modules in Debian's kernel), loaded at boot in this
# order after their dependencies: the toolstack's, blkback and loop (xl's
# file: disks), netback and the bridge (vifs).
LAB_MODULES=(xen-evtchn xen-privcmd xenfs xen-gntdev xen-gntalloc
  xen-blkback loop xen-netback bridge)
# The NIC of a two-host run (tests/lab/run --hosts 2): qemu's e1000 on its
# socket network, loaded only on a host that has one (lab.host= on dom0's
# command line); a one-host lab has no network device.
LAB_LINK_MODULES=(e1000)
# DomU modules in the domU initramfs, per xb.test mode (see domu-init); ext4
# wants crc32c (a soft dependency, which no depends= names).
LAB_DOMU_DISK_MODULES=(xen-blkfront crc32c_generic ext4)
LAB_DOMU_NET_MODULES=(xen-netfront)
# Host tools copied into dom0 (with their libraries) for xl's hotplug scripts
# (/etc/xen/scripts/block, vif-bridge: bash scripts calling losetup, flock,
# ip), and debugfs for scenarios that read a guest's disk image. From the
# host's Debian packages bash, util-linux, mount, iproute2, e2fsprogs
# (scripts/setup installs them); busybox lacks flock and ip's bridge options.
# Each is where dom0 gets it (the host's may be elsewhere on its PATH).
LAB_HOST_TOOLS=(/bin/bash /usr/bin/flock /usr/sbin/losetup /usr/sbin/ip
  /usr/sbin/bridge /usr/sbin/debugfs)
# Xen binaries copied into dom0 (from /usr/lib/xen-4.17/bin).
LAB_XEN_BINS=(xl xenstored xenconsoled xenconsole xen-init-dom0
  libxl-save-helper xenstore-control)
LAB_XEN_ARGS="console=com1 com1=115200,8n1 dom0_mem=512M,max:512M dom0_max_vcpus=1 loglvl=warning guest_loglvl=warning"
# rootfstype=ramfs: the initramfs unpacks into a ramfs, not into the tmpfs it
# gets by default, capped at 133 MB here, which a run's files (a PVH vmlinux,
# disk images, pygrub) outgrow: the overlay would not unpack.
# noxsave: under qemu 7.2's TCG, dom0's processes die of general protection
# faults and segfaults (busybox's applets, xbuild in ld.so or at exit) while
# a domU with 2 vCPUs runs beside dom0's one: their AVX state does not
# survive. 9 boots of a 2-vCPU Linux PV guest beside a copy-and-compare loop
# and an exec loop in dom0: 11 faults with XSAVE, 0 without. dom0 then keeps
# to FXSAVE, and glibc to its SSE2 string functions (the PVH guests get
# noxsave for the same TCG, lab_vbd_test). Lab only: xbuild sets nothing.
LAB_DOM0_ARGS="console=hvc0 earlyprintk=xen rdinit=/init loglevel=3 rootfstype=ramfs noxsave"

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
  local stamp="$LAB_CACHE/debs.stamp" p have=1
  for p in "${LAB_XEN_PKGS[@]}" "${LAB_PYGRUB_PKGS[@]}"; do
    grep -q "\(^\| \)$p=" "$stamp" 2>/dev/null || have=0
  done
  if [ "${LAB_REFRESH:-0}" != 1 ] && [ $have = 1 ] && [ -d "$LAB_CACHE/root" ]; then
    return 0 # cached; tests/lab/fetch --refresh looks for newer packages
  fi
  if ! lab_apt_ready; then
    lab_log "apt lists missing, running apt-get update"
    apt-get update -qq >/dev/null 2>&1 || true
    lab_apt_ready || lab_die "apt cannot see xen-hypervisor-4.17-amd64 / linux-image-amd64"
  fi
  local pkgs
  # pkg=version for each package apt would download now
  pkgs=$(apt-cache policy "${LAB_XEN_PKGS[@]}" "${LAB_PYGRUB_PKGS[@]}" "$(lab_kernel_pkg)" |
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

# The host's tool $1 (LAB_HOST_TOOLS), sbin directories included.
lab_host_tool() {
  PATH=$PATH:/usr/sbin:/sbin command -v "$1" ||
    lab_die "$1 not found on the host (scripts/setup installs it)"
}

lab_busybox() {
  local bb
  bb=$(command -v busybox) || lab_die "busybox not found (apt-get install busybox-static)"
  file -L "$bb" | grep -q 'statically linked' || lab_die "$bb is not static (install busybox-static)"
  echo "$bb"
}

# The kernel module file of module $1 (- and _ are the same in names).
lab_ko_path() {
  find "$LAB_CACHE/root/lib/modules/$(lab_kver)/kernel" -name "${1//[-_]/[-_]}.ko*" | head -1
}
lab_ko_cat() {
  case $1 in
  *.xz) xz -dc "$1" ;;
  *.zst) zstd -qdc "$1" ;;
  *.gz) gzip -dc "$1" ;;
  *) cat "$1" ;;
  esac
}
# Modules $3... and the modules they depend on (each .ko's modinfo depends=;
# the package has no modules.dep), uncompressed into directory $1 as NAME.ko;
# their names, dependencies first, go to list file $2 (for insmod in order).
lab_modules() {
  local dir=$1 list=$2 m
  shift 2
  local -A seen=()
  mkdir -p "$dir"
  : >"$list"
  _lab_module() {
    local ko dep
    [ -n "${seen[$1]:-}" ] && return 0
    seen[$1]=1
    ko=$(lab_ko_path "$1")
    [ -n "$ko" ] || lab_die "module $1 not found in the kernel package"
    lab_ko_cat "$ko" >"$dir/$1.ko" || lab_die "cannot unpack $ko"
    for dep in $(tr '\0' '\n' <"$dir/$1.ko" | sed -n 's/^depends=//p' | tr ',' ' '); do
      _lab_module "$dep"
    done
    echo "$1" >>"$list"
  }
  for m in "$@"; do _lab_module "$m"; done
}

lab_domu_initrd() {
  local out="$LAB_CACHE/domu-initrd.cpio.gz" bb
  bb=$(lab_busybox)
  local inputs=("$LAB_DIR/domu-init" "$bb" "$LAB_CACHE/debs.stamp")
  lab_stale "$out" "${inputs[@]}" || return 0
  local d
  d=$(mktemp -d "$LAB_CACHE/domu.XXXXXX")
  mkdir -p "$d/bin" "$d/proc" "$d/sys" "$d/dev"
  cp "$bb" "$d/bin/busybox"
  install -m 755 "$LAB_DIR/domu-init" "$d/init"
  lab_modules "$d/lib/modules" "$d/lib/modules/disk.list" "${LAB_DOMU_DISK_MODULES[@]}"
  lab_modules "$d/lib/modules" "$d/lib/modules/net.list" "${LAB_DOMU_NET_MODULES[@]}"
  lab_cpio "$d" "$out" gz
  lab_built "$out" "${inputs[@]}"
  rm -rf "$d"
}

# Disk images for the guests, ext4 made by mkfs.ext4 -d (no mount, no root):
#   root.img  8 MiB, /xb-root-marker "xb-lab root disk": a guest's xvda (w)
#   ro.img    4 MiB, /xb-ro-marker "xb-lab read-only disk": a guest's xvdb (r)
#   grub.img  /boot/vmlinuz-KVER, /boot/initrd.img-KVER (the domU initramfs)
#             and /boot/grub/grub.cfg: two menuentries, the default (1) with
#             xb.grub=1 on its command line, so a guest shows which pygrub took.
lab_mkfs() { # image size_kib source_dir label
  rm -f "$1.tmp"
  mkfs.ext4 -q -F -L "$4" -d "$3" "$1.tmp" "${2}k" >/dev/null 2>&1 &&
    mv "$1.tmp" "$1" || lab_die "mkfs.ext4 -d $3 $1 failed (scripts/setup installs e2fsprogs)"
}
lab_disk_images() {
  local kver d PATH=$PATH:/usr/sbin:/sbin
  kver=$(lab_kver)
  local inputs=("$LAB_CACHE/vmlinuz" "$LAB_CACHE/domu-initrd.cpio.gz")
  lab_stale "$LAB_CACHE/grub.img" "${inputs[@]}" || return 0
  lab_log "building the guests' disk images"
  d=$(mktemp -d "$LAB_CACHE/img.XXXXXX")
  mkdir -p "$d/root" "$d/ro" "$d/grub/boot/grub"
  echo "xb-lab root disk" >"$d/root/xb-root-marker"
  echo "xb-lab read-only disk" >"$d/ro/xb-ro-marker"
  lab_mkfs "$LAB_CACHE/root.img" 8192 "$d/root" xb-root
  lab_mkfs "$LAB_CACHE/ro.img" 4096 "$d/ro" xb-ro
  cp -L "$LAB_CACHE/vmlinuz" "$d/grub/boot/vmlinuz-$kver"
  cp "$LAB_CACHE/domu-initrd.cpio.gz" "$d/grub/boot/initrd.img-$kver"
  cat >"$d/grub/boot/grub/grub.cfg" <<EOF
set default="1"
set timeout=0
menuentry 'Debian GNU/Linux (not the default)' {
	linux /boot/vmlinuz-$kver console=hvc0 rdinit=/init xb.grub=0
	initrd /boot/initrd.img-$kver
}
menuentry 'Debian GNU/Linux, lab domU initramfs' {
	linux /boot/vmlinuz-$kver console=hvc0 rdinit=/init xb.grub=1
	initrd /boot/initrd.img-$kver
}
EOF
  lab_mkfs "$LAB_CACHE/grub.img" $(($(du -sk "$d/grub" | cut -f1) * 5 / 4 + 2048)) "$d/grub" xb-grub
  rm -rf "$d"
  lab_built "$LAB_CACHE/grub.img" "${inputs[@]}"
}

# Python 3 and pygrub for dom0, an archive appended to its initrd when a
# scenario needs it (see tests/lab/run): the interpreter, pygrub, its grub/
# modules, xenfsimage with its filesystem plugins, terminfo for curses, and
# of the stdlib exactly the modules pygrub loads (Debian's is 25 MB): traced
# by running this pygrub on the host on grub.img (python -v), then checked by
# running the copy the same way. Precompiled, so dom0 never compiles.
lab_dom0_pygrub() {
  local out="$LAB_CACHE/dom0-pygrub.cpio.gz" r="$LAB_CACHE/root"
  local inputs=("$LAB_CACHE/debs.stamp" "$LAB_CACHE/dom0-base.cpio.gz.key" "$LAB_CACHE/grub.img.key")
  lab_stale "$out" "${inputs[@]}" || return 0
  lab_log "building dom0's pygrub archive"
  local d py=usr/lib/python3.11 xl=usr/lib/xen-4.17/lib f
  local fsdir=usr/lib/xen-4.17/lib/x86_64-linux-gnu/xenfsimage
  d=$(mktemp -d "$LAB_CACHE/pygrub.XXXXXX")
  # pygrub $1 (python $2) on grub.img, with python's trace on stderr ($3)
  _lab_pygrub() {
    XEN_FSIMAGE_FSDIR=$4/$fsdir LD_LIBRARY_PATH=$4/usr/lib/x86_64-linux-gnu \
      "$2" -E -s -B ${3:+-v} "$1" -q -n --output-format=simple "$LAB_CACHE/grub.img" 2>"${3:-/dev/null}"
  }
  _lab_pygrub "$r/usr/lib/xen-4.17/bin/pygrub" "$r/usr/bin/python3.11" "$d/trace" "$r" >/dev/null ||
    lab_die "pygrub does not run on the host: $(tail -n 3 "$d/trace")"
  mkdir -p "$d/usr/bin" "$d/usr/lib/xen-4.17/bin" "$d/$xl/x86_64-linux-gnu" "$d/lib"
  cp "$r/usr/bin/python3.11" "$d/usr/bin/python3.11"
  ln -s python3.11 "$d/usr/bin/python3"
  # os.py is the landmark python finds its prefix by; sitecustomize (an
  # apport hook, a symlink into /etc) stays out
  for f in $r/$py/os.py $(sed -n "s#^\# code object from \($r/$py/.*\.py\)\$#\1#p
      s#^\# extension module '.*' loaded from '\($r/$py/.*\.so\)'\$#\1#p" "$d/trace" | sort -u); do
    case $f in */sitecustomize.py) continue ;; esac
    mkdir -p "$d/$(dirname "${f#"$r/"}")"
    cp "$f" "$d/${f#"$r/"}"
  done
  cp "$r/usr/lib/xen-4.17/bin/pygrub" "$d/usr/lib/xen-4.17/bin/"
  cp -a "$r/$xl/python" "$d/$xl/python"
  rm -rf "$d/$xl/python/xen" "$d/trace" # xen.lowlevel: not pygrub's
  cp -a "$r/$xl/x86_64-linux-gnu/libxenfsimage.so"* "$r/$fsdir" "$d/$xl/x86_64-linux-gnu/"
  cp -a "$r/lib/terminfo" "$d/lib/terminfo"
  for f in "$d/usr/bin/python3.11" $(find "$d/$py" "$d/$xl" -name '*.so*' -type f); do
    lab_copy_elf "$d" usr/lib/x86_64-linux-gnu "$f"
  done
  "$r/usr/bin/python3.11" -E -s -B -m compileall -q --invalidation-mode unchecked-hash \
    -s "$d" -p / "$d/$py" "$d/$xl/python" >/dev/null || lab_die "compileall failed"
  _lab_pygrub "$d/usr/lib/xen-4.17/bin/pygrub" "$d/usr/bin/python3.11" "$d/check" "$d" >"$d/out" &&
    grep -q '^args .*xb.grub=1' "$d/out" ||
    lab_die "pygrub with the stdlib cut down for dom0 fails: $(tail -n 3 "$d/check" "$d/out")"
  rm -f "$d/check" "$d/out"
  # what the base archive has already (libc, ...) stays out
  gzip -dc "$LAB_CACHE/dom0-base.cpio.gz" | cpio -it --quiet 2>/dev/null | while read -r f; do
    if [ -f "$d/$f" ] && [ ! -L "$d/$f" ]; then rm -f "$d/$f"; fi
  done
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

# The libraries libbuilder opens when first needed (lib/builder/image/dl.h:
# the decompression libraries, libxenguest), which ldd does not list: their
# sonames from the LIB() lines of decompress.c, and libxenguest.
lab_copy_dlopened() {
  local root=$1 libdir=$2 so dir f
  for so in $(sed -n 's/^LIB([a-z0-9]*, "\([^"]*\)".*/\1/p' "$LAB_TOP/lib/builder/image/decompress.c") \
    $(cd "$LAB_CACHE/root/usr/lib/x86_64-linux-gnu" && ls libxenguest.so.4.* | grep -E '^libxenguest\.so\.[0-9]+\.[0-9]+$'); do
    f=
    for dir in "$LAB_CACHE/root/usr/lib/x86_64-linux-gnu" "$LAB_CACHE/root/lib/x86_64-linux-gnu" \
      /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu; do
      [ -e "$dir/$so" ] && { f=$dir/$so; break; }
    done
    [ -n "$f" ] || lab_die "$so (opened by libbuilder when needed) not found"
    cp -L "$f" "$root/$libdir/$so"
    lab_copy_elf "$root" "$libdir" "$f"
  done
}

# The dom0 initramfs minus the per-run overlay.
lab_dom0_base() {
  local out="$LAB_CACHE/dom0-base.cpio.gz" bb kver
  bb=$(lab_busybox)
  kver=$(lab_kver)
  local inputs=("$LAB_DIR/dom0-init" "$LAB_DIR/dom0-lib.sh" "$LAB_CACHE/debs.stamp"
    "$LAB_CACHE/domu-initrd.cpio.gz.key" "$bb") x
  for x in "${LAB_HOST_TOOLS[@]}"; do inputs+=("$(lab_host_tool "${x##*/}")") || exit 126; done
  lab_stale "$out" "${inputs[@]}" || return 0
  lab_log "building the dom0 initramfs"
  local d
  d=$(mktemp -d "$LAB_CACHE/dom0.XXXXXX")
  mkdir -p "$d"/{bin,sbin,etc,proc,sys,dev,tmp,run,root,lab/domu,lib/modules/xen,usr/lib/x86_64-linux-gnu}
  mkdir -p "$d"/var/{lib/xen,lib/xenstored,log/xen/console} "$d/run/xen"
  ln -s ../run "$d/var/run"
  ln -s ../run/lock "$d/var/lock"
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
  lab_modules "$d/lib/modules/xen" "$d/lib/modules/xen/boot.list" "${LAB_MODULES[@]}"
  lab_modules "$d/lib/modules/xen" "$d/lib/modules/xen/link.list" "${LAB_LINK_MODULES[@]}"
  local h
  for x in "${LAB_HOST_TOOLS[@]}"; do
    h=$(lab_host_tool "${x##*/}") || exit 126
    mkdir -p "$d/$(dirname "$x")"
    cp -L "$h" "$d/$x"
    lab_copy_elf "$d" usr/lib/x86_64-linux-gnu "$h"
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

# Extra dom0 archives a run needs (array LAB_NEEDS): the words of the
# scenarios' "# lab-needs: WORD..." lines and of $XB_LAB_NEEDS. Known: pygrub.
LAB_NEEDS=()
lab_needs() { # scenario files...
  local w words=${XB_LAB_NEEDS:-}
  [ $# -gt 0 ] && words+=" $(sed -n 's/^# lab-needs://p' "$@")"
  for w in $words; do
    case $w in
    pygrub) [[ " ${LAB_NEEDS[*]} " = *" $w "* ]] || LAB_NEEDS+=("$w") ;;
    *) lab_die "unknown lab-needs '$w' (known: pygrub)" ;;
    esac
  done
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
  lab_disk_images
  local n
  for n in "${LAB_NEEDS[@]}"; do "lab_dom0_$n"; done
  flock -u 9
  exec 9>&-
}

lab_check_host() {
  command -v qemu-system-x86_64 >/dev/null || lab_die "qemu-system-x86_64 not found (scripts/setup installs it)"
  command -v cpio >/dev/null || lab_die "cpio not found (scripts/setup installs it)"
  command -v apt-get >/dev/null || lab_die "apt-get not found: the lab fetches Debian packages"
}

# Per-run overlay: xbuild + libbuilder from build dir $2 (if built), the
# scenarios in array LAB_SCENARIOS (none: interactive shell), files $3...
# (cache:NAME is $LAB_CACHE/NAME, e.g. cache:vmlinux, cache:root.img);
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
    lab_copy_dlopened "$d" lab/lib
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
    case $f in cache:*) f=$LAB_CACHE/${f#cache:} ;; esac
    cp -RL --preserve=mode,timestamps "$f" "$d/lab/files/" || lab_die "cannot copy $f"
  done
  lab_cpio "$d" "$out"
  rm -rf "$d"
}

# The dom0 initrd $1: the base archive, the extra archives of LAB_NEEDS,
# each zero-padded to 512 bytes (the kernel computes cpio alignment from the
# start of the whole initrd), then the uncompressed overlay $2.
lab_initrd() {
  local a size n archives=("$LAB_CACHE/dom0-base.cpio.gz")
  for n in "${LAB_NEEDS[@]}"; do archives+=("$LAB_CACHE/dom0-$n.cpio.gz"); done
  {
    for a in "${archives[@]}"; do
      size=$(stat -c %s "$a") && cat "$a" && head -c $(((512 - size % 512) % 512)) /dev/zero || exit 1
    done
    cat "$2"
  } >"$1" || lab_die "cannot write $1"
}

# qemu command line for initrd file $1; the caller adds serial options.
# XB_LAB_MEM: the machine's MiB (default 2048; dom0 keeps 512 of them).
# -smap: the PV dom0 crashes on SMAP under TCG. -rdtscp: TCG's SVM gives Xen
# no next-RIP for RDTSCP exits, so HVM/PVH guests would loop on it.
# dom0 finds the run's nonce on its command line ("shell": interactive).
# A two-host run gives each its host letter ($2: lab.host=a|b) and its end of
# qemu's socket network ($3...: -netdev/-device options).
lab_qemu_cmd() {
  local initrd=$1 host=${2:-}
  shift $(($# < 2 ? $# : 2))
  LAB_QEMU=(qemu-system-x86_64 -accel tcg -cpu max,-smap,-rdtscp -m "${XB_LAB_MEM:-2048}" -smp 2
    -nodefaults -no-reboot -display none
    -kernel "$LAB_CACHE/xen.elf" -append "$LAB_XEN_ARGS ${XB_LAB_XEN_ARGS:-}"
    -initrd "${XB_LAB_DOM0_KERNEL:-$LAB_CACHE/dom0-vmlinux} $LAB_DOM0_ARGS lab.nonce=$LAB_NONCE${host:+ lab.host=$host} ${XB_LAB_DOM0_ARGS:-},$initrd"
    "$@")
}

# ---- two hosts (tests/lab/run --hosts 2) ----

# A TCP port nobody listens on, on the host's loopback.
lab_free_port() {
  local p n=0
  while [ $n -lt 50 ]; do
    p=$((20000 + RANDOM % 20000))
    ss -Hltn "sport = :$p" 2>/dev/null | grep -q . || { echo $p; return 0; }
    n=$((n + 1))
  done
  return 1
}

# lab_wait_listen PORT SECS: until something listens on 127.0.0.1:PORT.
lab_wait_listen() {
  local n=$(($2 * 10))
  while [ $n -gt 0 ]; do
    ss -Hltn "sport = :$1" 2>/dev/null | grep -q . && return 0
    sleep 0.1
    n=$((n - 1))
  done
  return 1
}

# lab_read_b RUN BPID VERBOSE: host b's serial log as the main loop reads host
# a's: its scenarios' lines prefixed "b| ", its end lines into RUN/b.summary,
# its exit status into RUN/b.exit; until the marker, or host b is gone.
lab_read_b() {
  local run=$1 in_s=0 line end rc
  tail -n +1 --pid="$2" -F "$run/serial-b.log" 2>/dev/null | while IFS= read -r line; do
    line=${line//$'\r'/}
    case $line in
    *"XB-LAB-BEGIN-$LAB_NONCE "*) in_s=1; echo "b| == ${line##*"$LAB_NONCE "}"; continue ;;
    *"XB-LAB-END-$LAB_NONCE "*)
      in_s=0 end=${line##*"$LAB_NONCE "}
      echo "lab: b: ${end% *}: exit ${end##* }" >>"$run/b.summary"
      continue ;;
    *"XB-LAB-EXIT-$LAB_NONCE "*) rc=${line##*"$LAB_NONCE "}; echo "${rc%% *}" >"$run/b.exit"; break ;;
    *"XB-LAB-SETUP-FAILED-$LAB_NONCE"*) echo "lab: b: dom0 setup failed: ${line#*"$LAB_NONCE" }" >&2 ;;
    esac
    if [ "$3" = 1 ] || { [ $in_s = 1 ] && [ "${line#(XEN)}" = "$line" ]; }; then
      printf 'b| %s\n' "$line"
    fi
  done
}
