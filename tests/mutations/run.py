#!/usr/bin/env python3
"""run.py SOURCE_ROOT: the tests catch the bugs they are there to catch.

Each mutation below is a small, plausible bug in the builder. For each, a
copy of the source tree (never the tree itself) is changed, the named unit
test is rebuilt and run, and it must FAIL; then the copy is restored before
the next mutation. A mutation that no longer applies (the code moved) is a
failure too: update the table with the code.
"""
import os
import shutil
import subprocess
import sys
import tempfile

MUTATIONS = [
    # (what, file, original text, mutated text, the test that must fail)
    ("p2m pairs swapped inside each 2 MiB extent (disagrees with Xen's M2P)",
     "lib/builder/domain/create.c",
     "b->p2m[first + i] = frame + i;", "b->p2m[first + i] = frame + (i ^ 1);",
     "test_create"),
    ("page-table frames mapped writable in the bootstrap mapping",
     "lib/builder/guest/pv_x86.c",
     "is_pgtable(lo, pfn) ? PROT_L1 & ~PTE_RW : PROT_L1", "is_pgtable(lo, pfn) ? PROT_L1 : PROT_L1",
     "test_create"),
    ("rollback leaves the domain's xenstore nodes",
     "lib/builder/domain/create.c",
     "    xb__xs_domain_remove(b->ctx->xs, berr(b), b->domid);\n", "",
     "test_create"),
    ("the name claim outlives its domain",
     "lib/builder/domain/names.c",
     "if (rc == 0 && strtoul(holder, NULL, 10) == domid)",
     "if (rc == 0 && strtoul(holder, NULL, 10) == domid + 1)",
     "test_create"),
    ("a name claimed by a live domain is taken anyway",
     "lib/builder/domain/names.c",
     "rc = strcmp(have, c->name) == 0 ? -EEXIST : 0;", "rc = 0;",
     "test_lifecycle"),
]

TESTS = {"test_create": "tests/unit/test_create", "test_lifecycle": "tests/unit/test_lifecycle"}


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          **kw)


def copy_tree(src, dst):
    files = run(["git", "-C", src, "ls-files", "-co", "--exclude-standard"]).stdout.split()
    if not files:  # not a git checkout: everything but build output
        files = [os.path.relpath(os.path.join(d, f), src)
                 for d, dirs, names in os.walk(src)
                 for f in names if not os.path.relpath(d, src).startswith(("build", ".git"))]
    for f in files:
        if f.startswith("tests/lab/cache") or not os.path.isfile(os.path.join(src, f)):
            continue
        os.makedirs(os.path.join(dst, os.path.dirname(f)), exist_ok=True)
        shutil.copy2(os.path.join(src, f), os.path.join(dst, f), follow_symlinks=False)


def main(root):
    tmp = tempfile.mkdtemp(prefix="xb-mutations.")
    failures = 0
    try:
        src, build = os.path.join(tmp, "src"), os.path.join(tmp, "build")
        copy_tree(root, src)
        r = run(["meson", "setup", build, src, "-Dfuzz=false"])
        if r.returncode:
            print(r.stdout[-2000:])
            return 1
        env = dict(os.environ, XB_GUESTS_DIR=os.path.join(build, "tests/guests"),
                   XB_FIXTURES=os.path.join(build, "tests/fixtures"))
        targets = list(TESTS.values()) + ["tests/fixtures/minios64.elf"]
        r = run(["ninja", "-C", build] + targets)
        if r.returncode:
            print(r.stdout[-3000:])
            return 1
        for name in TESTS:  # unmutated, every test passes
            if run([os.path.join(build, TESTS[name])], env=env).returncode:
                print(f"{name} fails on the unmutated tree")
                return 1
        for what, path, old, new, test in MUTATIONS:
            f = os.path.join(src, path)
            text = open(f).read()
            if text.count(old) != 1:
                print(f"MUTATION GONE: {what}: \"{old.strip()}\" is not in {path} once")
                failures += 1
                continue
            open(f, "w").write(text.replace(old, new))
            try:
                built = run(["ninja", "-C", build, TESTS[test]]).returncode == 0
                caught = built and \
                    run([os.path.join(build, TESTS[test])], env=env).returncode != 0
            finally:
                open(f, "w").write(text)
            verdict = "caught" if caught else "MISSED" if built else "DOES NOT BUILD"
            print(f"{verdict}: {what} ({path}, by {test})")
            failures += not caught
        run(["ninja", "-C", build] + list(TESTS.values()))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(MUTATIONS) - failures} of {len(MUTATIONS)} mutations caught")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(os.path.abspath(sys.argv[1])))
