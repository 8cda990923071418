#!/usr/bin/env python3
"""Conformance: Headroom's profile readers against independent references on real captures.

    Benchmarks/conformance/run.py [--headroom BIN] [--corpus DIR] [--check]

Reads every file in ../shared/conformance (never copied into the project):
- perf/perf-*.txt against FlameGraph's `stackcollapse-perf.pl --all` output in perf/expected/;
- pprof/*.pb.gz, *.cpu and parca-many/* against this script's own pprof decoder (stdlib only, written from
  profile.proto, sharing no code with Headroom's Swift reader).

Each file is ingested into a fresh store with `headroom ingest` (format autodetected), then `headroom top --by
self` and `--by total` are compared with the reference's shares: for the reference's top-20 functions by self and
by total share, the largest difference in percentage points. A file matches when both are within 0.1 pp and the
sample totals agree. Refusals that the corpus README asks for (a diff profile's default type) must be one line on
stderr with a non-zero exit and leave the store unchanged.

Names: Headroom keeps perf's demangled names whole (argument lists, Java signatures); the reference "tidies"
them (`stackcollapse-perf.pl`'s default --tidy-generic/--tidy-java: argument lists cut at the first '(' unless
it is "(anonymous namespace)" or a Go method, quotes dropped, ';' as ':', Java's leading 'L' dropped). The same
tidy is applied to Headroom's names before comparing, and shares of names that tidy to one are summed. The
reference counts a process name as the root frame; Headroom keeps it as the label `comm`, so it is dropped here.

Prints a table; with --check exits 1 unless every file matches. Skips (exit 0) when the corpus is absent.
"""
import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict

TOP = 20
BLANK = "<blank>"
TOLERANCE_PP = 0.1


# ---------- reference: stackcollapse-perf output ----------

def read_collapsed(path):
    """Folded lines `comm;root;...;leaf COUNT` → list of (frames without comm, count)."""
    stacks = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                continue
            text, _, count = line.rpartition(" ")
            # A frame the reference names " ": `7f12  (/lib/libc.so)` has no symbol, and stackcollapse-perf.pl's
            # frame regex takes the separating space as the name. Headroom names it "[libc.so]" (an unknown
            # symbol in that module); such frames are left out of the comparison (`BLANK`).
            frames = [BLANK if not f.strip() else f for f in text.split(";")[1:]]
            stacks.append((frames, int(count)))
    return stacks


def shares(stacks):
    """(self share by name, total share by name, total) from (frames root-first, count) pairs."""
    total = sum(c for _, c in stacks)
    self_, incl = defaultdict(int), defaultdict(int)
    for frames, count in stacks:
        if frames:
            self_[frames[-1]] += count
        for name in set(frames):
            incl[name] += count
    return ({k: v / total for k, v in self_.items()}, {k: v / total for k, v in incl.items()}, total)


# ---------- reference: an independent pprof decoder ----------

def varint(buf, pos):
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7


def fields(buf):
    """Yields (field number, wire type, value) over a message; length-delimited values are bytes."""
    pos = 0
    while pos < len(buf):
        key, pos = varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = varint(buf, pos)
        elif wire == 2:
            length, pos = varint(buf, pos)
            value, pos = buf[pos:pos + length], pos + length
        elif wire == 1:
            value, pos = buf[pos:pos + 8], pos + 8
        elif wire == 5:
            value, pos = buf[pos:pos + 4], pos + 4
        else:
            raise ValueError(f"wire type {wire}")
        yield number, wire, value


def repeated_ints(wire, value):
    if wire == 0:
        return [value]
    out, pos = [], 0
    while pos < len(value):
        v, pos = varint(value, pos)
        out.append(v)
    return out


def signed(v):
    return v - (1 << 64) if v >= 1 << 63 else v


