#!/usr/bin/env bash
# Detection benchmark: Headroom's `detect --series` against ruptures (BinSeg and PELT) on one simulated fleet, in
# one run.
#
#   Benchmarks/detection/run.sh [SERVICES] [FUNCTIONS] [SEED] [RUPTURES_SUBSET]     (defaults 200 100 2026 400)
#
# Builds the release binary, installs ruptures from PyPI if missing, simulates SERVICES × FUNCTIONS series of 336
# hourly points with `headroom simulate --seed SEED` (scenarios and ground truth in truth.csv), runs Headroom over
# the whole fleet (all cores) and again over the first RUPTURES_SUBSET series alone, runs ruptures on that subset in
# one Python process, and prints recall by step size in MDE units, false positives per 1000 non-step series,
# precision, TCPD F1 (margin 5) and cover, throughput and the ratio. Times are wall-clock on a noisy machine:
# compare ratios.
#
#   Benchmarks/detection/run.sh scale     1,000,000 series × 336 points (a 12.8 GB CSV under .build-bench): time and
#                                          peak memory of `detect --series` only.
set -euo pipefail
cd "$(dirname "$0")/../.."
work="${BENCH_DIR:-.build-bench}/detection"
mkdir -p "$work"
swift build -c release --product headroom >/dev/null
bin="$PWD/.build/release/headroom"
python3 -c 'import ruptures' 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore ruptures \
  || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages ruptures

if [ "${1:-}" = scale ]; then
  fleet="$work/scale"
  [ -f "$fleet/series.csv" ] || "$bin" simulate --out "$fleet" --services 10000 --functions 100 --seed 2026
  /usr/bin/time -f 'detect --series: %e s wall, %U s user, %M KB peak, %P CPU' \
    "$bin" detect --series "$fleet/series.csv" --format json > "$fleet/headroom.json"
  python3 -c "import json,sys; s=json.load(open(sys.argv[1]))['summary']; print(s)" "$fleet/headroom.json"
  exit 0
fi

services="${1:-200}"; functions="${2:-100}"; seed="${3:-2026}"; subset="${4:-400}"
fleet="$work/fleet-$services-$functions-$seed"
[ -f "$fleet/series.csv" ] || "$bin" simulate --out "$fleet" --services "$services" --functions "$functions" --seed "$seed" >/dev/null
now() { date +%s.%N; }
start=$(now); "$bin" detect --series "$fleet/series.csv" --format json > "$fleet/headroom.json"; full=$(echo "$(now) - $start" | bc)
head -n $((subset * 336 + 1)) "$fleet/series.csv" > "$fleet/subset.csv"  # the header and the first series
start=$(now); "$bin" detect --series "$fleet/subset.csv" --format json > "$fleet/headroom-subset.json"; part=$(echo "$(now) - $start" | bc)
python3 Benchmarks/detection/evaluate.py "$fleet" "$fleet/headroom.json" --headroom-seconds "$full" \
  --subset "$subset" --headroom-subset-json "$fleet/headroom-subset.json" --headroom-subset-seconds "$part"
