#!/usr/bin/env bash
# Ingest throughput of `headroom serve`: wrk POSTs typical Pyroscope agent payloads (10 s of folded stacks, ~200
# distinct stacks) to /ingest on loopback, each request its own window, then the store is counted back: every
# request that got a 200 must be one stored profile with all its samples (none lost, none duplicated).
#
#   Benchmarks/serve/run.sh [SECONDS] [CONNECTIONS]      (default 10 s, 16 connections, 2 wrk threads)
#   MODE=fleet Benchmarks/serve/run.sh ...                 a fleet pushing in real time instead (ingest.lua): 20
#                                                          services, every request the current 10 s window with
#                                                          one stack of the agent's own, so none is a duplicate
#
# Prints requests/s, p50/p99 latency and the count-back (profiles, and the samples of the per-bucket rows the server
# compacts its ingest log into). Release build; detection loop off (ingest alone).
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-10}"
connections="${2:-16}"
work="${BENCH_DIR:-.build-bench}/serve"
rm -rf "$work" && mkdir -p "$work"
scripts/ensure-tools.sh >/dev/null
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
swift build -c release --product headroom >/dev/null
bin=.build/release/headroom

# ~200 distinct stacks, 8-24 frames, counts summing to 1,000 samples (10 s at 100 Hz).
python3 - "$work/payload.folded" <<'PY'
import random, sys
random.seed(7)
functions = [f"module{m}.handler_{f} (app/module{m}.py:{10 + f})" for m in range(12) for f in range(20)]
lines = {}
while len(lines) < 200:
    depth = random.randint(8, 24)
    stack = ";".join(random.choice(functions) for _ in range(depth))
    lines[stack] = lines.get(stack, 0) + 1
counts = [random.randint(1, 9) for _ in lines]
scale = 1000 / sum(counts)
counts = [max(1, round(c * scale)) for c in counts]
with open(sys.argv[1], "w") as f:
    for stack, count in zip(lines, counts):
        f.write(f"{stack} {count}\n")
PY
per_request=$(awk '{s += $NF} END {print s}' "$work/payload.folded")

"$bin" serve --listen 127.0.0.1:0 --store "$work/s.sqlite" --detect-every 0 2>"$work/serve.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q 'listening on' "$work/serve.log" && break; sleep 0.1; done
port=$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$work/serve.log" | grep -o '[0-9]*$')

mode="${MODE:-windows}"
if [ "$mode" = fleet ]; then per_request=$((per_request + 1)); fi  # each fleet push adds one stack of its own
PAYLOAD="$work/payload.folded" MODE="$mode" SERVICES=20 wrk -t2 -c"$connections" -d"${seconds}s" --timeout 10s \
    -s Benchmarks/serve/ingest.lua "http://127.0.0.1:$port" >"$work/wrk.out"
kill -TERM $server; wait $server || true
trap - EXIT

result=$(grep '^RESULT' "$work/wrk.out")
eval "$(echo "$result" | sed 's/^RESULT //')"
ok=$((requests - errors_status))
# Counted back with Python's own sqlite3, independently of Headroom's readers. wrk stops counting at its deadline,
# so requests still in flight then may be stored without being counted as answered: every answered request must be
# stored (lost = answered - stored, when positive), every stored profile must hold all its samples, and no window
# may be stored twice.
read -r profiles samples incomplete windows < <(python3 - "$work/s.sqlite" "$per_request" "$mode" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
per = int(sys.argv[2])
# Windows mode: one service, each profile its own window (its source). Fleet mode: each profile its own content.
rows = db.execute("SELECT p.total_samples, CASE WHEN ? = 'fleet' THEN s.name || p.content_hash ELSE p.source END"
                  " FROM profile p JOIN service s ON s.id = p.service_id"
                  " WHERE s.name = 'bench' OR s.name LIKE 'fleet%'", (sys.argv[3],)).fetchall()
# The per-bucket rows the server writes by compacting its ingest log (at the latest at shutdown) must hold exactly
# the samples of the stored profiles: a bucket total that differs is a lost or double-counted push.
services = "SELECT id FROM service WHERE name = 'bench' OR name LIKE 'fleet%'"
counted = db.execute(f"SELECT COALESCE(SUM(total_samples), 0) FROM bucket_total WHERE service_id IN ({services})").fetchone()[0]
logged = db.execute("SELECT COUNT(*) FROM ingest_log").fetchone()[0]
stored = sum(r[0] for r in rows)
if counted != stored or logged:
    print(f"count-back: profiles hold {stored} samples, the buckets {counted}, {logged} rows left in the ingest log",
          file=sys.stderr)
    sys.exit(1)
print(len(rows), stored, sum(1 for r in rows if r[0] != per), len({r[1] for r in rows}))
PY
)
awk -v r="$requests" -v ok="$ok" -v d="$duration_us" -v p50="$p50_us" -v p99="$p99_us" -v prof="$profiles" \
    -v samp="$samples" -v inc="$incomplete" -v win="$windows" -v c="$connections" 'BEGIN {
  lost = ok > prof ? ok - prof : 0
  printf "| answered (2xx) | req/s | p50 | p99 | stored profiles | incomplete | stored twice | lost | connections |\n"
  printf "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
  printf "| %d (%d) | %.0f | %.1f ms | %.1f ms | %d | %d | %d | %d | %d |\n", r, ok, ok / (d / 1e6), p50 / 1000,
    p99 / 1000, prof, inc, prof - win, lost, c }'