def pprof_stacks(path, sample_type):
    """(frames root-first as 'name|file', value) per sample for the sample type `type/unit`."""
    data = open(path, "rb").read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    types, samples, strings = [], [], []
    locations, functions, mappings = {}, {}, {}
    for number, wire, value in fields(data):
        if number == 1:
            t = dict((n, v) for n, _, v in fields(value))
            types.append((t.get(1, 0), t.get(2, 0)))
        elif number == 2:
            locs, vals = [], []
            for n, w, v in fields(value):
                if n == 1:
                    locs += repeated_ints(w, v)
                elif n == 2:
                    vals += [signed(x) for x in repeated_ints(w, v)]
            samples.append((locs, vals))
        elif number == 3:
            m = dict((n, v) for n, w, v in fields(value) if w == 0)
            mappings[m.get(1, 0)] = m.get(5, 0)
        elif number == 4:
            loc = {"lines": [], "mapping": 0, "address": 0}
            for n, w, v in fields(value):
                if n == 1:
                    loc["id"] = v
                elif n == 2:
                    loc["mapping"] = v
                elif n == 3:
                    loc["address"] = v
                elif n == 4:
                    loc["lines"].append(dict((a, b) for a, _, b in fields(v) if _ == 0).get(1, 0))
            locations[loc.get("id", 0)] = loc
        elif number == 5:
            fn = dict((n, v) for n, w, v in fields(value) if w == 0)
            functions[fn.get(1, 0)] = fn
        elif number == 6:
            strings.append(value.decode("utf-8"))
    names = [f"{strings[t]}/{strings[u]}" for t, u in types]
    index = names.index(sample_type)

    def frames_of(loc_id):
        loc = locations[loc_id]
        if not loc["lines"] or all(f not in functions for f in loc["lines"]):
            mapping = strings[mappings.get(loc["mapping"], 0)] if loc["mapping"] else ""
            return [f"0x{loc['address']:x}|{mapping}"]
        out = []
        for fid in reversed(loc["lines"]):  # the last line is the outermost caller
            fn = functions[fid]
            name = strings[fn.get(2, 0)] or strings[fn.get(3, 0)] or f"0x{loc['address']:x}"
            out.append(f"{name}|{strings[fn.get(4, 0)]}")
        return out

    stacks = []
    for locs, vals in samples:
        if vals[index] <= 0:
            continue
        frames = []
        for loc_id in reversed(locs):  # location_id[0] is the leaf
            frames += frames_of(loc_id)
        stacks.append((frames, vals[index]))
    return stacks, names


# ---------- Headroom ----------

def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def headroom_shares(bin_, store, service, tidy):
    """Self shares by (tidied) name, summed; total shares as (largest, sum) bounds: two functions that tidy to one
    name (C++ overloads) may sit on the same stacks, so their totals cannot simply be added."""
    r = run([bin_, "top", "--service", service, "--store", store, "--by", "total", "-n", "1000000",
             "--format", "json"])
    if r.returncode != 0:
        raise RuntimeError(r.stderr.strip())
    doc = json.loads(r.stdout)
    self_, total = defaultdict(float), {}
    for row in doc["functions"]:
        name = tidy(row["function"], row.get("file"))
        self_[name] += row["self"] or 0.0
        low, high = total.get(name, (0.0, 0.0))
        share = row["total"] or 0.0
        total[name] = (max(low, share), high + share)
    return self_, total, doc["total_samples"]


JAVA_CLASS = re.compile(r"^L[\w$]+/")


def tidy_perf(name, _file):
    suffix = ""
    for mark in ("_[k]", "_[j]"):
        if name.endswith(mark):
            name, suffix = name[: -len(mark)], mark
    name = name.replace(";", ":")
    if not re.search(r"\.\(.*\)\.", name):
        name = re.sub(r"\((?!anonymous namespace\)).*", "", name)
    name = name.replace('"', "").replace("'", "")
    if JAVA_CLASS.match(name):
        name = name[1:]
    return name + suffix


def pprof_key(name, file):
    return f"{name}|{file or ''}"


def compare(ref, ours):
    """Largest difference in pp over the reference's top-N names by share. `ours` maps a name to a share or to
    (low, high) bounds; a reference share inside the bounds differs by nothing."""
    top = sorted((k for k in ref if k != BLANK), key=lambda k: -ref[k])[:TOP]
    worst, where = 0.0, None
    for name in top:
        value = ours.get(name, 0.0)
        low, high = value if isinstance(value, tuple) else (value, value)
        d = max(low - ref[name], ref[name] - high, 0.0) * 100
        if d > worst:
            worst, where = d, name
    return worst, where


def reference_view(path, tmp):
    """The input as stackcollapse-perf.pl counts it: it drops a file's last sample when no blank line follows it
    (a known quirk of the reference, see the corpus README). Returns (path, whether a sample was dropped)."""
    data = open(path, "rb").read()
    if data.endswith(b"\n\n") or data.endswith(b"\n\n\r"):
        return path, False
    text = data.rstrip(b"\n")
    cut = text.rfind(b"\n\n")
    copy = os.path.join(tmp, os.path.basename(path))
    with open(copy, "wb") as f:
        f.write(text[: cut + 1] if cut >= 0 else b"")
    return copy, True


def ingest(bin_, path, store, extra=()):
    return run([bin_, "ingest", path, "--service", "conf", "--store", store, "--at", "0", *extra])


