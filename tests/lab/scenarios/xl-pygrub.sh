# Stock xl with bootloader = "pygrub": the guest boots the kernel and
# initramfs that pygrub took from grub.img (the default entry of its
# /boot/grub/grub.cfg), its disk checks pass, nothing is left. See
# lab_pygrub_test in /lab/lib.sh.
# lab-needs: pygrub
# Files: cache:grub.img
. /lab/lib.sh
lab_pygrub_test xl xl-pygrub
