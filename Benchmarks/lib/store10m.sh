# Sourced by benchmarks that need a large store: fills (once, cached under $1, marked by $1/ready) $1/store.sqlite
# with 10 pprof profiles of 1M samples each from headroom-synth (seeds 1-10, 10 minutes apart: 10M samples, ~400k
# distinct stacks, ~6k functions) and runs `headroom detect` on it. Needs $bin (the release build folder).
store10m() {
  local work="$1"
  store="$work/store.sqlite"
  [ -f "$work/ready" ] && return 0
  rm -f "$store"*
  local t0=1790000000
  for i in $(seq 1 10); do
    "$bin/headroom-synth" pprof "$work/p.pb" --samples 1000000 --seed "$i" >/dev/null
    "$bin/headroom" ingest "$work/p.pb" --service bench --store "$store" --at $((t0 + i * 600)) >/dev/null
    rm -f "$work/p.pb"
  done
  "$bin/headroom" detect --store "$store" --service bench >/dev/null 2>&1 || true
  touch "$work/ready"
}
