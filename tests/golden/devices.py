#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Golden tests of the disks and vifs create refuses: each bad input is one
line of stderr naming the config file, line, column and field, exit status
1, nothing on stdout.

`xbuild create --dry-run` runs the create on the simulated machine, whose
dom0 has the bridge xenbr0 and an interface eth0 that is not a bridge; the
images are real files made here (one writable, one read-only). What a dry
run cannot show (an image attached to another running domain) is in
tests/unit/test_devices.c and the lab.

usage: devices.py XBUILD FIXTURES_DIR FAKE_BOOTLOADER
"""
import os
import subprocess
import sys
import tempfile

# name: (the config's device lines, the expected stderr with @CFG@ and @DIR@)
CASES = {
    "missing-image": (
        ["disk = [ 'file:@DIR@/root.img,xvda,w',", "         'file:@DIR@/gone.img,xvdb,w' ]"],
        "@CFG@:5:10: error: disk 2, target: @DIR@/gone.img: No such file or directory\n"),
    "read-only-image-w": (
        ["disk = [ '@DIR@/ro.img,raw,xvda,w' ]"],
        "@CFG@:4:10: error: disk 1, access: @DIR@/ro.img is read-only (mode 0444) and "
        "cannot be attached writable: give access r, or make it writable\n"),
    "not-an-image": (
        ["disk = [ 'vdev=xvda, target=@DIR@' ]"],
        "@CFG@:4:10: error: disk 1, target: @DIR@ is neither a file nor a block device\n"),
    "unknown-vdev": (
        ["disk = [ 'vdev=xvd1, target=@DIR@/root.img' ]"],
        "@CFG@:4:16: error: disk 1, vdev: \"xvd1\" is not a virtual disk: a disk letter "
        "must follow the prefix (e.g. xvda, hdc, sdb)\n"),
    "qcow2": (
        ["disk = [ 'format=qcow2, vdev=xvda, target=@DIR@/root.img' ]"],
        "@CFG@:4:10: error: disk 1, format: qcow2 images need qemu's qdisk backend; "
        "blkback serves raw images (qemu-img convert -O raw)\n"),
    "empty-cdrom": (
        ["disk = [ ',,hdc:cdrom,r' ]"],
        "@CFG@:4:10: error: disk 1, target: an empty cdrom drive needs qemu's qdisk "
        "backend; give the cdrom an image (blkback serves files and block devices)\n"),
    "block-script": (
        ["disk = [ 'vdev=xvda, script=block-iscsi, target=iqn.2026-01.x:t' ]"],
        "@CFG@:4:10: error: disk 1, script: xbuild runs no hotplug scripts (it does what "
        "\"block\" does itself); block-iscsi is not supported\n"),
    "malformed-mac": (
        ["vif = [ 'mac=00:16:3e:5g:01:02' ]"],
        "@CFG@:4:14: error: vif 1, mac: \"00:16:3e:5g:01:02\" is not six hex pairs "
        "separated by ':', e.g. 00:16:3e:12:34:56\n"),
    "no-bridge": (
        ["vif = [ 'mac=00:16:3e:01:02:03', 'bridge=nobr0' ]"],
        "@CFG@:4:34: error: vif 2, bridge: dom0 has no interface nobr0: create the bridge "
        "(ip link add nobr0 type bridge; ip link set nobr0 up) or name another (bridge=)\n"),
    "not-a-bridge": (
        ["vif = [ 'bridge=eth0' ]"],
        "@CFG@:4:9: error: vif 1, bridge: eth0 is not a bridge\n"),
    "vif-script": (
        ["vif = [ 'script=vif-route' ]"],
        "@CFG@:4:9: error: vif 1, script: xbuild runs no hotplug scripts: it puts the vif "
        "on its bridge itself, as vif-bridge does; vif-route is not supported\n"),
    "taken-vifname": (
        ["vif = [ 'vifname=eth0' ]"],
        "@CFG@:4:9: error: vif 1, vifname: dom0 has an interface eth0 already\n"),
    "bootloader-fails": (
        ["bootloader = '@FAKE@'", "bootloader_args = [ '--mode=fail' ]",
         "disk = [ '@DIR@/root.img,raw,xvda,w' ]"],
        "@CFG@:4:14: error: bootloader: @FAKE@ failed (exit status 3): fake-bootloader: "
        "no grub.cfg in the image\n"),
}


def config(d, kernel, fake, lines):
    body = "\n".join(lines).replace("@DIR@", d).replace("@FAKE@", fake)
    head = f'name = "dev"\nmemory = 32\n'
    if "bootloader" not in body:
        head += f'kernel = "{kernel}"\n'
    else:
        head += "# (no kernel: the bootloader's)\n"
    return head + body + "\n"


def run(xbuild, d, kernel, fake, name, lines, want):
    cfg = os.path.join(d, name + ".cfg")
    with open(cfg, "w", encoding="utf-8") as f:
        f.write(config(d, kernel, fake, lines))
    p = subprocess.run([xbuild, "create", "--dry-run", cfg], capture_output=True, text=True,
                       timeout=60)
    want = want.replace("@CFG@", cfg).replace("@DIR@", d).replace("@FAKE@", fake)
    problems = []
    if p.returncode != 1:
        problems.append(f"exit status {p.returncode}, want 1")
    if p.stdout:
        problems.append(f"stdout not empty: {p.stdout[:200]!r}")
    if p.stderr != want:
        problems.append(f"stderr:\n    {p.stderr!r}\n  want:\n    {want!r}")
    print(f"{name}: " + ("ok" if not problems else "FAIL: " + "; ".join(problems)))
    return not problems


def main(argv):
    xbuild, fake = os.path.abspath(argv[0]), os.path.abspath(argv[2])
    fixtures = os.path.abspath(argv[1])
    kernel = os.path.join(fixtures, "minios64.elf")
    ok = True
    with tempfile.TemporaryDirectory(prefix="xb-golden-devices.") as d:
        for img, mode in (("root.img", 0o644), ("ro.img", 0o444)):
            path = os.path.join(d, img)
            with open(path, "wb") as f:
                f.truncate(1 << 20)
            os.chmod(path, mode)
        for name, (lines, want) in CASES.items():
            ok &= run(xbuild, d, kernel, fake, name, lines, want)
        left = sorted(set(os.listdir(d)) - {"root.img", "ro.img"} -
                      {n + ".cfg" for n in CASES})
        if left:
            print(f"FAIL: left in {d}: {left}")
            ok = False
    print(f"{len(CASES)} bad inputs checked")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
