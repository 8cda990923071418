#!/usr/bin/env bash
# Fuzzes the profile parsers (pprof, gzip, folded, perf script) with libFuzzer for a bounded time.
#
#   scripts/fuzz.sh [SECONDS]      (default 60)
#
# Builds the headroom-fuzz target with -sanitize=fuzzer (plus address sanitizer) into .build-fuzz, seeds a corpus
# with real profiles (a generated pprof, folded and perf script text), then runs libFuzzer. Exit status 0 means no
# crash, hang or sanitizer report; a crash leaves its reproducer in .build-fuzz/artifacts/ and replays with
# `.build/debug/headroom-fuzz FILE`.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
scripts/ensure-tools.sh >/dev/null

swift build --scratch-path .build-fuzz --product headroom-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DHEADROOM_FUZZ 2>&1 | grep -E "error" && exit 1 || true
swift build --product headroom-synth >/dev/null

corpus=.build-fuzz/corpus
mkdir -p "$corpus" .build-fuzz/artifacts
if [ -z "$(ls -A "$corpus")" ]; then
  .build/debug/headroom-synth pprof "$corpus/seed.pb" --samples 40 --stacks 10 --functions 30
  gzip -c -n "$corpus/seed.pb" > "$corpus/seed.pb.gz"
  printf 'main (a.py:1);work (a.py:5);hot (a.py:9) 7\nmain (a.py:1);idle (a.py:20) 2\n' > "$corpus/seed.folded"
  printf 'prog 12 [000] 1.0: 1 cpu-clock:\n\t4005d0 hot+0x10 (/bin/prog)\n\t400400 main+0x5 (/bin/prog)\n\n' > "$corpus/seed.perf"
fi

echo "fuzzing the profile parsers for ${seconds}s" >&2
.build-fuzz/debug/headroom-fuzz "$corpus" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix=.build-fuzz/artifacts/ -print_final_stats=1 2>&1 | tail -n 15
