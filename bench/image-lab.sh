# bench/image-lab.sh - a tests/lab/run scenario (run by bench/image-lab):
# in dom0 on real Xen, time xbuild's image loader on Debian's kernel
# (`xbuild inspect`: read + bzImage + xz + ELF/notes) next to libxenguest's
# doing the same inside `xl create` (from its own -vvv log lines:
# xc_dom_kernel_file ... xc_dom_parse_elf_kernel: <guest type>).
. /lab/lib.sh
k=/lab/domu/vmlinuz
ms() { read -r up _ </proc/uptime; echo "${up%.*}${up#*.}0"; } # 10 ms resolution

for i in 1 2 3; do
  t0=$(ms)
  xbuild inspect "$k" >/dev/null || { echo "xbuild inspect failed"; exit 1; }
  t1=$(ms)
  echo "XB-BENCH xbuild-inspect-ms $((t1 - t0))"
done
for i in 1 2 3; do
  xl -vvv create -p /lab/domu/linux-pv.cfg 2>&1 |
    while IFS= read -r l; do
      read -r up _ </proc/uptime; echo "${up%.*}${up#*.}0 $l" # no fork per line
    done >/tmp/xl.log
  xl destroy linux-pv 2>/dev/null
  s=$(grep -m1 'xc_dom_kernel_file' /tmp/xl.log | cut -d' ' -f1)
  e=$(grep -m1 'xc_dom_parse_elf_kernel: xen-3.0' /tmp/xl.log | cut -d' ' -f1)
  if [ -z "$s" ] || [ -z "$e" ]; then
    echo "no libxenguest markers in xl -vvv output:"; head -40 /tmp/xl.log; exit 1
  fi
  echo "XB-BENCH xl-libxenguest-load-ms $((e - s))"
done
grep -E 'xc_dom_kernel_file|decompress|xc_dom_parse_elf_kernel: xen' /tmp/xl.log
