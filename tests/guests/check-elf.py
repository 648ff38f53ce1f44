#!/usr/bin/env python3
"""check-elf.py READELF ELF ARCH: is the built xbtest guest what a PV or
PVH builder expects? Reads everything through binutils' readelf:

  - ELF class/machine/type for ARCH (x86_64, x86_32 or pvh), exactly one
    PT_LOAD at the load address (PVH: physical, vaddr == paddr), a PT_NOTE
    with a non-zero file offset, the page-aligned hypercall_page symbol
    inside the load segment;
  - PV: the Xen notes GUEST_OS, XEN_VERSION "xen-3.0", LOADER "generic",
    VIRT_BASE == PADDR_OFFSET == the load address, ENTRY == e_entry ==
    _start, HYPERCALL_PAGE == hypercall_page, FEATURES, PAE_MODE "yes" on
    x86_32 only;
  - PVH: GUEST_OS, XEN_VERSION, PHYS32_ENTRY (4 bytes) == e_entry == _start,
    and none of the PV notes (ENTRY, HYPERCALL_PAGE, VIRT_BASE,
    PADDR_OFFSET, LOADER, PAE_MODE, FEATURES): a PV builder must refuse it.

Prints one line per failed expectation; exit 1 if any.
"""
import re
import subprocess
import sys

NOTE = {1: "ENTRY", 2: "HYPERCALL_PAGE", 3: "VIRT_BASE", 4: "PADDR_OFFSET",
        5: "XEN_VERSION", 6: "GUEST_OS", 8: "LOADER", 9: "PAE_MODE",
        10: "FEATURES", 18: "PHYS32_ENTRY"}
PV_ONLY = (1, 2, 3, 4, 8, 9, 10)
ARCH = {
    "x86_64": {"class": "ELF64", "machine": "X86-64", "base": 0xFFFFFFFF80000000},
    "x86_32": {"class": "ELF32", "machine": "80386", "base": 0xC0000000},
    "pvh": {"class": "ELF32", "machine": "80386", "base": 0x100000},
}


def readelf(tool, *args):
    return subprocess.run([tool, "-W", *args], check=True, text=True,
                          stdout=subprocess.PIPE,
                          env={"LC_ALL": "C"}).stdout


def xen_notes(text):
    """{type: bytes} of the notes owned by "Xen" (readelf -W: one line each)."""
    notes = {}
    generic = {"NT_VERSION (version)": 1, "NT_ARCH (architecture)": 2,
               "GO BUILDID": 4}
    for line in text.splitlines():
        m = re.match(r"\s+Xen\s+0x[0-9a-f]+\s+(.*?)\s+description data:(.*)$", line)
        if not m:
            continue
        t = re.search(r"\(0x([0-9a-f]+)\)", m.group(1))
        kind = int(t.group(1), 16) if t else generic.get(m.group(1).strip(), m.group(1))
        notes[kind] = bytes(int(b, 16) for b in m.group(2).split())
    return notes


def symbol(text, name):
    for line in text.splitlines():
        f = line.split()
        if len(f) >= 8 and f[7] == name:
            return int(f[1], 16)
    return None


def pv_notes(expect, notes, arch, want, entry, start, hp):
    num = lambda k: int.from_bytes(notes[k], "little") if k in notes else None
    text = lambda k: notes.get(k, b"").rstrip(b"\0").decode("ascii", "replace")
    wsize = 8 if arch == "x86_64" else 4

    expect(text(8) == "generic", "LOADER %r" % text(8))
    for k in (1, 2, 3, 4):
        expect(len(notes.get(k, b"")) == wsize, "%s note missing or not %d bytes" % (NOTE[k], wsize))
    expect(num(3) == want["base"], "VIRT_BASE %r" % num(3))
    expect(num(4) == want["base"], "PADDR_OFFSET %r" % num(4))
    expect(num(1) == entry == start,
           "ENTRY note %r, e_entry 0x%x, _start %r" % (num(1), entry, start))
    expect(num(2) == hp, "HYPERCALL_PAGE %r, hypercall_page %r" % (num(2), hp))
    expect("!writable_page_tables" in text(10).split("|"), "FEATURES %r" % text(10))
    if arch == "x86_32":
        expect(text(9) == "yes", "PAE_MODE %r, want 'yes'" % text(9))
    else:
        expect(9 not in notes, "PAE_MODE note on a 64-bit guest")


def pvh_notes(expect, notes, entry, start):
    phys = int.from_bytes(notes.get(18, b""), "little") if 18 in notes else None
    expect(len(notes.get(18, b"")) == 4, "PHYS32_ENTRY note missing or not 4 bytes")
    expect(phys == entry == start,
           "PHYS32_ENTRY note %r, e_entry 0x%x, _start %r" % (phys, entry, start))
    for k in PV_ONLY:
        expect(k not in notes, "PV note %s on the PVH guest" % NOTE[k])


def main(tool, path, arch):
    want = ARCH[arch]
    errors = []

    def expect(ok, what):
        if not ok:
            errors.append(what)

    hdr = readelf(tool, "-h", path)
    expect(re.search(r"Class:\s+%s\b" % want["class"], hdr), "class is not " + want["class"])
    expect(want["machine"] in hdr, "machine is not " + want["machine"])
    expect(re.search(r"Type:\s+EXEC", hdr), "type is not EXEC")
    entry = int(re.search(r"Entry point address:\s+0x([0-9a-f]+)", hdr).group(1), 16)

    ph = readelf(tool, "-l", path)
    loads = re.findall(r"^\s+LOAD\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)"
                       r"\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)", ph, re.M)
    pnote = re.findall(r"^\s+NOTE\s+0x([0-9a-f]+)", ph, re.M)
    expect(len(loads) == 1, "want exactly one PT_LOAD, got %d" % len(loads))
    expect(len(pnote) == 1 and int(pnote[0], 16) != 0, "want one PT_NOTE at a non-zero offset")
    lo = int(loads[0][1], 16) if loads else 0
    hi = lo + (int(loads[0][4], 16) if loads else 0)
    expect(lo == want["base"], "PT_LOAD at 0x%x, want 0x%x" % (lo, want["base"]))
    if arch == "pvh":
        expect(loads and int(loads[0][2], 16) == lo, "PT_LOAD paddr differs from vaddr")

    syms = readelf(tool, "-s", path)
    notes = xen_notes(readelf(tool, "-n", path))
    text = lambda k: notes.get(k, b"").rstrip(b"\0").decode("ascii", "replace")
    start = symbol(syms, "_start")
    hp = symbol(syms, "hypercall_page")

    expect(text(6) == "xbtest", "GUEST_OS %r" % text(6))
    expect(text(5) == "xen-3.0", "XEN_VERSION %r" % text(5))
    expect(hp is not None and hp % 4096 == 0 and lo <= hp and hp + 4096 <= hi,
           "hypercall_page %r not an aligned page in the image" % hp)
    if arch == "pvh":
        pvh_notes(expect, notes, entry, start)
    else:
        pv_notes(expect, notes, arch, want, entry, start, hp)

    for e in errors:
        print("%s: %s" % (path, e))
    if not errors:
        print("%s: %s ELF ok, %d Xen notes" % (path, arch, len(notes)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
