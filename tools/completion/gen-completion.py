#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""gen-completion.py TEMPLATE KEYS_C OUTPUT: the bash completion of xbuild
with the config keys, the on_* actions and the domain types read from
lib/config/keys.c, so that the list cannot drift from the parser.

Every line of the keys[] table must be a row this script can read (or blank,
or a comment): a table it does not understand fails the build, it is never
read in part."""
import re
import sys


def block(text, opening, what):
    """The lines between OPENING and the next line that is '};'."""
    start = text.find(opening)
    if start < 0:
        sys.exit(f"gen-completion.py: keys.c: no {what} ({opening!r})")
    body = text[start + len(opening):]
    end = body.find("\n};")
    if end < 0:
        sys.exit(f"gen-completion.py: keys.c: {what} has no closing '}};'")
    first_line = text.count("\n", 0, start) + 1
    return first_line, body[:end].split("\n")


def strings_of(path, text, opening, what, row):
    first_line, lines = block(text, opening, what)
    found = []
    for n, line in enumerate(lines):
        s = line.strip()
        if not s or s.startswith("/*") or s.startswith("//"):
            continue
        m = row.match(s)
        if not m:
            sys.exit(f"gen-completion.py: {path}:{first_line + n}: "
                     f"cannot read this row of {what}: {s}")
        found.append(m.group(1))
    if len(found) < 2 or len(set(found)) != len(found):
        sys.exit(f"gen-completion.py: {path}: {what}: too few or repeated names")
    return found


def main():
    template, keys_c, output = sys.argv[1:4]
    text = open(keys_c, encoding="utf-8").read()
    keys = strings_of(keys_c, text, "static const struct key_def keys[] = {",
                      "the keys table",
                      re.compile(r'(?:[A-Z]+\(|\{)"([a-z0-9_]+)"'))
    actions = strings_of(keys_c, text, "static const char *const action_names[] = {",
                         "the action names",
                         re.compile(r'\[XB_ACTION_[A-Z_]+\] = "([a-z-]+)",$'))
    m = re.search(r'static const char \*const types\[\] = \{([^}]*)\};', text)
    if not m:
        sys.exit(f"gen-completion.py: {keys_c}: no types[] of type_value()")
    types = re.findall(r'"([a-z]+)"', m.group(1))
    out = open(template, encoding="utf-8").read()
    for name, words in (("KEYS", keys), ("ACTIONS", actions), ("TYPES", types)):
        if f"@{name}@" not in out:
            sys.exit(f"gen-completion.py: {template}: no @{name}@")
        out = out.replace(f"@{name}@", " ".join(words))
    with open(output, "w", encoding="utf-8") as f:
        f.write(out)


if __name__ == "__main__":
    main()
