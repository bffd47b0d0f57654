#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""SIGTERM at many moments of `faultbench noise` and `faultbench suite`
(issue 23 D6), run by hand: a hunt for the windows where a signal is lost.

Each trial starts the command in a session of its own (so every process it
starts can be found, and only they), sends SIGTERM to the top process alone
(as a service manager or `kill PID` does; --to group: to all of them, as
timeout(1) or Ctrl-C do) after a random delay, and checks
the rules of a signal (docs/hardening.md):

  - the top process ends, and no process of its session is left when it
    has exited (each waits for its children, so that is no race: a job a
    lost signal left going runs on for seconds); a hang is found by a
    generous limit (--hang, 60 s), never by a speed threshold;
  - it exits 143 (128 + SIGTERM) with exit(), not by the default action,
    once it could have measured anything (the first "== job" or "== noise"
    line); before that, death by the signal itself is allowed (nothing to
    keep);
  - what was measured is kept and the summary printed: a suite that started
    a job prints its summary; noise says it was interrupted.

A trial whose process had already ended (a zombie) when the signal was sent
is counted as "late" and not judged.

  tests/tools/sigterm-storm.py --faultbench build/faultbench --trials 200
  tests/tools/sigterm-storm.py --cmd suite --max-delay 1.2 --trials 100
  tests/tools/sigterm-storm.py --to group    # as timeout(1) and Ctrl-C do

Exit status 0 when every judged trial kept the rules, 1 otherwise; every
failure is described with its delay, output and the processes left.
"""
import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

CONFIG = """[global]
cpus = 1
samples = 3
sample-time = 0.1
warmup = 0.05
size = 64k
progress = off
[pf1]
[pf3]
"""


def session_members(sid):
    """Pids of the live (not zombie) processes of session sid."""
    pids = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        # fields[0] is the state, fields[3] the session
        if int(fields[3]) == sid and fields[0] != "Z":
            pids.append(int(name))
    return pids


def describe(pids):
    out = []
    for p in pids:
        try:
            with open("/proc/%d/cmdline" % p, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            cmd = "?"
        out.append("  %d %s" % (p, cmd.strip()))
    return "\n".join(out)


def state_of(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
        return s[s.rindex(")") + 2]
    except OSError:
        return "?"


def judge(kind, rc, out):
    """What broke the rules in one trial's ending, or None."""
    started = ("== job" in out) if kind == "suite" else ("== noise: run" in out)
    if rc == -signal.SIGTERM:
        return "killed by the default action after it started" if started else None
    if rc != 143:
        return "exit %d, expected 143" % rc
    if kind == "suite" and "== job" in out and "\nsuite " not in out:
        return "143 without the summary"
    if kind == "noise" and "interrupted" not in out:
        return "143 without saying it was interrupted"
    return None


def trial(args, kind, delay, work, n):
    res = os.path.join(work, "r%d" % n)
    cmd = [args.faultbench, kind, os.path.join(work, "c.ini"), "--label", "t",
           "--results", res]
    if kind == "noise":
        cmd += ["--runs", "3"]
    env = dict(os.environ, FB_TEST_NO_INTERFERENCE="1")
    log = open(os.path.join(work, "out%d.txt" % n), "w+")
    p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env,
                         start_new_session=True)
    time.sleep(delay)
    late = state_of(p.pid) == "Z"
    if args.to == "group":
        os.killpg(p.pid, signal.SIGTERM)
    else:
        p.send_signal(signal.SIGTERM)
    try:
        rc = p.wait(timeout=args.hang)
    except subprocess.TimeoutExpired:
        left = session_members(p.pid)
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        return "fail", "still running %g s after SIGTERM:\n%s" % (args.hang, describe(left))
    # the top process is gone: its children must be too (within the same limit)
    t_end = time.monotonic() + args.hang
    left = session_members(p.pid)
    at_exit = list(left)
    while left and time.monotonic() < t_end:
        time.sleep(0.05)
        left = session_members(p.pid)
    if left:
        desc = describe(left)
        os.killpg(p.pid, signal.SIGKILL)
        return "fail", "processes left %g s after it exited %d:\n%s" % (args.hang, rc, desc)
    log.seek(0)
    out = log.read()
    log.close()
    if at_exit:
        return "fail", "exit %d with processes of its session still running:\n%s" % (
            rc, describe(at_exit))
    if late:
        shutil.rmtree(res, ignore_errors=True)
        os.unlink(os.path.join(work, "out%d.txt" % n))
        return "late", None
    why = judge(kind, rc, out)
    if why:
        return "fail", why + "\n--- output:\n" + out[-3000:]
    shutil.rmtree(res, ignore_errors=True)
    os.unlink(os.path.join(work, "out%d.txt" % n))
    return "ok", None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--faultbench", default="build/faultbench")
    ap.add_argument("--cmd", choices=["noise", "suite", "both"], default="both")
    ap.add_argument("--trials", type=int, default=100, help="per command")
    ap.add_argument("--max-delay", type=float, default=0,
                    help="seconds (default: 3.5 for noise, 1.2 for suite)")
    ap.add_argument("--to", choices=["pid", "group"], default="pid",
                    help="the top process alone (kill PID, a service manager), or its "
                    "whole process group (Ctrl-C, timeout(1))")
    ap.add_argument("--hang", type=float, default=60)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory")
    args = ap.parse_args()
    args.faultbench = os.path.abspath(args.faultbench)
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    work = tempfile.mkdtemp(prefix="sigterm-storm-")
    with open(os.path.join(work, "c.ini"), "w") as f:
        f.write(CONFIG)
    kinds = ["noise", "suite"] if args.cmd == "both" else [args.cmd]
    counts = {}
    failures = 0
    n = 0
    print("seed %d, scratch %s" % (seed, work))
    for kind in kinds:
        top = args.max_delay or (3.5 if kind == "noise" else 1.2)
        for _ in range(args.trials):
            delay = rng.uniform(0, top)
            n += 1
            what, why = trial(args, kind, delay, work, n)
            counts[(kind, what)] = counts.get((kind, what), 0) + 1
            if why:
                failures += 1
                print("FAIL %s, SIGTERM after %.3f s (trial %d): %s" % (kind, delay, n, why),
                      flush=True)
    for kind in kinds:
        print("%s: %d ok, %d failed, %d late (ended before the signal)" %
              (kind, counts.get((kind, "ok"), 0), counts.get((kind, "fail"), 0),
               counts.get((kind, "late"), 0)))
    if not args.keep and not failures:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
