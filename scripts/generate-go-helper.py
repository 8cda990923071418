#!/usr/bin/env python3
"""Embeds Sources/HeadroomSource/Go/headroom_go.go in GoHelperSource.swift, so the headroom binary carries the Go
helper's source and builds it once (`GoAST`), with no resource files next to it.

    scripts/generate-go-helper.py          # rewrite the Swift file
    scripts/generate-go-helper.py --check  # exit 1 when the Swift file is not the .go file's current text
"""
from embed_helper import run

if __name__ == "__main__":
    run("Sources/HeadroomSource/Go/headroom_go.go", "Sources/HeadroomSource/GoHelperSource.swift", "GoHelperSource",
        ["The Go program behind `GoAST` (Go/headroom_go.go): it uses go/parser and go/types, so positions, names",
         "and types are exact. It reads one JSON request on stdin and writes one JSON answer on stdout."],
        "scripts/generate-go-helper.py")
