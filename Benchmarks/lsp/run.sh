#!/usr/bin/env bash
# `headroom lsp` on a 10M-sample store (Benchmarks/lib/store10m.sh, cached under $WORK): a Python client times
# didOpen (findings computed: regressions, opportunities and patches for the file, and every function's cost over
# all samples, the first time) and 500 code-action and code-lens requests one at a time, reporting p50/p99.
# The target (issue 18): code actions answered in <= 50 ms p99. The opened file is a Go file of the synthetic
# service's (pkg/mod0/file0.go) with the methods the profiles place in it, in a scratch repository registered for it.
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
  for i in 0 679 1358 2037 2716 3395 4074 4753 5432; do
    t=$((i % 13))
    printf '\ntype Type%d struct{}\n\nfunc (t *Type%d) Method%d(n int) int {\n\ttotal := 0\n\tfor i := 0; i < n; i++ {\n\t\ttotal += i\n\t}\n\treturn total\n}\n' "$t" "$t" "$i"
  done
} > "$repo/pkg/mod0/file0.go"
git -C "$repo" init -q && git -C "$repo" add . && git -C "$repo" -c user.name=b -c user.email=b@b commit -qm go
cp "$store" "$repo.sqlite"
trap 'rm -rf "$repo" "$repo.sqlite"*' EXIT
"$bin/headroom" repos add bench "$repo" --store "$repo.sqlite" >/dev/null
# Three delivered patches for the file (as a fix run leaves them), so code actions have quick fixes to offer.
python3 - "$repo" "$repo.sqlite" <<'PY'
import json, sqlite3, subprocess, sys, time
repo, store = sys.argv[1:3]
path = "pkg/mod0/file0.go"
original = open("%s/%s" % (repo, path)).read()
head = subprocess.run(["git", "-C", repo, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
db = sqlite3.connect(store)
for k, name in enumerate(["Type0.Method0", "Type3.Method679", "Type6.Method1358"]):
    patched = original.replace("total += i", "total += i * %d" % (k + 1), 1)
    edit = {"path": path, "original": original, "patched": patched, "function": name, "span": [3, 9],
            "insertionPoints": [], "summary": ["bench"]}
    validation = {"testsPassed": True, "speedup": 1.5, "ci95": [1.4, 1.6], "pValue": 0.001,
                  "beforeSeconds": [0.3] * 12, "afterSeconds": [0.2] * 12}
    db.execute("INSERT INTO patch (skill, repo, branch, base_commit, diff, status, validation, created_at, kind, "
               "path, function, edit, review) VALUES (?, ?, ?, ?, '', 'delivered', ?, ?, 'opportunity', ?, ?, ?, "
               "'pending')", ("loop-invariant", repo, "headroom/bench-%d" % k, head, json.dumps(validation),
                              int(time.time()), path, name, json.dumps(edit)))
db.commit()
PY
python3 Benchmarks/lsp/client.py "$bin/headroom" "$repo.sqlite" "$repo" pkg/mod0/file0.go 500
