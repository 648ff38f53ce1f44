#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Golden test for one config: run `xbuild create --config-only` on NAME.cfg
(the spec alone: the kernels here are stand-ins, and are not even opened)
and compare with the expected files next to it.

  NAME.cfg   the config (relative paths resolve against this folder)
  NAME.args  optional: extra arguments, one per line (--strict, KEY=VALUE, ...);
             --dry-run replaces --config-only (the kernel and ramdisk must
             then exist; only a failing dry run makes sense with stand-ins)
  NAME.json  expected "spec" member of the JSON (then the exit status must be 0)
  NAME.err   expected stderr (absent: stderr must be empty); without NAME.json
             the exit status must be 1 and stdout empty

The absolute path of this folder is written as @DIR@ in expected files.
XB_GOLDEN_UPDATE=1 rewrites the expected files from the actual output (review
the diff before committing).

usage: run.py XBUILD GOLDEN_DIR NAME
"""
import difflib
import json
import os
import subprocess
import sys


def read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        return None


def write(path, text):
    if text:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    elif os.path.exists(path):
        os.unlink(path)


def show_diff(what, expected, actual):
    sys.stdout.writelines(difflib.unified_diff(
        (expected or "").splitlines(True), (actual or "").splitlines(True),
        f"expected {what}", f"actual {what}"))
    print()


def main():
    xbuild, gdir, name = os.path.abspath(sys.argv[1]), os.path.realpath(sys.argv[2]), sys.argv[3]
    base = os.path.join(gdir, name)
    args = (read(base + ".args") or "").splitlines()
    args = [a for a in args if a.strip()]
    opts = [a for a in args if a.startswith("-")]
    overrides = [a for a in args if not a.startswith("-")]
    mode = [] if "--dry-run" in opts else ["--config-only"]
    cmd = [xbuild, "create", *mode, *opts, base + ".cfg", *overrides]
    p = subprocess.run(cmd, cwd=gdir, capture_output=True, timeout=60)
    out = p.stdout.decode("utf-8", "replace").replace(gdir, "@DIR@")
    err = p.stderr.decode("utf-8", "replace").replace(gdir, "@DIR@")

    spec = ""
    if p.returncode == 0:
        try:
            spec = json.dumps(json.loads(out)["spec"], indent=2) + "\n"
        except (ValueError, KeyError) as e:
            print(f"{name}: stdout is not JSON with a \"spec\" member: {e}\n{out}")
            return 1
    elif out:
        print(f"{name}: exit {p.returncode} but stdout is not empty:\n{out}")
        return 1

    if os.environ.get("XB_GOLDEN_UPDATE") == "1":
        write(base + ".json", spec)
        write(base + ".err", err)
        print(f"{name}: expected files rewritten (exit {p.returncode})")
        return 0

    want_json, want_err = read(base + ".json"), read(base + ".err") or ""
    want_rc = 0 if want_json is not None else 1
    ok = True
    if p.returncode != want_rc:
        print(f"{name}: exit status {p.returncode}, expected {want_rc}")
        ok = False
    if want_json is not None and spec != want_json:
        show_diff(name + ".json", want_json, spec)
        ok = False
    if err != want_err:
        show_diff(name + ".err", want_err, err)
        ok = False
    if ok:
        print(f"{name}: ok")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
