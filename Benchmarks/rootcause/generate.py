#!/usr/bin/env python3
"""Root-cause evaluation scenarios with ground truth.

    generate.py --seed N --out DIR [--windows W] [--commits-per-window C] [--profiled-windows P]

Writes, under DIR:
  repo/          a git repository of a Python service (built with git fast-import; fixed dates, so fixed shas)
  config/        a configuration repository (YAML + JSON), commits live when made
  deploys.csv    timestamp,service,commit — one deploy per window
  profiles/      folded stacks (py-spy style frames) per 10-minute bucket, named <unix-time>.folded
  truth.json     the planted culprits: window, kind, culprit sha, affected function, regressed function

Each window has about C changes by several authors. Some windows carry culprits:
  direct   the culprit adds costly code (logging, serialisation, regex, loop, copy) to a hot function
  callee   the culprit makes a caller call a shared helper more; the helper's self share rises, and a decoy in the
           same window edits the helper itself
  config   a configuration commit raises a limit that a hot function reads; code decoys touch that function
  double   two direct/callee culprits in one window
Decoys: innocent edits, several in the culprit's file, messages that mention logging or performance, logging added
to cold functions, and (sometimes) an innocuous edit of the regressed function itself.
"""
import argparse
import json
import os
import random
import subprocess

import numpy as np

AUTHORS = [("Alice Chen", "alice"), ("Bob Okafor", "bob"), ("Carol Diaz", "carol"), ("Dana Kim", "dana"),
           ("Erin Walsh", "erin"), ("Frank Moreau", "frank"), ("Grace Ho", "grace"), ("Hiro Sato", "hiro"),
           ("Ines Alves", "ines"), ("Jon Berg", "jon")]
MODULES = ["pricing", "catalog", "cart", "checkout", "shipping", "inventory", "search", "accounts", "reviews",
           "payments", "tax", "promotions"]
COSTLY = {
    "logging": ['    logger.debug(f"{name} state: {{order}} {{ctx}}")'],
    "serialization": ["    snapshot = json.dumps({{'order': order, 'ctx': repr(ctx)}}, sort_keys=True)"],
    "regex": ['    pattern = re.compile(r"^(?P<sku>[A-Z]+-\\d+)$")', "    _ = [pattern.match(str(x)) for x in order]"],
    "loop": ["    for _ in range(64):", "        total = (total * 31 + 7) % 1000003"],
    "copy": ["    ctx = copy.deepcopy(ctx)"],
}
DECOY_MESSAGES = ["Add debug logging to {f}", "perf: speed up {f}", "Logging: more context in {f}",
                  "Performance: tidy {f}", "Refactor {f}", "Rename locals in {f}", "Docs for {f}",
                  "Fix edge case in {f}", "Tests and cleanup around {f}", "Make {f} clearer"]
BUCKET = 600
WINDOW = 3 * 3600
START = 1_798_761_600  # 2027-01-01T00:00:00Z


class Function:
    def __init__(self, module, name, role):
        self.module, self.name, self.role = module, name, role
        self.body = ["    total = 0", "    for item in order:", "        total += item * %d" % random.randint(2, 9),
                     "    return total"]
        self.config_key = None

    @property
    def path(self):
        return f"svc/{self.module}.py"

    def render(self):
        lines = [f"def {self.name}(order, ctx):", f'    """{self.role} step {self.name}."""']
        if self.config_key:
            lines.append(f'    limit = CONFIG["{self.config_key}"]')
        return "\n".join(lines + self.body) + "\n"


def render_module(functions, module):
    head = ["import copy", "import json", "import logging", "import re", "", "from svc.settings import CONFIG", "",
            "logger = logging.getLogger(__name__)", "", ""]
    body = "\n\n".join(f.render() for f in functions if f.module == module)
    return "\n".join(head) + body


