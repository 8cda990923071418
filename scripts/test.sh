#!/usr/bin/env bash
# The test command: installs what the tests need, builds, and runs the whole suite (unit, CLI end-to-end, and the
# demo pipeline end to end with real py-spy profiles).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-tools.sh
# Python: the helper's embedded copy is current, pyflakes finds nothing in any Python file, the helper's unit tests pass.
python3 scripts/generate-python-helper.py --check
# Go: the Go helper's embedded copy is current and gofmt-clean; go vet finds nothing in it.
python3 scripts/generate-go-helper.py --check
test -z "$(gofmt -l Sources/HeadroomSource/Go Tests/Fixtures/skills-go)" || { gofmt -l Sources/HeadroomSource/Go Tests/Fixtures/skills-go; exit 1; }
(helper=$(mktemp -d) && cp Sources/HeadroomSource/Go/headroom_go.go "$helper/main.go" && cd "$helper" \
  && printf 'module headroomgo\n\ngo 1.19\n' >go.mod && go vet . && rm -rf "$helper")
python3 -m pyflakes Sources Tests Benchmarks scripts
python3 -m pytest -q Tests/python
# Swift style: .swift-format (4 spaces, 120 columns), nothing to report.
swift format lint --strict --recursive Sources Tests Package.swift
# Documentation: at least 70% of public declarations carry a /// comment (scripts/doc-coverage.py lists the rest).
python3 scripts/doc-coverage.py --min 70 | tail -1
# Our targets build without a warning (Package.swift turns them into errors under this variable).
export HEADROOM_WARNINGS_AS_ERRORS=1
# Every module a target imports is one it declares (no reliance on what a dependency happens to pull in).
swift build --build-tests --explicit-target-dependency-import-check error
# The dashboard's screenshots (headless Chromium) are kept here for people to look at.
export HEADROOM_SCREENSHOTS="$PWD/.build/test-output/screenshots"
mkdir -p "$HEADROOM_SCREENSHOTS"
# Under a watchdog: a hung test ends the run after 50 minutes with the tests not finished and every thread's stack
# printed, instead of at CI's own limit with nothing to read.
python3 scripts/watchdog.py --minutes 50 -- swift test --skip-build
echo "dashboard screenshots: $HEADROOM_SCREENSHOTS"
# The readers against the real captures in ../shared/conformance (skips with a message where it is absent).
python3 Benchmarks/conformance/run.py --check --headroom .build/debug/headroom
# The newcomer's first hour: the demo, every next command it prints, and the usual steps off the happy path.
scripts/first-hour.sh --headroom .build/debug/headroom
