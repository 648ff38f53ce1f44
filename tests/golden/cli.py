#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The command line of xbuild itself: --help and --version, option parsing
(combined short options, options after operands, "--", conflicts), usage
errors, create's -n / --config-only / --dry-run / -f (a PVH dry run's ACPI
tables, and none with acpi=0), and the one format of
its messages. Nothing here needs Xen: no command reaches a real create.

usage: cli.py XBUILD VERSION GOLDEN_DIR FIXTURES_DIR
"""
import json
import os
import re
import subprocess
import sys

VERBS = ["block-attach", "block-detach", "block-list", "console", "create", "destroy",
         "dmesg", "domid", "domname", "dump-core", "help", "info", "inspect", "list",
         "mem-max", "mem-set", "migrate", "migrate-receive", "monitor", "network-attach",
         "network-detach", "network-list", "pause", "reboot", "rename", "restore", "save",
         "shutdown", "sysrq", "trigger", "unpause", "uptime", "vcpu-list", "vcpu-pin",
         "vcpu-set"]
# Each stderr line: "FILE:LINE:COL: error|warning: ..." or "xbuild: ...".
MESSAGE = re.compile(r"^(?:[^:\s][^:]*:\d+:\d+: (?:error|warning): \S|xbuild: \S)")

failures = []


def run(*args, cwd=None):
    p = subprocess.run([XBUILD, *args], capture_output=True, text=True, cwd=cwd,
                       timeout=60)
    for line in p.stderr.splitlines():
        if not MESSAGE.match(line) and not line.startswith("usage: xbuild "):
            fail(args, f"stderr line not in xbuild's format: {line!r}")
    return p


def fail(args, why):
    failures.append(f"xbuild {' '.join(args)}: {why}")


def expect(args, rc, stdout=None, stderr=None):
    """Run; check the exit status and, when given, that each regex matches
    the whole of stdout / stderr. Returns the process."""
    p = run(*args)
    if p.returncode != rc:
        fail(args, f"exit {p.returncode}, want {rc}\n{p.stderr}")
    for name, want, got in (("stdout", stdout, p.stdout), ("stderr", stderr, p.stderr)):
        if want is not None and not re.fullmatch(want, got, re.S):
            fail(args, f"{name} does not match {want!r}:\n{got}")
    return p


def usage_error(args, first_line):
    """Exit 2, nothing on stdout, "xbuild: VERB: ..." then the usage line."""
    verb = args[0]
    usage = (run(verb, "--help").stdout.splitlines() or ["usage: xbuild " + verb])[0]
    expect(args, 2, stdout="", stderr=re.escape(f"xbuild: {verb}: {first_line}\n{usage}\n"))


def check_help():
    expect(["--version"], 0, stdout=re.escape(f"xbuild {VERSION}\n"), stderr="")
    for flag in ("--help", "-h"):
        p = expect([flag], 0, stderr="")
        listed = re.findall(r"^  ([\w-]+) ", p.stdout, re.M)
        if listed != VERBS:
            fail([flag], f"lists {listed}, want {VERBS}")
    expect([], 2, stdout="", stderr=r"xbuild: no verb given \(xbuild --help lists them\)\nusage: xbuild .*\n")
    expect(["bogus"], 2, stdout="", stderr='xbuild: unknown verb "bogus"\nusage: xbuild .*\n')
    expect(["--bogus"], 2, stdout="",
           stderr='xbuild: unknown option "--bogus"\nusage: xbuild .*\n')
    for verb in VERBS:
        text = expect([verb, "--help"], 0, stderr="").stdout
        expect([verb, "-h"], 0, stdout=re.escape(text), stderr="")
        expect(["help", verb], 0, stdout=re.escape(text), stderr="")
        if not re.match(rf"usage: xbuild {verb}( |\n)", text):
            fail([verb, "--help"], f"first line is not the usage: {text}")
        if "\noptions:\n" not in text or not re.search(r"^  -h, --help  +\S", text, re.M):
            fail([verb, "--help"], "no options list with -h, --help")
        # every option of the usage line has its own line in the list
        for opt in re.findall(r"\[(-[^] ]+)", (text.splitlines() or [""])[0]):
            for form in opt.split("|"):
                if not re.search(rf"^  (?:-\w, )?(?:    )?{re.escape(form)}\b", text, re.M):
                    fail([verb, "--help"], f"{form} has no line of its own")
        usage_error([verb, "--bogus"], 'unknown option "--bogus"')
        usage_error([verb, "-Q"], 'unknown option "-Q"')
    usage_error(["help", "bogus"], 'unknown verb "bogus"')


def check_parsing():
    usage_error(["console", "-n"], "-n needs an argument (N)")
    usage_error(["console", "-n", "x", "dom"], '-n: expected a console number, got "x"')
    usage_error(["console"], "no DOMAIN given")
    usage_error(["destroy"], "no DOMAIN given")
    usage_error(["destroy", "a", "b"], "one DOMAIN at a time")
    usage_error(["inspect"], "no KERNEL given")
    usage_error(["create"], "no config file given")
    usage_error(["create", "-f"], "-f needs an argument (CFG)")
    usage_error(["create", "-f", "a.cfg", "-f", "b.cfg"], "-f given twice")
    usage_error(["create", "--dry-run=yes", "a.cfg"], "--dry-run takes no argument")
    usage_error(["create", "a.cfg", "b.cfg"], '"b.cfg" is not KEY=VALUE (one config file at a time)')
    for a, b in (("--dry-run", "-n"), ("-n", "--dry-run"), ("--config-only", "--dry-run"),
                 ("-c", "--dry-run"), ("--dry-run", "-p"), ("-c", "-n"), ("-p", "--config-only"),
                 ("--timings", "--dry-run"), ("-n", "--timings")):
        usage_error(["create", a, "a.cfg", b], f"{a} and {b} cannot be given together")
    usage_error(["create", "-qcn", "a.cfg"], "-c and -n cannot be given together")
    # options after an operand, for every verb (one parser): inspect KERNEL --json
    p = expect(["inspect", os.path.join(FIXTURES, "minios64.gz"), "--json"], 0, stderr="")
    if p.returncode == 0 and "guest_types" not in json.loads(p.stdout or "{}"):
        fail(["inspect", "KERNEL", "--json"], "not the JSON of the image")


def spec_only(args, cfg):
    """create ARGS prints {"spec"} alone (the kernel not read); returns the spec."""
    p = run(*args)
    if p.returncode != 0:
        fail(args, f"exit {p.returncode}:\n{p.stderr}")
        return None
    try:
        j = json.loads(p.stdout)
    except ValueError:
        fail(args, f"stdout is not JSON: {p.stdout[:200]!r}")
        return None
    if list(j) != ["spec"]:
        fail(args, f"members {list(j)}, want only spec")
    return j["spec"]


def check_create():
    missing = os.path.join(GOLDEN, "kernel-not-read.cfg")   # kernel and ramdisk absent
    warns = os.path.join(GOLDEN, "xm-era.cfg")              # a warning (builder), a disk
    embox = os.path.join(GOLDEN, "embox.cfg")               # a stand-in kernel, a vif
    spec = spec_only(["create", "-n", missing], missing)
    for args in (["create", "--config-only", missing], ["create", missing, "-n"],
                 ["create", "-n", "-f", missing], ["create", "-f", missing, "--config-only"],
                 ["create", "-nf" + missing], ["create", "-n", "--", missing]):
        if spec_only(args, missing) != spec:
            fail(args, "not the same spec as create -n CFG")
    # -q: no warnings, also combined and after the config
    expect(["create", "-n", warns], 0, stderr=r".*xm-era\.cfg:4:1: warning: builder = .*")
    expect(["create", warns, "-qn"], 0, stderr="")
    # "--" ends the options: what follows is an operand
    usage_error(["create", "-n", "--", warns, "-q"], '"-q" is not KEY=VALUE (one config file at a time)')
    # --dry-run reads the kernel: missing files are errors at their keys
    expect(["create", "--dry-run", missing], 1, stdout="",
           stderr=r"\S+kernel-not-read\.cfg:4:10: error: kernel: cannot open .*\n"
                  r"\S+kernel-not-read\.cfg:5:11: error: ramdisk: cannot open .*\n")
    # a kernel that cannot be loaded: one line at the kernel key, nothing on stdout
    expect(["create", "--dry-run", embox], 1, stdout="",
           stderr=r"\S+embox\.cfg:4:10: error: kernel: \S+xen_embox: unrecognised image: [^\n]*\n")
    # a builder error about an override: at its place on the command line
    minios = os.path.join(FIXTURES, "minios64.gz")
    expect(["create", "--dry-run", "-q", embox, "vif=[]", f"kernel={minios}", "memory=1"], 1,
           stdout="",
           stderr=r"<command line>:3:8: error: memory: the kernel's bootstrap mapping needs "
                  r"\d+ MiB but the domain has 1 MiB; raise memory\n")
    # --dry-run checks the devices as create does: a bridge the (simulated) dom0 lacks
    expect(["create", "--dry-run", embox, "vif=['bridge=nobr0']", f"kernel={minios}"], 1,
           stdout="",
           stderr=r"<command line>:1:6: error: vif 1, bridge: dom0 has no interface nobr0: "
                  r"[^\n]*\n")
    p = expect(["create", "--dry-run", "-q", embox, f"kernel={minios}"], 0, stderr="")
    if p.returncode == 0:
        j = json.loads(p.stdout)
        if list(j) != ["spec", "image", "layout"] or not j["image"] or not j["layout"]:
            fail(["create", "--dry-run", "CFG"], f"members {list(j)}, want spec, image, layout")
    # PVH: the layout places the ACPI tables (segment, E820 entry, RSDP); acpi=0 none
    pvh = os.path.join(FIXTURES, "pvh64.elf")
    for extra, want in (([], ("0xfc000000", ["ram", "acpi", "reserved"], 1)),
                        (["acpi=0"], ("0x0", ["ram", "reserved"], 0))):
        args = ["create", "--dry-run", "-q", embox, f"kernel={pvh}", 'type="pvh"', *extra]
        p = expect(args, 0, stderr="")
        if p.returncode == 0:
            lo = json.loads(p.stdout)["layout"]
            got = (lo["rsdp"], [e["type"] for e in lo["e820"]],
                   sum(1 for s in lo["segments"] if s["name"] == "acpi"
                       and s["start"] == "0xfc000000" and s["pages"] == 1))
            if got != want:
                fail(args, f"layout rsdp, E820 types, acpi segments {got}, want {want}")
    # a message without a config position
    expect(["create", "-n", "does-not-exist.cfg"], 1, stdout="",
           stderr=r"xbuild: does-not-exist\.cfg: [^\n]+\n")


def main(argv):
    global XBUILD, VERSION, GOLDEN, FIXTURES
    XBUILD, VERSION, GOLDEN, FIXTURES = os.path.abspath(argv[0]), argv[1], argv[2], argv[3]
    check_help()
    check_parsing()
    check_create()
    for f in failures:
        print(f"FAIL: {f}")
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