def sample_type_of(stdout):
    m = re.search(r": \w+, \d+ (\S+) in \d+ stacks", stdout)
    return m.group(1) if m else None


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.normpath(os.path.join(here, "..", ".."))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--headroom", default=None)
    ap.add_argument("--corpus", default=os.path.join(root, "..", "shared", "conformance"))
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    corpus = os.path.normpath(args.corpus)
    if not os.path.isdir(corpus):
        print(f"conformance: skipped: no corpus at {corpus} (a fresh clone has no ../shared; CI has it)")
        return 0
    bin_ = args.headroom
    if bin_ is None:
        for candidate in (".build/release/headroom", ".build/debug/headroom"):
            if os.path.exists(os.path.join(root, candidate)):
                bin_ = os.path.join(root, candidate)
                break
    if bin_ is None:
        print("conformance: build headroom first (swift build)", file=sys.stderr)
        return 2

    rows, failures = [], 0
    tmp = tempfile.mkdtemp(prefix="headroom-conformance-")

    def store_for(name):
        return os.path.join(tmp, re.sub(r"[^\w.-]", "_", name) + ".sqlite")

    perf_dir = os.path.join(corpus, "perf")
    for fname in sorted(os.listdir(perf_dir)):
        if not fname.endswith(".txt"):
            continue
        path = os.path.join(perf_dir, fname)
        expected = os.path.join(perf_dir, "expected", fname[:-4] + "-collapsed-all.txt")
        if not os.path.exists(expected):
            continue
        store = store_for(fname)
        view, dropped = reference_view(path, tmp)
        r = ingest(bin_, view, store)
        ref_self, ref_total, ref_n = shares(read_collapsed(expected))
        if r.returncode != 0:
            rows.append((f"perf/{fname}", "perf", f"— / {ref_n}", "refused", "", r.stderr.strip()[:70]))
            failures += 1
            continue
        fmt = re.search(r": (\w+), ", r.stdout).group(1)
        ours_self, ours_total, our_n = headroom_shares(bin_, store, "conf", tidy_perf)
        ds, ws = compare(ref_self, ours_self)
        dt, wt = compare(ref_total, ours_total)
        ok = fmt == "perf" and ds <= TOLERANCE_PP and dt <= TOLERANCE_PP
        note = "" if ok else f"worst: {ws if ds >= dt else wt}"[:70]
        if fmt != "perf":
            note = f"read as {fmt}"
        failures += 0 if ok else 1
        if ok and dropped:
            note = "match (last sample left out, as the reference does)"
        rows.append((f"perf/{fname}", fmt, f"{our_n} / {ref_n}", f"{ds:.3f}", f"{dt:.3f}", note or "match"))

    pprof_dir = os.path.join(corpus, "pprof")
    files = []
    for fname in sorted(os.listdir(pprof_dir)):
        full = os.path.join(pprof_dir, fname)
        if os.path.isdir(full):
            files += [os.path.join(fname, f) for f in sorted(os.listdir(full))]
        else:
            files.append(fname)
    for rel in files:
        path = os.path.join(pprof_dir, rel)
        store = store_for(rel)
        extra = []
        if "delta" in rel:
            # A diff profile: its default type has negative values and must be refused in one line, store unchanged.
            r = ingest(bin_, path, store)
            lines = r.stderr.strip().splitlines()
            refused_well = r.returncode != 0 and len(lines) == 1 and "negative" in lines[0]
            untouched = run([bin_, "top", "--service", "conf", "--store", store, "--format", "json"]).returncode != 0
            ok = refused_well and untouched
            failures += 0 if ok else 1
            rows.append((f"pprof/{rel} (default type)", "pprof", "refused", "", "",
                         "refused in one line, store unchanged" if ok else f"NOT refused well: {r.stderr.strip()[:60]}"))
            extra = ["--sample-type", "alloc_objects"]
            store = store_for(rel + "-objects")
        r = ingest(bin_, path, store, extra)
        label = f"pprof/{rel}" + (" --sample-type alloc_objects" if extra else "")
        if r.returncode != 0:
            rows.append((label, "pprof", "", "refused", "", r.stderr.strip()[:70]))
            failures += 1
            continue
        sample_type = sample_type_of(r.stdout)
        stacks, _ = pprof_stacks(path, sample_type)
        ref_self, ref_total, ref_n = shares(stacks)
        ours_self, ours_total, our_n = headroom_shares(bin_, store, "conf", pprof_key)
        ds, ws = compare(ref_self, ours_self)
        dt, wt = compare(ref_total, ours_total)
        ok = ds <= TOLERANCE_PP and dt <= TOLERANCE_PP and our_n == ref_n
        failures += 0 if ok else 1
        rows.append((label, f"pprof {sample_type}", f"{our_n} / {ref_n}", f"{ds:.3f}", f"{dt:.3f}",
                     "match" if ok else f"worst: {ws if ds >= dt else wt}"[:70]))

    print(f"| file | read as | samples ours / reference | top-{TOP} self max Δ pp | top-{TOP} total max Δ pp | result |")
    print("|---|---|---:|---:|---:|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    matched = len(rows) - failures
    print(f"\nconformance: {matched} of {len(rows)} match (tolerance {TOLERANCE_PP} pp on the top {TOP} functions)")
    return 1 if args.check and failures else 0


if __name__ == "__main__":
    sys.exit(main())
