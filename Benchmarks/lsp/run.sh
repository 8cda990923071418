#!/usr/bin/env bash
# `headroom lsp` on a 10M-sample store (Benchmarks/lib/store10m.sh, cached under $WORK): a Python client times
# didOpen (findings computed: regressions, opportunities and patches for the file, and every function's cost over
# all samples, the first time) and 500 code-action and code-lens requests one at a time, reporting p50/p99.
# The target (issue 18): code actions answered in <= 50 ms p99. The opened file is a Go file of the synthetic
# service's (pkg/mod0/file0.go) with methods of the profiled types, in a scratch repository registered for it.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product headroom >&2
swift build -c release --product headroom-synth >&2
bin=.build/release
WORK=${WORK:-/tmp/headroom-bench-10m}
mkdir -p "$WORK"
. Benchmarks/lib/store10m.sh
store10m "$WORK"
repo=$(mktemp -d)
trap 'rm -rf "$repo"' EXIT
mkdir -p "$repo/pkg/mod0"
{
  echo "package mod0"
  for i in 0 97 194 291 388 485; do
    t=$((i % 13))
    printf '\ntype Type%d struct{}\n\nfunc (t *Type%d) Method%d(n int) int {\n\ttotal := 0\n\tfor i := 0; i < n; i++ {\n\t\ttotal += i\n\t}\n\treturn total\n}\n' "$t" "$t" "$i"
  done
} > "$repo/pkg/mod0/file0.go"
git -C "$repo" init -q && git -C "$repo" add . && git -C "$repo" -c user.name=b -c user.email=b@b commit -qm go
cp "$store" "$repo.sqlite"
trap 'rm -rf "$repo" "$repo.sqlite"*' EXIT
"$bin/headroom" repos add bench "$repo" --store "$repo.sqlite" >/dev/null
python3 Benchmarks/lsp/client.py "$bin/headroom" "$repo.sqlite" "$repo" pkg/mod0/file0.go 500
