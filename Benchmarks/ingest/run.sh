#!/usr/bin/env bash
# Ingest benchmark: Headroom's `ingest` against `gzip -dc FILE > /dev/null` on the same file, in one run.
#
#   Benchmarks/ingest/run.sh [REPETITIONS]     (default 3)
#   ONLY=large Benchmarks/ingest/run.sh        (only google/pprof's large.cpu: no synthetic files, a minute)
#
# Builds release binaries, generates with headroom-synth (fixed seed, so every run sees the same bytes):
#   - a pprof of ~1.6M samples over 40,000 distinct stacks 8-64 deep, ~6,000 functions, 8 endpoint labels,
#     ~134 MB uncompressed, gzip -6;
#   - folded stacks in two shapes: deep Python-like stacks (8-64 frames, ~1.4 KB a line) and shallow ones
#     (8-16 frames, ~0.3 KB a line), 1M lines each;
# and, from ../shared/conformance when present, google/pprof's large.cpu (a real capture with 20k distinct stacks);
# then alternates the runs (ours, reference, ours, ...) into a fresh store each time and prints medians, the ratio,
# lines/s and peak memory (maximum resident set, from /usr/bin/time). Times are wall-clock; this machine is noisy,
# so compare the ratio, not the absolute seconds.
set -euo pipefail
cd "$(dirname "$0")/../.."
reps="${1:-3}"
work="${BENCH_DIR:-.build-bench}"
mkdir -p "$work"
scripts/ensure-tools.sh >/dev/null
swift build -c release --product headroom >/dev/null
bin=.build/release
only="${ONLY:-}"

[ -n "$only" ] || swift build -c release --product headroom-synth >/dev/null
[ -n "$only" ] || [ -f "$work/big.pb.gz" ] || { "$bin/headroom-synth" pprof "$work/big.pb"; gzip -6 -n -f "$work/big.pb"; }
[ -n "$only" ] || [ -f "$work/deep.folded" ] || "$bin/headroom-synth" folded "$work/deep.folded" --lines 1000000
[ -n "$only" ] || [ -f "$work/shallow.folded" ] || "$bin/headroom-synth" folded "$work/shallow.folded" --lines 1000000 --max-depth 16

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# Runs a command under /usr/bin/time; prints "seconds peak_kb".
timed() { /usr/bin/time -f '%e %M' -o "$work/time.txt" "$@" >/dev/null 2>"$work/err.txt" || { cat "$work/err.txt" >&2; exit 1; }; cat "$work/time.txt"; }

ingest() {
  rm -f "$work/store.sqlite"*
  # The synthetic folded files are larger than the default 1 GiB decompressed limit on purpose.
  timed "$bin/headroom" ingest "$1" --service bench --store "$work/store.sqlite" --at 0 --max-profile-mb 4096
}

report() {  # name file reference-command...
  local name="$1" file="$2"; shift 2
  local ours=() ref=() mem=()
  for _ in $(seq "$reps"); do
    read -r s m < <(ingest "$file"); ours+=("$s"); mem+=("$m")
    read -r s _ < <(timed "$@"); ref+=("$s")
  done
  local o r k
  o=$(printf '%s\n' "${ours[@]}" | median); r=$(printf '%s\n' "${ref[@]}" | median)
  k=$(printf '%s\n' "${mem[@]}" | sort -n | tail -1)
  local size lines
  size=$(stat -c %s "$file")
  lines=$( [[ "$file" == *.folded ]] && wc -l < "$file" || echo 0 )
  awk -v n="$name" -v o="$o" -v r="$r" -v k="$k" -v s="$size" -v l="$lines" 'BEGIN {
    printf "| %-16s | %8.1f MB | %7.2f s | %7.2f s | %5.2fx | %s | %6.0f MB |\n", n, s/1e6, o, r, o/r,
      (l > 0 ? sprintf("%.2fM lines/s, %.0f MB/s", l/o/1e6, s/o/1e6) : sprintf("%.0f MB/s compressed", s/o/1e6)), k/1024 }'
}

echo "| file             |       size |   ingest | reference | ratio | throughput | peak RSS |"
echo "|------------------|-----------:|---------:|----------:|------:|------------|---------:|"
if [ -z "$only" ]; then
  report "pprof (gzip)" "$work/big.pb.gz" gzip -dc "$work/big.pb.gz"
  report "folded, deep" "$work/deep.folded" cat "$work/deep.folded"
  report "folded, shallow" "$work/shallow.folded" cat "$work/shallow.folded"
fi
# A real capture with many distinct stacks (google/pprof's large.cpu: 24k samples, 20k stacks, 23k functions),
# read from the conformance corpus where it is present.
large=../shared/conformance/pprof/google-pprof-large.cpu
if [ -f "$large" ]; then
  # Both sides take tens of milliseconds, below /usr/bin/time's resolution: time 15 alternated runs each in one
  # Python process (perf_counter) and print the medians and their ratio.
  python3 - "$bin/headroom" "$large" "$work" <<'PY'
import os, re, statistics, subprocess, sys, time
bin_, large, work = sys.argv[1:]
store = os.path.join(work, "large.sqlite")
warm = os.path.join(work, "large-warm.sqlite")

def clear(path):
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(path + suffix): os.remove(path + suffix)

def ingest(path, service):
    # Debug logging gives the stage times (read and parse, aggregate, store) of each run.
    t = time.perf_counter()
    done = subprocess.run([bin_, "ingest", large, "--service", service, "--store", path, "--at", "0"], check=True,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          env={**os.environ, "HEADROOM_LOG_LEVEL": "debug"})
    took = time.perf_counter() - t
    stages = {k: float(v) for k, v in re.findall(r"(aggregate|read_parse|store)=([0-9.e-]+) seconds", done.stderr)}
    return took, stages

# A new store each time (the first ingest, schema creation included), and a store that already holds the file under
# other services (functions and stacks are known: the steady state of a fleet's next profile of the same build).
clear(warm)
ingest(warm, "seed")
runs = {"new store": ([], []), "warm store": ([], [])}
ref = []
for i in range(15):
    clear(store)
    took, stages = ingest(store, "bench")
    runs["new store"][0].append(took); runs["new store"][1].append(stages)
    t = time.perf_counter()
    subprocess.run(["gzip", "-dc", large], check=True, stdout=subprocess.DEVNULL)
    ref.append(time.perf_counter() - t)
    took, stages = ingest(warm, f"bench{i}")
    runs["warm store"][0].append(took); runs["warm store"][1].append(stages)
r = statistics.median(ref)
for name, (times, stages) in runs.items():
    o = statistics.median(times)
    split = ", ".join(f"{k} {1000 * statistics.median(s[k] for s in stages):.0f} ms"
                      for k in ("read_parse", "aggregate", "store"))
    print(f"| large.cpu, {name:10} | {os.path.getsize(large) / 1e6:5.1f} MB | {o:7.3f} s | {r:7.3f} s | {o / r:5.1f}x | "
          f"{split} (target ≤ 5x) |          |")
PY
else
  echo "(google-pprof-large.cpu: skipped, no ../shared/conformance here)"
fi
[ -n "$only" ] || echo "uncompressed pprof: $(gzip -l "$work/big.pb.gz" | awk 'NR==2 {printf "%.1f MB", $2/1e6}'); reference for folded: cat FILE > /dev/null"