class Repo:
    """Builds a fast-import stream; one commit per call."""

    def __init__(self):
        self.stream = []
        self.count = 0

    def commit(self, author, time, message, files):
        self.count += 1
        name, login = author
        out = ["commit refs/heads/main", f"mark :{self.count}",
               f"author {name} <{login}@svc.example> {time} +0000",
               f"committer {name} <{login}@svc.example> {time} +0000"]
        data = message.encode()
        out.append(f"data {len(data)}")
        self.stream.append("\n".join(out).encode() + b"\n" + data + b"\n")
        if self.count > 1:
            self.stream.append(f"from :{self.count - 1}\n".encode())
        for path, text in files.items():
            blob = text.encode()
            self.stream.append(f"M 100644 inline {path}\ndata {len(blob)}\n".encode() + blob + b"\n")
        self.stream.append(b"\n")
        return self.count

    def write(self, directory):
        os.makedirs(directory, exist_ok=True)
        subprocess.run(["git", "init", "-q", "-b", "main", directory], check=True)
        marks = os.path.join(directory, ".git", "marks")
        subprocess.run(["git", "-C", directory, "fast-import", "--quiet", f"--export-marks={marks}"],
                       input=b"".join(self.stream), check=True)
        subprocess.run(["git", "-C", directory, "checkout", "-q", "-f", "main"], check=True)
        shas = {}
        for line in open(marks):
            mark, sha = line.split()
            shas[int(mark[1:])] = sha
        return shas


