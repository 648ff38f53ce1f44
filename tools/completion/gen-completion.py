#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""gen-completion.py OUTPUT TEMPLATE CONFIG_SOURCE.c...: the bash completion
of xbuild with the config keys, the on_* actions and the domain types read
from the tables of the config layer (lib/config/*.c), so that the lists
cannot drift from the parser.

Each table is found by its name in exactly one of the sources. Every entry
of a table must be one this script can read (`.name = "x"`, `MACRO("x", ...)`,
`{"x", ...}`, `[ENUM] = "x"` or `"x"`): a table it does not understand fails
the build, it is never read in part."""
import re
import sys

TOKEN = re.compile(r'"(?:\\.|[^"\\])*"|/\*.*?\*/|//[^\n]*|[{}()\[\],]|[^"{}()\[\],/]+|/',
                   re.S)


def die(msg):
    sys.exit(f"gen-completion.py: {msg}")


def occurrences(sources, name):
    head = re.compile(r'\b' + re.escape(name) + r'\[\]\s*=\s*\{')
    return [(path, text, m.end()) for path, text in sources for m in head.finditer(text)]


def find_table(sources, name):
    """(path, line, body) of the initialiser `name[] = { body };`."""
    found = occurrences(sources, name)
    if len(found) != 1:
        die(f"table {name}[]: found {len(found)} times in "
            f"{' '.join(p for p, _ in sources)}, expected once")
    path, text, start = found[0]
    depth = 1
    for t in TOKEN.finditer(text, start):
        tok = t.group(0)
        if tok in "({[":
            depth += 1
        elif tok in ")}]":
            depth -= 1
            if depth == 0:
                return path, text.count("\n", 0, start) + 1, text[start:t.start()]
    die(f"{path}: table {name}[] does not end")


def entries(body):
    """The top-level comma-separated entries of an initialiser body."""
    out, cur, depth = [], [], 0
    for t in TOKEN.finditer(body):
        tok = t.group(0)
        if tok.startswith("/*") or tok.startswith("//"):
            continue
        if tok in "({[":
            depth += 1
        elif tok in ")}]":
            depth -= 1
        if tok == "," and depth == 0:
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(tok)
    out.append("".join(cur).strip())
    return [e for e in out if e]


ENTRY_NAME = [
    re.compile(r'\.name\s*=\s*"([^"]+)"'),              # {.name = "x", ...}
    re.compile(r'^(?:[A-Z_]+\s*\(|\{)\s*"([^"]+)"'),     # MACRO("x", ...) / {"x", ...}
    re.compile(r'^(?:\[[A-Z_0-9]+\]\s*=\s*)?"([^"]+)"$'),  # [ENUM] = "x" / "x"
]


def names(sources, table, word):
    path, line, body = find_table(sources, table)
    found = []
    for e in entries(body):
        for rx in ENTRY_NAME:
            m = rx.search(e)
            if m:
                break
        if not m or not re.fullmatch(word, m.group(1)):
            die(f"{path}:{line}: cannot read this entry of {table}[]: {' '.join(e.split())}")
        found.append(m.group(1))
    if len(found) < 2 or len(set(found)) != len(found):
        die(f"{path}:{line}: {table}[]: too few or repeated names")
    return found


def main():
    output, template = sys.argv[1:3]
    sources = [(p, open(p, encoding="utf-8").read()) for p in sys.argv[3:]]
    lists = {
        "KEYS": names(sources, "keys", r"[a-z0-9_]+"),
        "ACTIONS": names(sources, "action_names", r"[a-z-]+"),
    }
    # The domain types: a table of their own, or the one type_value() checks.
    types = "domtype_names" if occurrences(sources, "domtype_names") else "types"
    lists["TYPES"] = names(sources, types, r"[a-z]+")
    out = open(template, encoding="utf-8").read()
    for name, words in lists.items():
        if f"@{name}@" not in out:
            die(f"{template}: no @{name}@")
        out = out.replace(f"@{name}@", " ".join(words))
    with open(output, "w", encoding="utf-8") as f:
        f.write(out)


if __name__ == "__main__":
    main()
