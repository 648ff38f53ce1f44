#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""What `xbuild restore` refuses before anything exists, without Xen: save
images built here byte by byte as xl writes them (its header, the stored
configuration as libxl's JSON or xl.cfg text, libxl's stream header and
LIBXC_CONTEXT record), then broken one way at a time. Each refusal is one
line in xbuild's format and exit status 1, with FILE left as it was; a
configuration that cannot hold the saved domain (less memory, fewer vCPUs,
another type, from CONFIG or from KEY=VALUE) is refused at its line, in
either order of FILE and CONFIG (xl's is CONFIG FILE). And the usage errors
of save, restore, migrate and migrate-receive.

usage: saveimg.py XBUILD WORKDIR
"""
import hashlib
import json
import os
import re
import struct
import subprocess
import sys

failures = []
MAGIC = b"Xen saved domain, xl format\n \0 \r"
JSON, STREAMV2 = 1, 2

STORED = {
    "c_info": {"type": "pv", "name": "cnt", "uuid": "aab53c4b-4010-44c2-8e41-2a6ff9fd0016"},
    "b_info": {"max_vcpus": 2, "avail_vcpus": [0], "max_memkb": 131072,
               "target_memkb": 131072, "kernel": "/boot/vmlinuz",
               "cmdline": "console=hvc0"},
    "on_reboot": "restart",
}


def image(config=None, json_flag=True, mandatory=None, order=0x01020304, tail=True):
    """An xl save image of STORED (or @config), up to libxl's LIBXC_CONTEXT record,
    then bytes standing for libxenguest's stream."""
    data = b""
    if config is not None:
        data = config + (b"\0" if json_flag else b"")
        data = struct.pack("<I", len(data)) + data
    flags = STREAMV2 | (JSON if config is not None and json_flag else 0)
    out = MAGIC + struct.pack("<IIII", order, flags if mandatory is None else mandatory, 0,
                              len(data)) + data
    if tail:
        out += b"LibxlFmt" + struct.pack(">II", 2, 0) + struct.pack("<II", 1, 0)
        out += b"\xff" * 8 + b"XENF" + b"\0" * 52
    return out


def run(*args):
    return subprocess.run([XBUILD, *args], capture_output=True, text=True, timeout=60)


def expect(args, rc, stderr):
    p = run(*args)
    if p.returncode != rc or not re.fullmatch(stderr, p.stderr, re.S) or p.stdout:
        failures.append(f"xbuild {' '.join(args)}: exit {p.returncode}, want {rc}\n"
                        f"  stderr {p.stderr!r}\n  want   {stderr!r}\n  stdout {p.stdout!r}")
    return p


def write(name, data):
    path = os.path.join(WORK, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def refused(name, data, why):
    """restore of @data fails with "xbuild: FILE: why", FILE untouched."""
    path = write(name, data)
    before = hashlib.sha1(data).hexdigest()
    expect(["restore", path], 1, re.escape(f"xbuild: {path}: {why}") + "\n")
    with open(path, "rb") as f:
        if hashlib.sha1(f.read()).hexdigest() != before:
            failures.append(f"restore {path} changed the file")


def check_images():
    good = image(json.dumps(STORED).encode())
    refused("junk.save", bytes(range(256)) * 3, "not a save image (no xl header)")
    refused("short.save", good[:20], "truncated (it ends 28 bytes early)")
    refused("optdata.save", good[:60], "truncated (it ends "
            f"{len(json.dumps(STORED)) + 1 + 4 - 12} bytes early)")
    refused("newer.save", image(json.dumps(STORED).encode(), mandatory=JSON | STREAMV2 | 8),
            "mandatory flags 0x8 unknown (a newer xl wrote it)")
    refused("legacy.save", image(json.dumps(STORED).encode(), mandatory=JSON),
            "a legacy stream (Xen 4.5 or older): convert it with Xen's "
            "convert-legacy-stream first")
    refused("order.save", image(json.dumps(STORED).encode(), order=0x04030201),
            "saved with byte order 0x04030201 (another architecture)")
    bare = write("bare.save", b"LibxlFmt" + b"\0" * 60)
    expect(["restore", bare], 1,
           re.escape(f"xbuild: {bare}: a bare libxl stream, without xl's header\n"))
    none = write("none.save", image(None))
    expect(["restore", none], 1,
           re.escape(f"xbuild: {none}: no configuration is stored in it: give its CONFIG\n"))
    bad_json = write("badjson.save", image(b"{\"c_info\": ["))
    expect(["restore", bad_json], 1,
           r"xbuild: <saved in \S+badjson\.save>: not libxl's JSON domain "
           r"configuration: [^\n]+\n")


def check_fits():
    path = write("cnt.save", image(json.dumps(STORED).encode()))
    small = write("small.cfg", b'name = "cnt"\nkernel = "/boot/vmlinuz"\nmemory = 64\n'
                  b'maxvcpus = 2\n')
    want = (re.escape(f"{small}:3:10: error: memory: 64 MiB is less than the 128 MiB of the "
                      f"domain saved in {path}") + "\n")
    expect(["restore", path, small], 1, want)
    expect(["restore", small, path], 1, want)  # xl's order
    expect(["restore", path, "memory=96"], 1,
           re.escape("<command line>:1:8: error: memory: 96 MiB is less than the 128 MiB of "
                     f"the domain saved in {path}") + "\n")
    expect(["restore", path, "maxvcpus=1"], 1,
           re.escape(f"xbuild: maxvcpus: 1 is less than the 2 vCPUs of the domain saved in "
                     f"{path}") + "\n")
    expect(["restore", path, 'type="pvh"'], 1,
           re.escape(f"xbuild: type: pvh, but the domain saved in {path} is pv") + "\n")
    # a text configuration (what xbuild save stores with CONFIG) is read the same way
    text = write("text.save", image(b'name = "cnt"\nkernel = "/boot/vmlinuz"\nmemory = 128\n',
                                    json_flag=False))
    expect(["restore", text, "memory=64"], 1,
           r"<command line>:1:8: error: memory: 64 MiB is less than the 128 MiB [^\n]+\n")
    # what fits goes on to the hypervisor (none here: one line, nothing else)
    p = run("restore", "-d", path)
    if p.returncode != 1 or not re.search(r'^\{.*"name": ?"cnt"', p.stderr, re.M | re.S) or \
            not p.stderr.rstrip().splitlines()[-1].startswith("xbuild: restore: "):
        failures.append(f"restore -d {path}: want the spec as JSON, then the hypervisor's "
                        f"refusal; got exit {p.returncode}: {p.stderr!r}")


def usage(args, first):
    verb = args[0]
    line = run(verb, "--help").stdout.splitlines()[0]
    expect(args, 2, re.escape(f"xbuild: {verb}: {first}\n{line}\n"))


def check_usage():
    usage(["save", "d"], "DOMAIN and FILE are needed")
    usage(["save", "d", "f", "c", "x"], "too many operands")
    usage(["save", "-c", "-p", "d", "f"], "-c and -p cannot be given together")
    usage(["restore"], "no save image (FILE) given")
    usage(["restore", "f", "c", "x"], '"x" is not KEY=VALUE (FILE [CONFIG] come first)')
    usage(["migrate", "d"], "DOMAIN and HOST are needed")
    usage(["migrate", "-s"], "-s needs an argument (SSHCOMMAND)")
    usage(["migrate-receive", "x"], "no operands are taken")


def main(argv):
    global XBUILD, WORK
    XBUILD, WORK = os.path.abspath(argv[0]), argv[1]
    os.makedirs(WORK, exist_ok=True)
    check_images()
    check_fits()
    check_usage()
    for f in failures:
        print(f"FAIL: {f}")
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
