# xbuild with bootloader = "pygrub" (Debian's, run as xl runs it): the
# guest boots the kernel and initramfs pygrub took from grub.img (the
# default entry of its /boot/grub/grub.cfg), its disk checks pass, and
# nothing is left, neither of the domain nor of the bootloader.
# lab-needs: pygrub
# Files: cache:grub.img
. /lab/lib.sh
lab_pygrub_test xbuild xbuild-pygrub