def build(seed, out, windows, per_window, profiled):
    random.seed(seed)
    rng = np.random.default_rng(seed)
    modules = MODULES[:8]
    functions = []
    for m in modules:
        for k in range(8):
            role = "handler" if m == "checkout" and k < 4 else ("helper" if k >= 6 else "step")
            functions.append(Function(m, f"{m}_{['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'][k]}{k}", role))
    handlers = [f for f in functions if f.role == "handler"]
    steps = [f for f in functions if f.role == "step"]
    helpers = [f for f in functions if f.role == "helper"]
    # Call tree: main → handler → step → helper (helpers shared by several steps).
    paths = {}  # tuple of function names (root first) → self weight
    for h in handlers:
        paths[("main", h.name)] = rng.uniform(0.5, 1.5)
    for i, s in enumerate(steps):
        h = handlers[i % len(handlers)]
        paths[("main", h.name, s.name)] = rng.lognormal(0, 0.8)
        for g in random.sample(helpers, 3):
            paths[("main", h.name, s.name, g.name)] = rng.lognormal(-0.3, 0.6)
    paths[("main",)] = 2.0
    weights = {p: w for p, w in paths.items()}
    # Config repository: one key per config-reading function.
    config_funcs = random.sample(steps, 6)
    config = {}
    for i, f in enumerate(config_funcs):
        f.config_key = f"limit_{f.name}"
        config[f.config_key] = 10
    by_name = {f.name: f for f in functions}

    code, conf = Repo(), Repo()
    t = START - 3600
    files = {f"svc/{m}.py": render_module(functions, m) for m in modules}
    files["svc/settings.py"] = "CONFIG = {}\n"
    files["svc/__init__.py"] = ""
    code.commit(AUTHORS[0], t, "Initial service", files)
    conf.commit(AUTHORS[0], t, "Initial configuration",
                            {"services/svc.yaml": yaml_dump(config), "services/flags.json": json.dumps({"beta": False})})
    total_share = sum(weights.values())

    def share(fname):
        return sum(w for p, w in weights.items() if p[-1] == fname) / total_share

    truth = []
    deploy_marks = []
    first_profiled = windows - profiled
    kinds = ["direct", "callee", "config", "double"]
    culprit_windows = {}
    candidates_w = list(range(max(first_profiled + 2, 2), windows - 1))
    random.shuffle(candidates_w)
    for i, w in enumerate(sorted(candidates_w[:max(1, min(len(candidates_w), profiled // 3))])):
        culprit_windows[w] = kinds[(seed + i) % len(kinds)]
    effects = {}  # window → list of (path predicate, factor)
    for w in range(windows):
        deploy_time = START + w * WINDOW
        commit_times = sorted(random.sample(range(deploy_time - WINDOW + 300, deploy_time - 300), per_window))
        kind = culprit_windows.get(w)
        plans = []
        if kind in ("direct", "callee"):
            plans.append(kind)
        elif kind == "double":
            plans += random.sample(["direct", "callee", "direct"], 2)
        culprit_slots = random.sample(range(per_window), len(plans))
        used = set()
        slot_plan = dict(zip(culprit_slots, plans))
        decoy_targets = []
        window_truth = []
        for plan in plans:
            if plan == "direct":
                hot = [f for f in steps if share(f.name) > 0.012 and f.name not in used]
                f = random.choice(hot)
                used.add(f.name)
                window_truth.append({"kind": "direct", "function": f, "regressed": f})
                decoy_targets += [f] if random.random() < 0.3 else []
            else:
                callers = [(p, w_) for p, w_ in weights.items() if len(p) == 4 and p[2] not in used
                           and w_ / total_share > 0.006 and sum(1 for q in weights if len(q) == 4 and q[3] == p[3]) >= 3]
                if not callers:
                    callers = [(p, w_) for p, w_ in weights.items() if len(p) == 4 and p[2] not in used]
                p, _ = random.choice(callers)
                f, g = by_name[p[2]], by_name[p[3]]
                used.update([f.name, g.name])
                window_truth.append({"kind": "callee", "function": f, "regressed": g, "path": p})
                decoy_targets.append(g)
        if kind == "config":
            f = random.choice([c for c in config_funcs if share(c.name) > 0.006] or config_funcs)
            window_truth.append({"kind": "config", "function": f, "regressed": f})
            decoy_targets += [f] if random.random() < 0.5 else []
        decoy_queue = list(decoy_targets)
        culprit_files = [t_["function"].path for t_ in window_truth]
        for slot, ct in enumerate(commit_times):
            author = random.choice(AUTHORS)
            if slot in slot_plan:
                entry = next(e for e in window_truth if e["kind"] == slot_plan[slot] and "mark" not in e)
                f = entry["function"]
                if entry["kind"] == "direct":
                    signal = random.choice(list(COSTLY))
                    f.body[-1:-1] = [line.format(name=f.name) for line in COSTLY[signal]]
                    message = random.choice(["Pricing rules: handle bundles in {f}", "Trace {f} for support",
                                             "Add audit snapshot to {f}", "Validate SKUs in {f}",
                                             "Harden {f} against bad input"]).format(f=f.name)
                    entry["factor"] = float(rng.uniform(1.4, 2.6))
                else:
                    g = entry["regressed"]
                    f.body[-1:-1] = ["    for _ in range(8):", f"        {g.name}(order, ctx)"]
                    message = f"Recompute {g.name} per item in {f.name}"
                    entry["factor"] = float(rng.uniform(2.0, 4.0))
                entry["signal"] = "callee" if entry["kind"] == "callee" else signal
                entry["mark"] = code.commit(author, ct, message, {f.path: render_module(functions, f.module)})
                entry["author"] = author[0]
                continue
            # Decoys: several in the culprit's file, some on the regressed function itself.
            if decoy_queue:
                f = decoy_queue.pop()
            elif culprit_files and random.random() < 0.25:
                path = random.choice(culprit_files)
                f = random.choice([x for x in functions if x.path == path])
            else:
                f = random.choice(functions)
            style = random.random()
            if style < 0.15 and f.role != "handler" and share(f.name) < 0.004:
                f.body.insert(0, f'    logger.info("{f.name} called")')  # logging on a cold path
            elif style < 0.45:
                at = next(i for i, line in enumerate(f.body) if "+= item *" in line)
                f.body[at] = f.body[at].split("+=")[0] + "+= item * %d" % random.randint(2, 9)
            elif style < 0.7:
                f.body.insert(0, "    # %s" % random.choice(["keep in sync with the API", "see docs", "TODO: tidy",
                                                               "order is a list of ints"]))
            else:
                f.body = [line.replace("total", "acc") if "total" in line else line.replace("acc", "total")
                          for line in f.body]
            message = random.choice(DECOY_MESSAGES).format(f=f.name)
            code.commit(author, ct, message, {f.path: render_module(functions, f.module)})
        deploy_marks.append((deploy_time, code.count))
        for entry in window_truth:
            if entry["kind"] == "config":
                f = entry["function"]
                ct = deploy_time + random.randint(60, 500)
                config[f.config_key] = config[f.config_key] * 50
                entry["factor"] = float(rng.uniform(1.4, 2.6))
                entry["signal"] = "config"
                author = random.choice(AUTHORS)
                entry["author"] = author[0]
                entry["conf_mark"] = conf.commit(author, ct, f"Raise {f.config_key} for the spring sale",
                                                 {"services/svc.yaml": yaml_dump(config)})
                entry["live"] = ct
            else:
                entry["live"] = deploy_time
        # Config decoys: a flag flip that no code reads, in some windows.
        if random.random() < 0.4:
            ct = deploy_time + random.randint(30, 500)
            conf.commit(random.choice(AUTHORS), ct, "Flip beta flag",
                        {"services/flags.json": json.dumps({"beta": random.random() < 0.5})})
        for entry in window_truth:
            entry["window"] = w
            truth.append(entry)
        effects[w] = window_truth
    shas = code.write(os.path.join(out, "repo"))
    conf_shas = conf.write(os.path.join(out, "config"))
    with open(os.path.join(out, "deploys.csv"), "w") as handle:
        handle.write("timestamp,service,commit\n")
        for time, mark in deploy_marks:
            handle.write(f"{time},svc,{shas[mark]}\n")

    # Profiles: three 10-minute buckets after each deploy of the profiled windows.
    prof = os.path.join(out, "profiles")
    os.makedirs(prof, exist_ok=True)
    names = {f.name: f for f in functions}
    current = dict(weights)
    line_of = {f.name: 10 + 7 * i for i, f in enumerate(functions)}

    def frame(n):
        if n == "main":
            return "main (svc/app.py:5)"
        f = names[n]
        return f"{n} ({f.path}:{line_of[n]})"

    for w in range(windows):
        for entry in effects.get(w, []):
            if entry["kind"] == "callee":
                current[entry["path"]] *= entry["factor"]
            else:
                for p in current:
                    if p[-1] == entry["regressed"].name:
                        current[p] *= entry["factor"]
        if w < first_profiled:
            continue
        deploy_time = START + w * WINDOW
        for b in range(3):
            t0 = deploy_time + 900 + b * BUCKET * 2
            keys = list(current)
            wv = np.array([current[k] for k in keys]) * rng.lognormal(0, 0.03, len(keys))
            counts = rng.multinomial(20000, wv / wv.sum())
            with open(os.path.join(prof, f"{t0}.folded"), "w") as handle:
                for k, c in zip(keys, counts):
                    if c:
                        handle.write(";".join(frame(n) for n in k) + f" {c}\n")
    records = []
    for entry in truth:
        records.append({
            "window": entry["window"], "kind": entry["kind"], "signal": entry.get("signal"),
            "culprit": conf_shas[entry["conf_mark"]] if entry["kind"] == "config" else shas[entry["mark"]],
            "author": entry["author"], "function": entry["function"].name, "regressed": entry["regressed"].name,
            "file": entry["regressed"].path, "live": entry["live"], "deploy": START + entry["window"] * WINDOW,
        })
    with open(os.path.join(out, "truth.json"), "w") as handle:
        json.dump({"seed": seed, "commits": code.count, "culprits": records}, handle, indent=1)


def yaml_dump(mapping):
    return "svc:\n  limits:\n" + "".join(f"    {k}: {v}\n" for k, v in sorted(mapping.items()))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--windows", type=int, default=12)
    parser.add_argument("--commits-per-window", type=int, default=20)
    parser.add_argument("--profiled-windows", type=int, default=12)
    a = parser.parse_args()
    build(a.seed, a.out, a.windows, a.commits_per_window, min(a.profiled_windows, a.windows))
