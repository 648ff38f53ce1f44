#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run an example config exactly as its header says, and check what it says.

Each examples/configs/NAME.cfg states how to check it in its header: a
command, from the top of the source tree, followed by its outcome:

  #   build/tools/xbuild/xbuild create --dry-run examples/configs/NAME.cfg
  #   => exit 0, warnings: disk vif

"=> exit N", then optionally ", warnings: W..." and ", errors: E...": the
stderr lines of each kind, in order, each naming its word (a key). Without
a list there must be no line of that kind. Every stderr line must be in
xbuild's format (FILE:LINE:COL: error|warning: ... or xbuild: ...). Exit 0
means JSON with "spec" on stdout (and a loaded "image" and a "layout" for
--dry-run); otherwise stdout must be empty. Every such command of README.md
naming the example must be one of its header's. The plain dry run,
"create --dry-run examples/configs/NAME.cfg", must be among them, with exit
0: an example works as written.

The command is run as written, with the xbuild under test in place of
build/tools/xbuild/xbuild (the same file for the build/ of scripts/build).

usage: check-examples.py XBUILD SOURCE_ROOT NAME
       check-examples.py --listed SOURCE_ROOT NAME...   (every example listed)
"""
import json
import os
import re
import shlex
import subprocess
import sys

PROG = "build/tools/xbuild/xbuild"
COMMAND = re.compile(r"^#\s+(" + re.escape(PROG) + r" .*?)\s*$")
OUTCOME = re.compile(r"^#\s+=> exit (\d+)((?:, (?:warnings|errors):(?: [\w-]+)+)*)\s*$")
LINE = re.compile(r"^(?:[^:\s][^:]*:\d+:\d+: (error|warning): |xbuild: (warning: )?)")


def header_checks(path):
    """[(command, exit, warnings, errors)] from the header; raises ValueError."""
    lines = open(path, encoding="utf-8").read().splitlines()
    checks = []
    for i, line in enumerate(lines):
        m = COMMAND.match(line)
        if not m:
            continue
        o = OUTCOME.match(lines[i + 1]) if i + 1 < len(lines) else None
        if not o:
            raise ValueError(f"line {i + 1}: the command is not followed by "
                             f"\"#   => exit N[, warnings: ...][, errors: ...]\"")
        lists = {"warnings": [], "errors": []}
        for clause in filter(None, o.group(2).split(", ")):
            kind, words = clause.split(":", 1)
            lists[kind] = words.split()
        checks.append((m.group(1), int(o.group(1)), lists["warnings"], lists["errors"]))
    if not checks:
        raise ValueError(f"no \"#   {PROG} ...\" command in the header")
    return checks


def classify(stderr):
    """(warnings, errors, bad lines) of xbuild's stderr."""
    warnings, errors, bad = [], [], []
    for line in stderr.splitlines():
        m = LINE.match(line)
        if not m:
            bad.append(line)
        elif m.group(1) == "warning" or m.group(2):
            warnings.append(line)
        else:
            errors.append(line)
    return warnings, errors, bad


def compare(kind, lines, words):
    if len(lines) != len(words):
        return [f"{len(lines)} {kind} line(s), the header says {len(words)} "
                f"({' '.join(words) or 'none'})"]
    return [f"{kind} line {n + 1} does not name \"{w}\": {line}"
            for n, (line, w) in enumerate(zip(lines, words))
            if not re.search(r"(?<![\w-])" + re.escape(w) + r"(?![\w-])", line)]


def check_stdout(args, out):
    try:
        j = json.loads(out)
    except ValueError as e:
        return [f"stdout is not JSON: {e}"]
    problems = [] if isinstance(j.get("spec"), dict) else ["no \"spec\" object in the JSON"]
    if "--dry-run" in args:
        problems += [f"no \"{k}\" object in the JSON" for k in ("image", "layout")
                     if not isinstance(j.get(k), dict)]
    return problems


def run_check(xbuild, root, command, want_rc, warnings, errors):
    args = shlex.split(command)
    p = subprocess.run([xbuild] + args[1:], cwd=root, capture_output=True, text=True,
                       timeout=60)
    got_w, got_e, bad = classify(p.stderr)
    problems = [f"not in xbuild's message format: {line}" for line in bad]
    if p.returncode != want_rc:
        problems.append(f"exit status {p.returncode}, the header says {want_rc}")
    problems += compare("warning", got_w, warnings) + compare("error", got_e, errors)
    if p.returncode == 0:
        problems += check_stdout(args, p.stdout)
    elif p.stdout:
        problems.append("a failing command printed on stdout")
    return problems, p.stderr


def readme_commands(root, name):
    text = open(os.path.join(root, "README.md"), encoding="utf-8").read()
    pat = re.compile(re.escape(PROG) + r" [^\n`]*examples/configs/" + re.escape(name) +
                     r"\.cfg\b[^\n`]*")
    return [m.group(0).strip() for m in pat.finditer(text)]


def dangling_links(root):
    d = os.path.join(root, "examples", "configs")
    return [f for f in sorted(os.listdir(d))
            if os.path.islink(os.path.join(d, f)) and not os.path.exists(os.path.join(d, f))]


def check_listed(root, names):
    d = os.path.join(root, "examples", "configs")
    have = sorted(f[:-4] for f in os.listdir(d) if f.endswith(".cfg"))
    missing = sorted(set(have) - set(names))
    for n in missing:
        print(f"examples/configs/{n}.cfg has no example-{n} test (tests/golden/meson.build)")
    return 1 if missing else 0


def main(argv):
    if argv[0] == "--listed":
        return check_listed(argv[1], argv[2:])
    xbuild, root, name = os.path.abspath(argv[0]), argv[1], argv[2]
    cfg = os.path.join(root, "examples", "configs", name + ".cfg")
    try:
        checks = header_checks(cfg)
    except ValueError as e:
        print(f"examples/configs/{name}.cfg: {e}")
        return 1
    dangling = dangling_links(root)
    if dangling:
        under_build = xbuild == os.path.abspath(os.path.join(root, PROG))
        print(f"examples/configs: links with nothing behind them: {' '.join(dangling)}"
              f" (run scripts/build)")
        return 1 if under_build else 77
    fail = 0
    plain = f"{PROG} create --dry-run examples/configs/{name}.cfg"
    if not any(c[0] == plain and c[1] == 0 for c in checks):
        print(f"examples/configs/{name}.cfg: its header does not show \"{plain}\" "
              f"succeeding (=> exit 0): an example works as written")
        fail = 1
    for c in readme_commands(root, name):
        if c not in [k[0] for k in checks]:
            print(f"README.md runs \"{c}\", which the header of {name}.cfg does not state")
            fail = 1
    for command, rc, warnings, errors in checks:
        problems, stderr = run_check(xbuild, root, command, rc, warnings, errors)
        print(f"$ {command}\n{stderr}", end="")
        for p in problems:
            print(f"FAIL: {p}")
        print("ok" if not problems else "")
        fail |= bool(problems)
    return fail


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
