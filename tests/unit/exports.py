#!/usr/bin/env python3
"""exports.py NM LIBBUILDER.SO INCLUDE_DIR MAP: libbuilder.so exports exactly the
functions the public headers declare, and lib/libbuilder.map lists exactly
those: no private xb__ function, no backend, nothing a consumer could reach
by accident and no declared function missing."""
import re
import subprocess
import sys
from pathlib import Path

nm, lib, include, mapfile = sys.argv[1:5]


def declared():
    names = set()
    for h in sorted(Path(include).glob("*.h")):
        text = re.sub(r"/\*.*?\*/", " ", h.read_text(), flags=re.S)
        text = re.sub(r"^\s*#.*$", " ", text, flags=re.M)
        depth = 0
        decl = ""
        for ch in text:  # top-level declarations only (not struct members)
            depth += ch == "{"
            depth -= ch == "}"
            decl = "" if depth or ch in "{};" else decl + ch
            if ch == ";" and depth == 0:
                pass
            m = re.search(r"\b(xb_[a-z0-9_]+)\s*\(", decl)
            if m and ch == "(":
                names.add(m.group(1))
    return names


def exported():
    out = subprocess.run([nm, "-D", "--defined-only", lib], check=True,
                         capture_output=True, text=True).stdout
    return {l.split()[-1].split("@")[0] for l in out.splitlines() if l.split()[1] in "TtWi"}


def mapped():
    text = re.sub(r"/\*.*?\*/", " ", Path(mapfile).read_text(), flags=re.S)
    glob = text.split("global:")[1].split("local:")[0]
    return {s.strip() for s in glob.split(";") if s.strip()}


d, e, m = declared(), exported(), mapped()
ok = True
for what, a, b in (("exported but not declared in include/xbuild", e, d),
                   ("declared but not exported", d, e),
                   ("in libbuilder.map but not declared", m, d),
                   ("declared but not in libbuilder.map", d, m)):
    if a - b:
        print(f"{what}: {' '.join(sorted(a - b))}")
        ok = False
print(f"{len(e)} exported, {len(d)} declared, {len(m)} in the version script")
sys.exit(0 if ok else 1)
