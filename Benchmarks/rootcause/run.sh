#!/usr/bin/env bash
# Root-cause evaluation: top-1/top-3 accuracy on generated scenarios and time per regression on a 10,000-commit
# repository. Usage: Benchmarks/rootcause/run.sh [SEEDS] (default 101-120, seeds never used for tuning).
set -euo pipefail
cd "$(dirname "$0")/../.."
seeds="${1:-101-120}"
swift build -c release >/dev/null
bin="$(swift build -c release --show-bin-path)/headroom"
python3 -c 'import numpy' 2>/dev/null || python3 -m pip install --quiet numpy
echo "== accuracy (seeds $seeds; 12 deploy windows of 20 commits each per seed)"
python3 Benchmarks/rootcause/evaluate.py --headroom "$bin" --seeds "$seeds" --work /tmp/headroom-rootcause-eval
echo
echo "== scale: one repository of 10,000 commits (500 deploys), regressions in its last 12 windows (seed 7)"
python3 Benchmarks/rootcause/evaluate.py --headroom "$bin" --seeds 7 --windows 500 --work /tmp/headroom-rootcause-scale
