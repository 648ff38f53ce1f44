#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""man/xbuild.1 and README.md agree with the code on every verb and option.

From `xbuild --help` (the verbs) and `xbuild VERB --help` (the usage line and
one line per option):
  - man/xbuild.1's SYNOPSIS has exactly the usage line of every verb (and of
    xbuild itself), and its .TH names `xbuild --version`'s version;
  - each verb's subsection of VERBS (.SS VERB) documents, as .TP tags,
    exactly the options of `xbuild VERB --help` (-h, --help: once, above);
  - README.md's "Using xbuild" block has exactly the usage line of every verb.

usage: check-synopsis.py XBUILD MAN_PAGE README
"""
import re
import subprocess
import sys

ESCAPES = {r"\fB": "", r"\fI": "", r"\fR": "", r"\fP": "", r"\-": "-", r"\(aq": "'",
           r"\(dq": '"', r"\&": "", r"\e": "\\"}
problems = []


def roff_text(line):
    """The text of one roff line (fonts dropped); unknown escapes are problems."""
    line = re.sub(r"^\.(?:B|I|BR|RB|BI|IB|IR|RI) ", "", line)
    for esc, text in ESCAPES.items():
        line = line.replace(esc, text)
    if "\\" in line:
        problems.append(f"man page: an escape this check does not know: {line}")
    return line


def roff_macro_text(line):
    """.BR -n ", " --config-only -> "-n, --config-only" (alternating fonts)."""
    m = re.match(r"^\.(B|I|BR|RB|BI|IB|IR|RI) (.*)$", line)
    if not m:
        return roff_text(line)
    words = re.findall(r'"([^"]*)"|(\S+)', m.group(2))
    joined = "".join(a or b for a, b in words) if len(m.group(1)) == 2 else \
        " ".join(a or b for a, b in words)
    return roff_text(joined)


def xbuild(*args):
    return subprocess.run(list(args), capture_output=True, text=True, check=True).stdout


def code_side(exe):
    main_usage = xbuild(exe, "--help").splitlines()[0]
    verbs = re.findall(r"^  ([\w-]+) ", xbuild(exe, "--help"), re.M)
    usage, options = {}, {}
    for v in verbs:
        text = xbuild(exe, v, "--help")
        usage[v] = text.splitlines()[0]
        opts = text.split("\noptions:\n", 1)[1].splitlines()
        options[v] = {re.split(r"\s{2,}", o.strip())[0] for o in opts} - {"-h, --help"}
    return main_usage, verbs, usage, options


def man_synopsis(lines):
    """The lines of the SYNOPSIS .nf block, continuation lines joined."""
    i = lines.index(".SH SYNOPSIS")
    nf = lines.index(".nf", i)
    if any(line.startswith(".SH ") for line in lines[i + 1:nf]):
        problems.append("man page: SYNOPSIS does not start with a .nf block")
        return []
    block = lines[nf + 1:lines.index(".fi", nf)]
    out = []
    for line in block:
        text = roff_text(line)
        if line[:1].isspace() and out:
            out[-1] += " " + text.strip()
        else:
            out.append(text)
    return out


def man_options(lines):
    """{verb: {".TP tag", ...}} of the .SS subsections of VERBS."""
    opts, verb = {}, None
    start, end = lines.index(".SH VERBS"), None
    for j in range(start + 1, len(lines)):
        if lines[j].startswith(".SH "):
            end = j
            break
    for j in range(start + 1, end or len(lines)):
        if lines[j].startswith(".SS "):
            verb = lines[j][4:].strip()
            opts[verb] = set()
        elif lines[j] == ".TP" and verb:
            opts[verb].add(roff_macro_text(lines[j + 1]))
    return opts


def readme_usage(path):
    text = open(path, encoding="utf-8").read()
    section = text.split("## Using xbuild", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"\n\n((?:    .*\n)+)", section).group(1)
    return [re.sub(r"\s+#.*$", "", line[4:]).rstrip() for line in block.splitlines()]


def same(where, verb, got, want):
    if got != want:
        problems.append(f"{where}, {verb}:\n    {got}\n  xbuild {verb} --help:\n    {want}")


def main(argv):
    exe, man_path, readme = argv
    main_usage, verbs, usage, options = code_side(exe)
    lines = open(man_path, encoding="utf-8").read().splitlines()
    version = xbuild(exe, "--version").strip()
    th = next((line for line in lines if line.startswith(".TH ")), "")
    if f'"{version}"' not in th:
        problems.append(f"man page: .TH does not name \"{version}\": {th}")

    synopsis = man_synopsis(lines)
    same("man page SYNOPSIS", "(xbuild)", synopsis[0] if synopsis else None,
         main_usage[len("usage: "):])
    by_verb = {s.split()[1]: s for s in synopsis[1:] if len(s.split()) > 1}
    man_opts = man_options(lines)
    readme_by_verb = {s.split()[1]: s for s in readme_usage(readme) if len(s.split()) > 1}
    for v in verbs:
        want = usage[v][len("usage: "):]
        same("man page SYNOPSIS", v, by_verb.get(v), want)
        same("README.md \"Using xbuild\"", v, readme_by_verb.get(v), want)
        same("man page VERBS .SS " + v + " .TP options", v, man_opts.get(v, set()), options[v])
    for extra in sorted(set(by_verb) - set(verbs)):
        problems.append(f"man page SYNOPSIS: \"{extra}\" is not a verb of xbuild --help")
    for extra in sorted(set(readme_by_verb) - set(verbs)):
        problems.append(f"README.md: \"{extra}\" is not a verb of xbuild --help")
    for p in problems:
        print(f"FAIL: {p}")
    print(f"{len(verbs)} verbs checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
