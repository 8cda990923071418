#!/usr/bin/env python3
"""Embeds Sources/HeadroomSource/Python/headroom_ast.py in PythonHelperScript.swift, so the headroom binary runs it
with `python3 -c` and needs no resource files next to it.

    scripts/generate-python-helper.py          # rewrite the Swift file
    scripts/generate-python-helper.py --check  # exit 1 when the Swift file is not the .py file's current text
"""
from embed_helper import run

if __name__ == "__main__":
    run("Sources/HeadroomSource/Python/headroom_ast.py", "Sources/HeadroomSource/PythonHelperScript.swift",
        "PythonHelperScript",
        ["The Python program behind `PythonAST` (Python/headroom_ast.py): it uses Python's own `ast`, so positions",
         "and syntax verdicts are exact. It reads one JSON request on stdin and writes one JSON answer on stdout."],
        "scripts/generate-python-helper.py")
