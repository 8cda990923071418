#!/usr/bin/env python3
"""Runs a test command under a time limit and, when the limit is reached, says why before stopping it.

A hung test otherwise ends a CI run at the runner's own limit with nothing to read. On time-out this prints the tests
that started and never finished (from swift-testing's "◇ Test … started." and "✔/✘ Test …" lines), every process
still running under the command with its command line, and the stacks of every thread of the test process (gdb,
when installed), then kills the whole process group and exits 124.

    python3 scripts/watchdog.py --minutes 45 -- swift test --skip-build
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import threading

# A test is named by its display name in quotes or by its function (`name()`); the cases of a parameterised test
# ("Test case passing …") have no line of their own when they end, so they are not tracked.
STARTED = re.compile(r"^\S+ Test (?!case passing )(.+?) started\.$")
FINISHED = re.compile(r"^\S+ Test (?!case passing )(.+?) with \d+ tests?(?: cases?)? (?:passed|failed)|"
                      r"^\S+ Test (?!case passing )(.+?) (?:passed|failed|skipped)(?: after|\.|:|$)")


def descendants(root):
    """`root` and the processes under it (pid, command line), found through /proc."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except OSError:
            continue
    found, queue = [], [0]
    children[0] = [root]
    while queue:
        pid = queue.pop()
        for child in children.get(pid, []):
            try:
                with open(f"/proc/{child}/cmdline", "rb") as cmdline:
                    command = cmdline.read().replace(b"\0", b" ").decode(errors="replace").strip()
            except OSError:
                continue
            found.append((child, command))
            queue.append(child)
    return found


def report(root, running):
    """What was going on when the limit was reached."""
    print("\nwatchdog: the tests are still running at the time limit", flush=True)
    for name in sorted(running):
        print(f"watchdog: not finished: {name}", flush=True)
    processes = descendants(root)
    for pid, command in processes:
        print(f"watchdog: process {pid}: {command[:300]}", flush=True)
    tests = [pid for pid, command in processes if "PackageTests" in command or "xctest" in command]
    gdb = subprocess.run(["sh", "-c", "command -v gdb"], capture_output=True, text=True).stdout.strip()
    if not gdb:
        print("watchdog: gdb is not installed, no stacks", flush=True)
        return
    for pid in tests:
        print(f"watchdog: the threads of {pid}:", flush=True)
        try:
            stacks = subprocess.run(
                [gdb, "-p", str(pid), "-batch", "-ex", "thread apply all bt 25"],
                capture_output=True, text=True, timeout=180).stdout
        except subprocess.TimeoutExpired:
            stacks = "(gdb did not answer within 180 s)"
        for line in stacks.splitlines():
            if line.startswith(("Thread ", "#")):
                print(line[:240], flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, required=True)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command")
    child = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    running, lock = set(), threading.Lock()

    def pump():
        for raw in child.stdout:
            sys.stdout.buffer.write(raw)
            sys.stdout.flush()
            line = raw.decode(errors="replace")
            with lock:
                if (match := STARTED.match(line)) and match.group(1) != "run":  # the whole run
                    running.add(match.group(1))
                elif match := FINISHED.match(line):
                    running.discard(match.group(1) or match.group(2))

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        code = child.wait(timeout=args.minutes * 60)
    except subprocess.TimeoutExpired:
        with lock:
            unfinished = set(running)
        report(child.pid, unfinished)
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
        reader.join(timeout=10)
        print(f"watchdog: stopped after {args.minutes:g} minutes", flush=True)
        return 124
    reader.join(timeout=30)
    return code


if __name__ == "__main__":
    sys.exit(main())
