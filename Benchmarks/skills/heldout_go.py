#!/usr/bin/env python3
"""Held-out fix success for Go: cases written apart from the Go fixtures the skills were built on (other shapes,
other libraries' idioms), run once through the same pipeline as `acceptance.py --go` (`go test -cpuprofile`,
`headroom opportunities`, `headroom resolve`).

A case behaves as required when it is delivered where the fix is safe and faster, and refused (by a recipe, the
guardrails, the tests or the A/B benchmark) or not offered at all where it is unsafe. Prints a table and the share
that behaves; `--check` exits 1 below 90%.

    python3 Benchmarks/skills/heldout_go.py [--bin .build/debug/headroom] [--only NAME] [--check]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import acceptance  # noqa: E402  (same pipeline, same checks)

TOML = textwrap.dedent('''\
    [service]
    name = "app"
    language = "go"

    [commands]
    test = "go vet ./... && go test -count=1 ./..."
    bench = "go test -run '^$' -bench . -benchtime {bench}x -count 1 ./app"
    ''')

# name: (pattern, function, expect, package source, test source with one Benchmark)
CASES = {
    "h-regex-findall": ("regex-compile", "Amounts", "delivered", '''\
        package app

        import (
        \t"regexp"
        \t"strconv"
        )

        // Amounts returns every integer in the line.
        func Amounts(line string) []int {
        \tvar out []int
        \tfor _, m := range regexp.MustCompile(`-?\\d+`).FindAllString(line, -1) {
        \t\tn, _ := strconv.Atoi(m)
        \t\tout = append(out, n)
        \t}
        \treturn out
        }
        ''', '''\
        package app

        import "testing"

        func TestAmounts(t *testing.T) {
        \tif got := Amounts("a 12 b -3 c"); len(got) != 2 || got[0] != 12 || got[1] != -3 {
        \t\tt.Fatal(got)
        \t}
        }

        func BenchmarkAmounts(b *testing.B) {
        \tfor i := 0; i < b.N; i++ {
        \t\tfor j := 0; j < 200; j++ {
        \t\t\tAmounts("order 1234 shipped 2 boxes to 98101 on day 17")
        \t\t}
        \t}
        }
        '''),
    "h-regex-const-name": ("regex-compile", "IsDate", "delivered", '''\
        package app

        import "regexp"

        const datePattern = `^\\d{4}-\\d{2}-\\d{2}$`

        // IsDate says whether s is an ISO date.
        func IsDate(s string) bool {
        \tok, err := regexp.MatchString(datePattern, s)
        \treturn err == nil && ok
        }
        ''', '''\
        package app

        import "testing"

        func TestIsDate(t *testing.T) {
        \tif !IsDate("2026-12-01") || IsDate("1/12/2026") {
        \t\tt.Fatal("wrong")
        \t}
        }

        func BenchmarkIsDate(b *testing.B) {
        \tfor i := 0; i < b.N; i++ {
        \t\tfor j := 0; j < 200; j++ {
        \t\t\tIsDate("2026-12-01")
        \t\t}
        \t}
        }
        '''),
    "h-regex-per-kind": ("regex-compile", "Valid", "refused", '''\
        package app

        import "regexp"

        var patterns = map[string]string{"zip": `^\\d{5}$`, "phone": `^\\+?\\d{10,12}$`}

        // Valid checks value against the pattern for its kind.
        func Valid(kind, value string) bool {
        \treturn regexp.MustCompile(patterns[kind]).MatchString(value)
        }
        ''', '''\
        package app

        import "testing"

        func TestValid(t *testing.T) {
        \tif !Valid("zip", "98101") || Valid("zip", "9810") {
        \t\tt.Fatal("wrong")
        \t}
        }

        func BenchmarkValid(b *testing.B) {
        \tfor i := 0; i < b.N; i++ {
        \t\tfor j := 0; j < 200; j++ {
        \t\t\tValid("phone", "+12065550100")
        \t\t}
        \t}
        }
        '''),
    "h-log-is-debug": ("logging", "Apply", "delivered", '''\
        package app

        import (
        \t"fmt"
        \t"strings"
        )

        // Log is a logger with a debug switch.
        type Log struct {
        \tDebug bool
        \tLines []string
        }

        // IsDebugEnabled says whether debug lines are kept.
        func (l *Log) IsDebugEnabled() bool { return l.Debug }

        // Debugf keeps a debug line.
        func (l *Log) Debugf(format string, args ...interface{}) {
        \tif l.Debug {
        \t\tl.Lines = append(l.Lines, fmt.Sprintf(format, args...))
        \t}
        }

        // Rule rewrites one word.
        type Rule struct{ From, To string }

        func (r Rule) String() string { return fmt.Sprintf("%q->%q", r.From, r.To) }

        // Apply applies the rules to the text.
        func Apply(log *Log, rules []Rule, text string) string {
        \tfor _, r := range rules {
        \t\tlog.Debugf("rule %s on %s", r.String(), strings.ToUpper(text))
        \t\ttext = strings.ReplaceAll(text, r.From, r.To)
        \t}
        \treturn text
        }
        ''', '''\
        package app

        import "testing"

        func TestApply(t *testing.T) {
        \tlog := &Log{Debug: true}
        \tif got := Apply(log, []Rule{{"a", "b"}}, "aa"); got != "bb" || len(log.Lines) != 1 {
        \t\tt.Fatal(got, log.Lines)
        \t}
        }

        func BenchmarkApply(b *testing.B) {
        \tlog := &Log{}
        \trules := []Rule{{"colour", "color"}, {"grey", "gray"}, {"centre", "center"}}
        \ttext := "the grey centre of the colour wheel, a long sentence to upper-case every time"
        \tfor i := 0; i < b.N; i++ {
        \t\tfor j := 0; j < 200; j++ {
        \t\t\tApply(log, rules, text)
        \t\t}
        \t}
        }
        '''),
    "h-log-no-level-check": ("logging", "Sum", "refused", '''\
        package app

        import "fmt"

        // Tracer collects trace lines; it has no notion of levels.
        type Tracer struct{ out []string }

        // Tracef records a trace line.
        func (t *Tracer) Tracef(format string, args ...interface{}) {
        \tif len(t.out) < 10 {
        \t\tt.out = append(t.out, fmt.Sprintf(format, args...))
        \t}
        }

        // Sum adds the values, tracing each.
        func Sum(t *Tracer, values []float64) float64 {
        \ttotal := 0.0
        \tfor _, v := range values {
        \t\ttotal += v
        \t\tt.Tracef("total %s", fmt.Sprintf("%.3f", total))
        \t}
        \treturn total
        }
        ''', '''\
        package app

        import "testing"

        func TestSum(t *testing.T) {
        \tif Sum(&Tracer{}, []float64{1, 2}) != 3 {
        \t\tt.Fatal("sum")
        \t}
        }

        func BenchmarkSum(b *testing.B) {
        \tvalues := make([]float64, 2000)
        \tfor i := 0; i < b.N; i++ {
        \t\tSum(&Tracer{}, values)
        \t}
        }
        '''),
    "h-concat-bytes": ("string-concat", "Hex", "delivered", '''\
        package app

        import "strconv"

        // Hex renders the bytes as space-separated hex pairs.
        func Hex(data []byte) string {
        \tvar s string
        \tfor _, b := range data {
        \t\tif b < 16 {
        \t\t\ts += "0"
        \t\t}
        \t\ts += strconv.FormatUint(uint64(b), 16) + " "
        \t}
        \treturn s
        }
        ''', '''\
        package app

        import "testing"

        func TestHex(t *testing.T) {
        \tif got := Hex([]byte{1, 171}); got != "01 ab " {
        \t\tt.Fatalf("%q", got)
        \t}
        }

        func BenchmarkHex(b *testing.B) {
        \tdata := make([]byte, 3000)
        \tfor i := 0; i < b.N; i++ {
        \t\tHex(data)
        \t}
        }
        '''),
    "h-concat-closure": ("string-concat", "Render", "refused", '''\
        package app

        // Render joins the items, reporting progress through a callback that reads the text so far.
        func Render(items []string, progress func(func() int)) string {
        \tout := ""
        \tsize := func() int { return len(out) }
        \tfor _, it := range items {
        \t\tout += it + ";"
        \t\tprogress(size)
        \t}
        \treturn out
        }
        ''', '''\
        package app

        import "testing"

        func TestRender(t *testing.T) {
        \tseen := 0
        \tif got := Render([]string{"a", "b"}, func(f func() int) { seen = f() }); got != "a;b;" || seen != 4 {
        \t\tt.Fatal(got, seen)
        \t}
        }

        func BenchmarkRender(b *testing.B) {
        \titems := make([]string, 2000)
        \tfor i := range items {
        \t\titems[i] = "item"
        \t}
        \tfor i := 0; i < b.N; i++ {
        \t\tRender(items, func(func() int) {})
        \t}
        }
        '''),
    "h-prealloc-map-keys": ("preallocate", "Keys", "delivered", '''\
        package app

        import "sort"

        // Entry is a keyed record.
        type Entry struct {
        \tKey   string
        \tValue [8]int64
        }

        // Keys lists the map's entries sorted by key.
        func Keys(m map[string][8]int64) []Entry {
        \tout := []Entry{}
        \tfor k, v := range m {
        \t\tout = append(out, Entry{k, v})
        \t}
        \tsort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
        \treturn out
        }
        ''', '''\
        package app

        import (
        \t"fmt"
        \t"testing"
        )

        func TestKeys(t *testing.T) {
        \tgot := Keys(map[string][8]int64{"b": {}, "a": {}})
        \tif len(got) != 2 || got[0].Key != "a" || Keys(nil) == nil {
        \t\tt.Fatal(got)
        \t}
        }

        func BenchmarkKeys(b *testing.B) {
        \tm := map[string][8]int64{}
        \tfor i := 0; i < 3000; i++ {
        \t\tm[fmt.Sprint(i)] = [8]int64{}
        \t}
        \tb.ResetTimer()
        \tfor i := 0; i < b.N; i++ {
        \t\tKeys(m)
        \t}
        }
        '''),
    "h-prealloc-channel": ("preallocate", "Drain", "refused", '''\
        package app

        // Drain collects what the channel delivers until it is closed.
        func Drain(ch <-chan [16]int64) [][16]int64 {
        \tvar out [][16]int64
        \tfor v := range ch {
        \t\tout = append(out, v)
        \t}
        \treturn out
        }
        ''', '''\
        package app

        import "testing"

        func TestDrain(t *testing.T) {
        \tch := make(chan [16]int64, 2)
        \tch <- [16]int64{}
        \tclose(ch)
        \tif len(Drain(ch)) != 1 {
        \t\tt.Fatal("drain")
        \t}
        }

        func BenchmarkDrain(b *testing.B) {
        \tfor i := 0; i < b.N; i++ {
        \t\tch := make(chan [16]int64, 5000)
        \t\tfor j := 0; j < 5000; j++ {
        \t\t\tch <- [16]int64{}
        \t\t}
        \t\tclose(ch)
        \t\tDrain(ch)
        \t}
        }
        '''),
    "h-invariant-split": ("loop-invariant", "Allowed", "delivered", '''\
        package app

        import "strings"

        // Config lists allowed hosts, comma-separated.
        type Config struct{ Hosts string }

        // Allowed keeps the requests whose host the config allows.
        func Allowed(cfg Config, hosts []string) []string {
        \tvar out []string
        \tfor _, h := range hosts {
        \t\tfor _, ok := range strings.Split(cfg.Hosts, ",") {
        \t\t\tif h == ok {
        \t\t\t\tout = append(out, h)
        \t\t\t\tbreak
        \t\t\t}
        \t\t}
        \t}
        \treturn out
        }
        ''', '''\
        package app

        import (
        \t"strings"
        \t"testing"
        )

        func TestAllowed(t *testing.T) {
        \tif got := Allowed(Config{"a,b"}, []string{"a", "c", "b"}); len(got) != 2 {
        \t\tt.Fatal(got)
        \t}
        }

        func BenchmarkAllowed(b *testing.B) {
        \tcfg := Config{strings.Repeat("host.example.com,", 30) + "api.example.com"}
        \thosts := make([]string, 500)
        \tfor i := range hosts {
        \t\thosts[i] = "api.example.com"
        \t}
        \tfor i := 0; i < b.N; i++ {
        \t\tAllowed(cfg, hosts)
        \t}
        }
        '''),
    "h-invariant-map-written": ("loop-invariant", "Count", "refused", '''\
        package app

        import "strings"

        // Count counts each word, and each word's count under its lower-case form too.
        func Count(words []string, key string) map[string]int {
        \tcounts := map[string]int{}
        \tfor _, w := range words {
        \t\tcounts[w]++
        \t\tcounts[strings.ToLower(w)] += counts[key]
        \t}
        \treturn counts
        }
        ''', '''\
        package app

        import "testing"

        func TestCount(t *testing.T) {
        \tif got := Count([]string{"A", "A"}, "A"); got["A"] != 2 || got["a"] != 3 {
        \t\tt.Fatal(got)
        \t}
        }

        func BenchmarkCount(b *testing.B) {
        \twords := make([]string, 2000)
        \tfor i := range words {
        \t\twords[i] = "Word"
        \t}
        \tfor i := 0; i < b.N; i++ {
        \t\tCount(words, "Word")
        \t}
        }
        '''),
    "h-defer-scratch": ("defer-in-loop", "Encode", "delivered", '''\
        package app

        import (
        \t"encoding/binary"
        \t"hash/crc32"
        \t"sync"
        )

        type scratch struct{ buf [32 << 10]byte }

        var scratchPool = sync.Pool{New: func() interface{} { return new(scratch) }}

        // Encode checksums each value's little-endian bytes.
        func Encode(values []uint64) []uint32 {
        \tsums := make([]uint32, 0, len(values))
        \tfor _, v := range values {
        \t\tsc := scratchPool.Get().(*scratch)
        \t\tdefer scratchPool.Put(sc)
        \t\tbinary.LittleEndian.PutUint64(sc.buf[:8], v)
        \t\tsums = append(sums, crc32.ChecksumIEEE(sc.buf[:8]))
        \t}
        \treturn sums
        }
        ''', '''\
        package app

        import "testing"

        func TestEncode(t *testing.T) {
        \tgot := Encode([]uint64{1, 1, 2})
        \tif len(got) != 3 || got[0] != got[1] || got[0] == got[2] {
        \t\tt.Fatal(got)
        \t}
        }

        func BenchmarkEncode(b *testing.B) {
        \tvalues := make([]uint64, 2000)
        \tfor i := 0; i < b.N; i++ {
        \t\tEncode(values)
        \t}
        }
        '''),
    "h-defer-return": ("defer-in-loop", "FirstBig", "refused", '''\
        package app

        import "sync"

        var bufs = sync.Pool{New: func() interface{} { return new([4096]byte) }}

        // FirstBig returns the index of the first value over limit, using a scratch buffer per value.
        func FirstBig(values []int, limit int) int {
        \tfor i, v := range values {
        \t\tb := bufs.Get().(*[4096]byte)
        \t\tdefer bufs.Put(b)
        \t\tb[0] = byte(v)
        \t\tif v > limit {
        \t\t\treturn i
        \t\t}
        \t}
        \treturn -1
        }
        ''', '''\
        package app

        import "testing"

        func TestFirstBig(t *testing.T) {
        \tif FirstBig([]int{1, 5, 9}, 4) != 1 {
        \t\tt.Fatal("first")
        \t}
        }

        func BenchmarkFirstBig(b *testing.B) {
        \tvalues := make([]int, 3000)
        \tfor i := 0; i < b.N; i++ {
        \t\tFirstBig(values, 1)
        \t}
        }
        '''),
    "h-invariant-sprintf": ("loop-invariant", "Keys", "delivered", '''\
        package app

        import "fmt"

        // Keys builds cache keys for the ids under a versioned prefix.
        func Keys(service string, version int, ids []int) []string {
        \tkeys := make([]string, 0, len(ids))
        \tfor _, id := range ids {
        \t\tkeys = append(keys, fmt.Sprintf("%s/v%d/", service, version)+fmt.Sprint(id))
        \t}
        \treturn keys
        }
        ''', '''\
        package app

        import "testing"

        func TestKeys(t *testing.T) {
        \tif got := Keys("cart", 3, []int{7}); got[0] != "cart/v3/7" {
        \t\tt.Fatal(got)
        \t}
        }

        func BenchmarkKeys(b *testing.B) {
        \tids := make([]int, 2000)
        \tfor i := 0; i < b.N; i++ {
        \t\tKeys("cart", 3, ids)
        \t}
        }
        '''),
}


def materialize(root, name, case):
    pattern, function, expect, module, tests = case
    folder = os.path.join(root, name)
    os.makedirs(os.path.join(folder, "app"), exist_ok=True)
    files = {"go.mod": "module example.com/" + name.replace("-", "") + "\n\ngo 1.19\n",
             "app/app.go": textwrap.dedent(module), "app/app_test.go": textwrap.dedent(tests)}
    for rel, text in files.items():
        with open(os.path.join(folder, rel), "w") as f:
            f.write(text)
    # Iterations for about 0.3 s per A/B run and 2 s of profile (a few hundred samples at 100 Hz).
    run = subprocess.run(["go", "test", "-run", "^$", "-bench", ".", "-benchtime", "20x", "-count", "1", "./app"],
                         cwd=folder, capture_output=True, text=True, check=True)
    per_op = float(re.search(r"\s([0-9.]+) ns/op", run.stdout).group(1)) / 1e9
    with open(os.path.join(folder, "headroom.toml"), "w") as f:
        f.write(TOML.format(bench=max(5, int(0.3 / per_op))))
    return {"package": "app", "pattern": pattern, "function": function, "expect": expect,
            "rounds": max(10, int(2.0 / per_op))}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bin", default=os.path.join(acceptance.ROOT, ".build", "debug", "headroom"))
    parser.add_argument("--only", action="append")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    env = dict(os.environ, HEADROOM_SKILLS=os.path.join(acceptance.ROOT, "Skills"), GIT_CONFIG_NOSYSTEM="1")
    cases_dir = tempfile.mkdtemp(prefix="headroom-heldout-go-cases-")
    workdir = tempfile.mkdtemp(prefix="headroom-heldout-go-")
    good = total = 0
    print("| case | pattern | expected | outcome | speed-up | reason |")
    print("|---|---|---|---|---|---|")
    for name, case in CASES.items():
        if args.only and name not in args.only:
            continue
        spec = materialize(cases_dir, name, case)
        started = time.time()
        r = acceptance.one(name, spec, args.bin, workdir, env, cases_dir)
        status = r.get("status")
        offered = status != "error" or "no " + spec["pattern"] not in (r.get("reason") or "")
        if spec["expect"] == "delivered":
            ok = status == "delivered" and r.get("checkout_untouched", False)
        else:
            ok = status == "refused" or not offered
        total += 1
        good += ok
        v = r.get("validation") or {}
        speed = f"{v['speedup']:.2f}×" if v.get("speedup") else ""
        outcome = status if offered else "not offered"
        reason = (r.get("reason") or "").replace("|", "/")[:150]
        print(f"| {name} | {spec['pattern']} | {spec['expect']} | {outcome}{'' if ok else ' ✗'} | {speed} | "
              f"{reason} ({time.time() - started:.0f} s) |")
        sys.stdout.flush()
    share = good / total if total else 1.0
    print(f"\nheld-out Go: {good} of {total} behave as required ({share:.0%})")
    if args.check and share < 0.9:
        sys.exit(1)


if __name__ == "__main__":
    main()
