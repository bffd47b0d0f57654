#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The architecture as a test (docs/hacking.md), run by "make check".

Three views of the same rules, so that no edge hides from all of them:
  includes  which folder includes headers of which, whatever the spelling
            ('# include "x.h"', '<x.h>' found through -I, "../engine/x.h");
  links     which object needs a symbol that which other object defines
            (nm on the built objects): a bare prototype or 'extern' in a .c
            file is an edge no include shows, and so is a header that
            declares what another folder's object defines;
  folders   every folder with C files has a rule: a new folder is not
            exempt by being new.
plus no include circle among headers.

usage: layers.py [--root DIR] [--objdir DIR]
"""
import argparse
import os
import re
import subprocess
import sys

# folder -> what its files may include and link: a folder, or one header of
# a folder ("bench/registry.h" allows that header and linking the object of
# the same name, bench/registry.o).
RULES = {
    "lib": ["lib"],
    "store": ["lib", "store"],
    "engine": ["lib", "store", "engine", "bench/bench.h", "bench/registry.h"],
    "bench": ["lib", "engine", "bench"],
    "bench/helper": [],  # a static program of its own: libc only
    "stress": ["lib", "engine", "stress"],
    "analysis": ["lib", "store", "analysis"],
    "vm": ["lib", "engine", "bench/registry.h", "vm"],
    "cmd": ["lib", "engine", "bench", "stress", "analysis", "store", "vm", "cmd"],
}
# Folders without rules because they are not part of the program's layers.
NOT_LAYERS = ("tests", "docs", "results", "plots", "configs", "scripts", ".git", ".ci")
# Objects the build makes outside the folders, and the folder they belong to.
GENERATED = {"version.o": "lib"}  # fb_version, declared in lib/util.h

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def source_folders(root):
    """Every folder below root holding .c or .h files, outside NOT_LAYERS."""
    found = set()
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        if rel == ".":
            continue
        top = rel.split(os.sep)[0]
        if top in NOT_LAYERS or top.startswith("build") or top.startswith("."):
            dirnames[:] = []
            continue
        if any(f.endswith((".c", ".h")) for f in filenames):
            found.add(rel.replace(os.sep, "/"))
    return found


def headers(root, folders):
    """basename -> folder/name.h, for every project header."""
    out = {}
    for d in folders:
        for f in os.listdir(os.path.join(root, d)):
            if f.endswith(".h"):
                out[f] = d + "/" + f
    return out


def allowed(folder, target):
    """May a file of folder use target ("engine/runner.h" or "engine/runner.o")?"""
    stem = os.path.splitext(target)[0]
    tfolder = os.path.dirname(target)
    for a in RULES.get(folder, []):
        if a.endswith(".h"):
            if stem == os.path.splitext(a)[0]:
                return True
        elif tfolder == a:
            return True
    return False


def resolve(kind, name, hdrs):
    """The project header an include names, or None for a system header."""
    base = os.path.basename(name)
    p = hdrs.get(base)
    if not p:
        return None
    if kind == "<" and os.path.exists(os.path.join("/usr/include", name)):
        return None  # a system header of the same name
    return p


def check_includes(root, folders, hdrs):
    bad = []
    for d in sorted(folders):
        for f in sorted(os.listdir(os.path.join(root, d))):
            if not f.endswith((".c", ".h")):
                continue
            text = open(os.path.join(root, d, f), errors="replace").read()
            for kind, name in INCLUDE.findall(text):
                p = resolve(kind, name, hdrs)
                if p and not allowed(d, p):
                    bad.append("layers: %s/%s includes %s (%s/ may use: %s)" %
                               (d, f, p, d, " ".join(RULES[d]) or "nothing of the project"))
    return bad


def check_circles(root, hdrs):
    inc = {}
    for base, p in hdrs.items():
        text = open(os.path.join(root, p), errors="replace").read()
        inc[base] = [os.path.basename(n) for k, n in INCLUDE.findall(text)
                     if resolve(k, n, hdrs)]
    state, bad = {}, []

    def walk(n, stack):
        state[n] = 1
        for h in inc[n]:
            if state.get(h) == 1:
                bad.append("layers: include circle: " +
                           " -> ".join(stack[stack.index(h):] + [h]))
            elif not state.get(h):
                walk(h, stack + [h])
        state[n] = 2

    for n in sorted(inc):
        if not state.get(n):
            walk(n, [n])
    return bad


def nm(objdir, objs):
    """Per object: the global symbols it defines and those it needs (one nm call)."""
    out = subprocess.run(["nm", "-P", "-A"] + sorted(objs), cwd=objdir,
                         capture_output=True, text=True, check=True).stdout
    defined = {o: set() for o in objs}
    needed = {o: set() for o in objs}
    for line in out.splitlines():
        # "engine/runner.o: runner_run_step T 0000 0010"
        head, _, rest = line.partition(": ")
        parts = rest.split()
        if head not in defined or len(parts) < 2:
            continue
        if parts[1] == "U":
            needed[head].add(parts[0])
        elif parts[1].isupper():  # global: local (lower-case) symbols link nothing
            defined[head].add(parts[0])
    return defined, needed


def check_links(root, folders, objdir):
    objs, missing = {}, []
    for d in sorted(folders):
        if d not in RULES:
            continue
        for f in sorted(os.listdir(os.path.join(root, d))):
            if not f.endswith(".c"):
                continue
            o = "%s/%s.o" % (d, f[:-2])
            if d == "bench/helper":
                continue  # linked on its own, statically: nothing to resolve against
            if os.path.exists(os.path.join(objdir, o)):
                objs[o] = d
            else:
                missing.append(o)
    for o, d in GENERATED.items():
        if os.path.exists(os.path.join(objdir, o)):
            objs[o] = d
    if missing:
        return ["layers: %s has no %s: build first (make)" % (objdir, ", ".join(missing[:3]) +
                                                              (" ..." if len(missing) > 3 else ""))]
    owner = {}
    defined, needs = nm(objdir, objs)
    for o in sorted(objs):
        for s in defined[o]:
            owner.setdefault(s, o)
    bad = []
    for o, needed in sorted(needs.items()):
        d = objs[o]
        for s in sorted(needed):
            t = owner.get(s)
            if not t or objs[t] == d:
                continue
            target = t if t not in GENERATED else GENERATED[t] + "/" + t
            if not allowed(d, target):
                bad.append("layers: %s needs %s from %s (%s/ may use: %s)" %
                           (o, s, t, d, " ".join(RULES[d]) or "nothing of the project"))
    return bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=os.path.join(os.path.dirname(__file__), "..", ".."))
    ap.add_argument("--objdir", default=None)
    a = ap.parse_args()
    root = os.path.abspath(a.root)
    objdir = os.path.abspath(a.objdir or os.path.join(root, os.environ.get("O", "build")))
    folders = source_folders(root)
    bad = ["layers: folder %s/ has no rule in tests/tools/layers.py" % d
           for d in sorted(folders - set(RULES))]
    hdrs = headers(root, folders & set(RULES))
    bad += check_includes(root, folders & set(RULES), hdrs)
    bad += check_circles(root, hdrs)
    bad += check_links(root, folders, objdir)
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
