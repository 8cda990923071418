#!/usr/bin/env bash
# MCP latency benchmark: read-only tool calls over MCP on a store holding 10M samples, with MCP's own `ping` on the
# same session as the reference (the transport's floor), in one run.
#
#   Benchmarks/mcp/run.sh [CALLS]     (default 300 per tool)
#
# Builds release binaries, then (once, cached in .build-bench/mcp) fills a store with 10 pprof profiles of 1M
# samples each from headroom-synth (seeds 1-10, 10 minutes apart: 10M samples, ~20k stacks, ~6k functions) and
# runs `headroom detect` on it. Then Benchmarks/mcp/latency.py connects with the official MCP Python SDK over stdio
# and over Streamable HTTP and times each read-only tool CALLS times, interleaved with pings, printing p50/p90/p99/max
# per tool, the ratio of each p99 to ping's, and whether p99 is within the 50 ms target.
set -euo pipefail
cd "$(dirname "$0")/../.."
calls="${1:-300}"
work="${BENCH_DIR:-.build-bench}/mcp"
mkdir -p "$work"
scripts/ensure-tools.sh >/dev/null
swift build -c release --product headroom >/dev/null
swift build -c release --product headroom-synth >/dev/null
bin=.build/release
. Benchmarks/lib/store10m.sh
store10m "$work"
python3 Benchmarks/mcp/latency.py --headroom "$bin/headroom" --store "$store" --calls "$calls"
