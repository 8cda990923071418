#!/usr/bin/env bash
# The newcomer's first hour, checked: runs the demo as the README says, then every follow-up command the demo
# prints (from where the user stands), then the usual steps off the happy path, and checks each message.
#
#   scripts/first-hour.sh [--headroom BIN]
#
# Without --headroom it builds the release binary as scripts/demo.sh does. Prints one line per check; exits 1 at
# the first failure. Needs python3, git and py-spy (scripts/ensure-tools.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
checkout=$(pwd)
bin=""
if [[ "${1:-}" == "--headroom" ]]; then bin=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); fi
if [[ -z "$bin" ]]; then
    scripts/ensure-tools.sh
    swift build -c release --product headroom >&2
    bin="$checkout/.build/release/headroom"
fi
work=$(mktemp -d /tmp/headroom-first-hour-XXXXXX)
trap 'rm -rf "$work"' EXIT
ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; exit 1; }

# 1. The demo, from a folder of the user's own, as the README shows it.
cd "$work"
"$bin" --version | grep -qE '^[0-9]+\.[0-9]+\.[0-9]+$' || fail "--version prints the version"
ok "--version: $("$bin" --version)"
"$bin" demo --workdir demo --example "$checkout/Examples/shop" --seconds 2 >demo.out 2>demo.err || fail "demo: $(tail -3 demo.err)"
grep -q '^NEXT (these work from here)' demo.out || fail "the demo ends with the next commands"
ok "demo delivered: $(grep -m1 '^  branch' demo.out | sed 's/^ *//')"

# 1b. One function, one set of figures: detect, ask and opportunities agree on what the eager logging costs
# (before `review apply` below removes it from the checkout).
(cd demo && "$bin" detect --format json >detect.json && "$bin" ask "what regressed?" >ask.txt \
    && "$bin" opportunities --repo shop --service shop --format json >opportunities.json) \
    || fail "detect / ask / opportunities in the demo folder"
agree=$(python3 - demo <<'PY'
import json, sys
d = sys.argv[1]
regression = json.load(open(f"{d}/detect.json"))["regressions"][0]
rise = regression["after"] - regression["before"]
found = json.load(open(f"{d}/opportunities.json"))["opportunities"]
logging = next(o for o in found if o["pattern"] == "logging" and o["function"] == regression["function"])
first = next(o for o in found if not o.get("blocked"))
ask = open(f"{d}/ask.txt").read()
cores = f"{regression['cores']:+.1f} cores"
problems = [p for p, bad in [
    (f"opportunity share {logging['share']:.3f} against a rise of {rise:.3f}", logging["share"] < 0.6 * rise),
    (f"share measured by {logging['share_basis']}", logging["share_basis"] != "source-lines"),
    (f"first unblocked opportunity is {first['pattern']}", first is not logging),
    (f"ask does not say {cores}", cores not in ask),
] if bad]
print("; ".join(problems) if problems else
      f"{regression['function']}: +{rise * 100:.2f} pt self share ({cores}) in detect and ask; "
      f"its eager logging {logging['share'] * 100:.2f}% of CPU in opportunities")
sys.exit(1 if problems else 0)
PY
) || fail "figures disagree: $agree"
ok "$agree"

# 2. Every follow-up it prints works from here, as printed.
n=0
while IFS= read -r command; do
    n=$((n + 1))
    case "$command" in
        *" mcp "*) out=$(eval "$command" </dev/null 2>&1) || fail "$command: $out" ;;
        *) out=$(eval "$command" 2>&1) || fail "$command: $out" ;;
    esac
    ok "next command works: ${command#"$bin" }"
done < <(sed -n '/^NEXT/,$p' demo.out | grep -E '^    ' | sed 's/^    //')
[[ $n -ge 5 ]] || fail "the demo printed $n next commands"
(cd demo/shop && "$bin" review list | grep -q 'applied') || fail "inside the workdir the store is found without --store"
ok "inside the demo folder the store is found without --store, and the patch shows as applied"

# 3. Off the happy path: each is one clear line, and nothing is created or changed.
mkdir empty && cd empty
for command in "top --service shop" "review list" "review apply 1" "detect" "ask what-regressed"; do
    if out=$("$bin" $command 2>&1); then fail "$command without a store succeeded"; fi
    [[ "$out" == *"no store at .headroom/headroom.sqlite; no .headroom/ here or above"* ]] || fail "$command: $out"
    [[ ! -e .headroom ]] || fail "$command created a store"
done
ok "read commands without a store: one line naming the store; none is created"
cp "$checkout/README.md" .
if out=$("$bin" ingest README.md --service svc 2>&1); then fail "README.md was ingested"; fi
[[ "$out" == *"expected a pprof profile"* && ! -e .headroom ]] || fail "ingest README.md: $out"
ok "ingest of a README: refused in one line, no store left behind"
python3 -c "import sqlite3; c = sqlite3.connect('theirs.sqlite'); c.execute('CREATE TABLE orders (id)'); c.commit()"
sum=$(sha256sum theirs.sqlite)
if out=$("$bin" detect --store theirs.sqlite 2>&1); then fail "a foreign database was used"; fi
[[ "$out" == *"not a Headroom store"* && "$(sha256sum theirs.sqlite)" == "$sum" ]] || fail "detect --store theirs.sqlite: $out"
ok "another program's SQLite file: refused, left byte for byte as it was"
touch afile
if out=$("$bin" demo --workdir afile 2>&1); then fail "demo --workdir FILE succeeded"; fi
[[ "$out" == "headroom: error: --workdir"*"is a file"* ]] || fail "demo --workdir FILE: $out"
ok "demo --workdir FILE: one line"
echo "first hour: all checks passed"
