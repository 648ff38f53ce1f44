#!/usr/bin/env python3
"""check-tree.py CLANG_FORMAT SOURCE_ROOT: the whole tree keeps its shape.

- every C file (lib/, include/, tools/, tests/, bench/) is as the committed
  .clang-format formats it (clang-format --dry-run -Werror);
- no file in lib/ is over 800 lines (a file that grows past it holds more
  than one concern: split it).
"""
import os
import subprocess
import sys

LIMIT = 800
TOPS = ("lib", "include", "tools", "tests", "bench")
SKIP = {"cache", "work"}  # tests/lab/cache and tests/lab/work: downloads, runs

clang_format, root = sys.argv[1:3]
files = []
for top in TOPS:
    for d, dirs, names in os.walk(os.path.join(root, top)):
        dirs[:] = sorted(x for x in dirs if x not in SKIP)
        files += [os.path.join(d, n) for n in sorted(names) if n.endswith((".c", ".h"))]
bad = []
r = subprocess.run([clang_format, "--dry-run", "-Werror", *files], capture_output=True,
                   text=True)
unformatted = sorted({l.split(":")[0] for l in r.stderr.splitlines() if ": error:" in l})
for f in unformatted:
    bad.append(f"{os.path.relpath(f, root)}: not as .clang-format formats it "
               f"(run: clang-format -i {os.path.relpath(f, root)})")
if r.returncode and not unformatted:
    bad.append(f"clang-format failed: {r.stderr.strip()[:300]}")
for f in files:
    rel = os.path.relpath(f, root)
    if rel.startswith("lib" + os.sep):
        n = sum(1 for _ in open(f, encoding="utf-8", errors="replace"))
        if n > LIMIT:
            bad.append(f"{rel}: {n} lines, over {LIMIT}: split it by concern")
for b in bad:
    print(b)
print(f"{len(files)} C files checked, {len(bad)} problems")
sys.exit(1 if bad else 0)
