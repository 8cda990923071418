#!/usr/bin/env python3
"""Share of public declarations in Sources/ with a `///` comment, per module and overall.

A declaration is a line whose modifiers include `public` or `open` and whose keyword is func, init, subscript, var,
let, struct, enum, class, actor, protocol or typealias (`public extension` is not one; `case`s of a public enum are
not counted). It is documented when the nearest line above it that is not an attribute (`@…`) is a `///` line.
Generated code (the pprof messages) and the embedded Python helpers are left out.

  python3 scripts/doc-coverage.py [--min PERCENT] [--list MODULE]

With --min the exit status is 1 when the overall share is below PERCENT.
"""
import argparse
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources")
SKIP = ("HeadroomPprof/", "PythonHelperScript.swift", "PythonSkillScript.swift")
DECL = re.compile(
    r"^\s*(?:@\S+\s+)*(?:(?:public|open|static|final|nonisolated|mutating|override|convenience|required|"
    r"indirect|lazy|weak|unowned|private\(set\)|fileprivate\(set\)|internal\(set\))\s+)*"
    r"(?:public|open)\s+(?:(?:static|final|nonisolated|mutating|override|convenience|required|indirect|lazy|"
    r"private\(set\)|internal\(set\))\s+)*(func|init|subscript|var|let|struct|enum|class|actor|protocol|typealias)\b")


def declarations(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for i, line in enumerate(lines):
        if not DECL.match(line):
            continue
        j = i - 1
        while j >= 0 and lines[j].strip().startswith("@"):
            j -= 1
        documented = j >= 0 and lines[j].strip().startswith("///")
        yield i + 1, line.strip(), documented


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--min", type=float, help="fail below this overall percentage")
    parser.add_argument("--list", metavar="MODULE", help="print the undocumented declarations of a module")
    args = parser.parse_args()
    per_module = {}
    for folder, _, files in os.walk(ROOT):
        for name in sorted(files):
            path = os.path.join(folder, name)
            relative = os.path.relpath(path, ROOT)
            if not name.endswith(".swift") or any(s in relative for s in SKIP):
                continue
            module = relative.split(os.sep)[0]
            counts = per_module.setdefault(module, [0, 0])
            for number, text, documented in declarations(path):
                counts[0] += documented
                counts[1] += 1
                if args.list == module and not documented:
                    print(f"{relative}:{number}: {text}")
    if args.list:
        return 0
    done = sum(c[0] for c in per_module.values())
    total = sum(c[1] for c in per_module.values())
    for module, (d, t) in sorted(per_module.items()):
        if t:
            print(f"{module:22} {d:5d}/{t:<5d} {100 * d / t:5.1f}%")
    share = 100 * done / max(total, 1)
    print(f"{'all':22} {done:5d}/{total:<5d} {share:5.1f}%")
    if args.min is not None and share < args.min:
        print(f"documentation coverage {share:.1f}% is below {args.min}%", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
