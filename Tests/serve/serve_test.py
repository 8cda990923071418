#!/usr/bin/env python3
"""`headroom serve` end to end over real HTTP on loopback: Pyroscope's /ingest API (folded, lines, pprof raw and
multipart), the agents' Connect push (protobuf, gzip), bearer tokens, body limits, bad input (400 with a JSON error,
nothing stored), idempotent re-pushes, the detection loop, the fix policy and queue (a fix delivered by itself, and
kill -9 in the middle of one), webhooks (a receiver that fails at first: retries, each
event delivered once, nothing repeated after a restart, the URL's secret never logged), verdicts through the API,
/metrics, graceful SIGTERM, and the real Pyroscope Python agent (pyroscope-io) pushing a live workload. Prints one
line per check; exits 1 at the first failure.

    python3 Tests/serve/serve_test.py --headroom .build/debug/headroom
"""
import argparse, atexit, datetime, gzip, json, os, re, signal, subprocess, sys, tempfile, textwrap, threading, time
import http.server
import urllib.error, urllib.parse, urllib.request

TOKEN = "serve-test-token-0123456789"
RUNNING = []  # servers to kill if the test stops early: a failure must not leave one listening


@atexit.register
def _kill_servers():
    for proc in RUNNING:
        if proc.poll() is None:
            proc.kill()


def ok(message):
    print(f"ok: {message}", flush=True)


def fail(message):
    print(f"FAIL: {message}", flush=True)
    sys.exit(1)


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(number, payload):
    """A length-delimited field (bytes or a nested message)."""
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def number(number_, value):
    return varint(number_ << 3) + varint(value)


def pprof(stacks, unit=("cpu", "nanoseconds")):
    """A minimal pprof: stacks is [([root, ..., leaf], value)]."""
    strings = [""]

    def s(text):
        if text not in strings:
            strings.append(text)
        return strings.index(text)

    names = sorted({f for frames, _ in stacks for f in frames})
    functions = {name: i + 1 for i, name in enumerate(names)}
    msg = field(1, number(1, s(unit[0])) + number(2, s(unit[1])))
    for frames, value in stacks:
        locations = b"".join(varint(functions[f]) for f in reversed(frames))  # leaf first
        msg += field(2, field(1, locations) + field(2, varint(value)))
    for name, fid in functions.items():
        msg += field(4, number(1, fid) + field(4, number(1, fid)))  # location id = function id, one line
        msg += field(5, number(1, fid) + number(2, s(name)) + number(4, s("app.py")))
    for text in strings:
        msg += field(6, text.encode())
    return msg


class Server:
    def __init__(self, binary, store, *extra):
        self.proc = subprocess.Popen([binary, "serve", "--store", store, "--listen", "127.0.0.1:0", *extra],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        RUNNING.append(self.proc)
        self.lines = []
        deadline = time.time() + 60
        while time.time() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                fail(f"headroom serve exited: {''.join(self.lines)}")
            self.lines.append(line)
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
            if m:
                self.base = f"http://127.0.0.1:{m.group(1)}"
                return
        fail("headroom serve did not start")

    def request(self, method, path, body=None, headers=None, token=TOKEN):
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            fail("headroom serve did not stop within 20 s of SIGTERM")


class Receiver:
    """A webhook receiver on loopback that answers 500 to its first `failures` POSTs, then 200; keeps every body."""

    def __init__(self, failures):
        self.posts, self.delivered, self.lock = 0, [], threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    receiver.posts += 1
                    failing = receiver.posts <= failures
                    if not failing:
                        receiver.delivered.append(json.loads(body))
                self.send_response(500 if failing else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.http = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/hooks/secret-hook-path-7f3a"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def events(self, kind):
        with self.lock:
            return [e for e in self.delivered if e.get("event") == kind]


def ingest_path(name, start, end, fmt="folded", sample_rate=None):
    query = {"name": name, "from": start, "until": end, "format": fmt}
    if sample_rate is not None:
        query["sampleRate"] = sample_rate
    return "/ingest?" + urllib.parse.urlencode(query)


def crash_test(binary, work):
    """kill -9 during a stream of pushes: after a restart the store is intact and every acknowledged push is in it,
    whole."""
    import sqlite3
    import threading
    store = os.path.join(work, "crash.sqlite")
    server = Server(binary, store, "--detect-every", "0")
    payload = "".join(f"main;handle;f{i} {i + 1}\n" for i in range(50)).encode()
    per = sum(i + 1 for i in range(50))
    acknowledged, lock = [], threading.Lock()

    def pusher(worker):
        for n in range(200):
            start = 1794000000 + (worker * 1000 + n) * 10
            try:
                status, _, _ = server.request("POST", ingest_path("crash.app.cpu", start, start + 10), payload,
                                              token=None)
            except OSError:
                return
            if status == 200:
                with lock:
                    acknowledged.append(f"{start}-{start + 10}")
    threads = [threading.Thread(target=pusher, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    deadline = time.time() + 30
    while time.time() < deadline and len(acknowledged) < 40:
        time.sleep(0.05)
    server.proc.kill()  # SIGKILL, mid-stream
    server.proc.wait()
    for t in threads:
        t.join()
    if len(acknowledged) < 40:
        fail(f"only {len(acknowledged)} pushes were acknowledged before the kill")
    restarted = Server(binary, store, "--detect-every", "0")
    db = sqlite3.connect(store)
    integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
    rows = db.execute("SELECT p.source, p.total_samples FROM profile p JOIN service s ON s.id = p.service_id"
                      " WHERE s.name = 'crash.app'").fetchall()
    db.close()
    stored = {source.rsplit(" ", 1)[-1]: samples for source, samples in rows}
    missing = [w for w in acknowledged if w not in stored]
    partial = [w for w, samples in stored.items() if samples != per]
    if integrity != "ok" or missing or partial:
        fail(f"after kill -9: integrity {integrity}, {len(missing)} acknowledged pushes missing, {len(partial)} partial")
    if restarted.stop() != 0:
        fail("the restarted server did not stop cleanly")
    ok(f"kill -9 during {len(acknowledged)}+ acknowledged pushes: integrity ok after restart, every acknowledged push "
       "stored whole")


def loop_app(binary, store, work, service, start, server, bench="python3 -c 'import app; app.hot(3000)'"):
    """A service's repository (`hot` made slower by its second commit, deployed just before a step), its changes and
    deploys imported into the store, and 16 minutes of pushes showing the step. Returns the repository."""
    repo = os.path.join(work, service.replace(".", "-"))
    os.makedirs(repo)

    def git(*argv, when=None):
        env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", HOME=work)
        if when:
            env.update(GIT_AUTHOR_DATE=f"@{when} +0000", GIT_COMMITTER_DATE=f"@{when} +0000")
        subprocess.run(["git", "-c", "user.name=Dana Culprit", "-c", "user.email=dana@example.com",
                        "-c", "commit.gpgsign=false", *argv], cwd=repo, env=env, check=True, capture_output=True)

    def headroom(*argv):
        r = subprocess.run([binary, *argv, "--store", store], capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            fail(f"headroom {' '.join(argv)}: {r.stderr}")

    git("init", "-q", "-b", "main")
    with open(os.path.join(repo, "app.py"), "w") as f:
        f.write("def hot(n):\n    return n * 2\n\n\ndef cold(n):\n    return n + 1\n")
    with open(os.path.join(repo, "headroom.toml"), "w") as f:  # how the fix is validated: its tests and benchmark
        f.write(f'[commands]\ntest = "python3 -c \'import app; assert app.cold(1) == 2\'"\nbench = "{bench}"\n')
    git("add", "-A")
    git("commit", "-qm", "First version", when=start - 3000)
    with open(os.path.join(repo, "app.py"), "w") as f:
        f.write("def hot(n):\n    total = 0\n    for i in range(n * 1000):\n        total += i\n    return total\n"
                "\n\ndef cold(n):\n    return n + 1\n")
    git("commit", "-qam", "Make hot slower", when=start - 2000)
    shas = subprocess.run(["git", "log", "--format=%H", "--reverse"], cwd=repo, capture_output=True, text=True,
                          check=True).stdout.split()
    headroom("changes", "import", "--repo", repo, "--service", service)
    deploys = os.path.join(work, f"deploys-{service}.csv")
    with open(deploys, "w") as f:
        f.write(f"timestamp,service,commit\n{start - 600},{service},{shas[0]}\n{start + 60 * 8 - 30},{service},{shas[1]}\n")
    headroom("deploys", "import", deploys)
    for i in range(16):
        hot = 20 if i < 8 else 60
        jitter = i * 37 % 11 - 5  # real shares are never exactly flat
        stacks = (f"main;handle;hot {hot * 10 + jitter}\nmain;handle;cold {300 - jitter}\n"
                  f"main;io {(70 - hot) * 10}\n").encode()
        # ~1000 samples a 10-second push at 10 Hz: 100 CPU seconds over 10 s, a 10-core service, so the step of
        # `hot` (20% -> 60%) costs 4 measured cores, above the fix policy's 1 core.
        status, _, body = server.request(
            "POST", ingest_path(f"{service}.cpu", start + 60 * i, start + 60 * i + 10, sample_rate=10), stacks)
        if status != 200:
            fail(f"{service} push {i}: {status} {body!r}")
    return repo


def worktrees(repo):
    out = subprocess.run(["git", "worktree", "list", "--porcelain"], cwd=repo, capture_output=True, text=True,
                         check=True).stdout
    return out.count("worktree ")


def fix_crash_test(binary, work):
    """kill -9 during a fix job's benchmark: after a restart the stale worktree is gone, the job is taken up again
    (its second attempt), and it ends delivered; the store is intact."""
    import sqlite3
    store = os.path.join(work, "fixcrash.sqlite")
    marker = os.path.join(work, "bench-hangs")
    open(marker, "w").close()
    # While the marker exists, the benchmark hangs: the attempt is mid-validation when the server is killed.
    bench = f"if [ -f {marker} ]; then sleep 60; fi; python3 -c 'import app; app.hot(3000)'"
    server = Server(binary, store, "--detect-every", "1", "--detect-debounce", "1")
    repo = loop_app(binary, store, work, "crash.fix", 1793800000, server, bench=bench)
    deadline, jobs = time.time() + 60, []
    while time.time() < deadline:
        status, _, body = server.request("GET", "/api/v1/jobs", token=None)
        jobs = json.loads(body)["jobs"] if status == 200 else []
        if jobs and jobs[0]["state"] == "running" and worktrees(repo) > 1:
            break
        time.sleep(0.5)
    else:
        fail(f"the fix job never reached its benchmark: {jobs}, {worktrees(repo)} worktrees")
    time.sleep(1)
    server.proc.kill()  # SIGKILL, mid-validation
    server.proc.wait()
    os.remove(marker)
    restarted = Server(binary, store, "--detect-every", "0")
    deadline = time.time() + 90
    while time.time() < deadline:
        status, _, body = restarted.request("GET", "/api/v1/jobs", token=None)
        jobs = json.loads(body)["jobs"]
        if jobs[0]["state"] in ("done", "failed"):
            break
        time.sleep(0.5)
    integrity = sqlite3.connect(store).execute("PRAGMA integrity_check").fetchone()[0]
    if restarted.stop() != 0:
        fail("the restarted server did not stop cleanly")
    job = jobs[0]
    if job["state"] != "done" or job["attempts"] != 2 or job["result"]["status"] != "delivered" \
            or worktrees(repo) != 1 or integrity != "ok":
        fail(f"after kill -9 during a fix: job {job}, {worktrees(repo)} worktrees, integrity {integrity}")
    ok("kill -9 during a fix job's benchmark: after a restart the worktree is gone, the job's second attempt "
       "delivers, the store is intact")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--headroom", required=True)
    args = parser.parse_args()
    binary = os.path.abspath(args.headroom)
    work = tempfile.mkdtemp(prefix="headroom-serve-")
    store = os.path.join(work, "s.sqlite")
    token_file = os.path.join(work, "token")
    with open(token_file, "w") as f:
        f.write(TOKEN + "\n")

    def headroom(*argv):
        r = subprocess.run([binary, *argv, "--store", store], capture_output=True, text=True, timeout=120)
        return r.returncode, r.stdout, r.stderr

    # Beyond loopback without a token: one line, non-zero.
    r = subprocess.run([binary, "serve", "--store", store, "--listen", "0.0.0.0:0"], capture_output=True, text=True,
                       timeout=60)
    if r.returncode == 0 or len(r.stderr.strip().splitlines()) != 1 or "token" not in r.stderr:
        fail(f"serve on 0.0.0.0 without a token: {r.returncode} {r.stderr!r}")
    ok("0.0.0.0 without a token is refused in one line")

    receiver = Receiver(failures=2)
    server = Server(binary, store, "--token-file", token_file, "--max-body-mb", "1", "--detect-every", "1",
                    "--detect-debounce", "1", "--webhook", receiver.url)
    status, _, body = server.request("GET", "/healthz", token=None)
    if status != 200 or json.loads(body)["status"] != "ok":
        fail(f"/healthz: {status} {body!r}")
    ok("/healthz answers without a token")
    status, headers, body = server.request("POST", ingest_path("shop.cpu", 1793606400, 1793606410), b"a;b 1\n",
                                           token=None)
    if status != 401 or "error" not in json.loads(body) or "Bearer" not in headers.get("WWW-Authenticate", ""):
        fail(f"/ingest without a token: {status} {body!r}")
    status, _, _ = server.request("POST", ingest_path("shop.cpu", 1793606400, 1793606410), b"a;b 1\n",
                                  token="wrong-token-0123456789")
    if status != 401:
        fail(f"/ingest with a wrong token: {status}")
    ok("/ingest without or with a wrong token: 401 with a JSON error")

    folded = b"main;handle;hot 30\nmain;handle;cold 10\n"
    path = ingest_path("shop.cpu{env=prod,region=eu}", 1793606400, 1793606410)
    status, _, body = server.request("POST", path, folded)
    answer = json.loads(body)
    if status != 200 or answer != {"services": ["shop"], "profiles": 1, "duplicates": 0, "samples": 40}:
        fail(f"folded ingest: {status} {body!r}")
    status, _, body = server.request("POST", path, folded)
    if status != 200 or json.loads(body)["duplicates"] != 1:
        fail(f"the same push again: {status} {body!r}")
    status, _, body = server.request("POST", ingest_path("shop.cpu{env=prod,region=eu}", 1793606410, 1793606420), folded)
    if status != 200 or json.loads(body)["profiles"] != 1:
        fail(f"the same bytes for the next window: {status} {body!r}")
    code, out, err = headroom("top", "--service", "shop", "--label", "env=prod")
    if code != 0 or "80 samples" not in out or not re.search(r"75\.00%\s+75\.00%\s+hot", out):
        fail(f"top after folded pushes: {code} {out} {err}")
    ok("folded /ingest: service from the name, labels on every stack, a re-push is a duplicate, the next window is new")

    lines = b"main;handle;hot\nmain;handle;hot\nmain;handle;cold\n"
    status, _, body = server.request("POST", ingest_path("lines.app", 1793606400, 1793606410, "lines"), lines)
    if status != 200 or json.loads(body)["samples"] != 3:
        fail(f"lines ingest: {status} {body!r}")
    ok("format=lines: each line one sample")

    profile = pprof([(["main", "serve", "parse"], 7_000_000), (["main", "serve", "render"], 3_000_000)])
    status, _, body = server.request("POST", ingest_path("go.app.cpu", 1793606400, 1793606410, "pprof"),
                                     gzip.compress(profile))
    if status != 200 or json.loads(body)["samples"] != 10_000_000:
        fail(f"raw pprof ingest: {status} {body!r}")
    boundary = "----headroomtest"
    multipart = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"profile\"; filename=\"profile.pprof\"\r\n"
                 f"Content-Type: application/octet-stream\r\n\r\n").encode() + gzip.compress(profile) + \
        f"\r\n--{boundary}--\r\n".encode()
    status, _, body = server.request("POST", ingest_path("go.app.cpu", 1793606410, 1793606420, "pprof"), multipart,
                                     {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    if status != 200 or json.loads(body)["profiles"] != 1:
        fail(f"multipart pprof ingest: {status} {body!r}")
    code, out, _ = headroom("top", "--service", "go.app")
    # The push's pprof says its CPU time and duration, so top gives measured cores (a column before the name).
    if code != 0 or not re.search(r"70\.00%\s+70\.00%\s+(?:[0-9.]+\s+)?parse", out) or "measured by its profiles" not in out:
        fail(f"top after pprof pushes: {out}")
    ok("format=pprof: raw (gzip) and multipart bodies")

    series = b"".join(field(1, field(1, k.encode()) + field(2, v.encode())) for k, v in [
        ("__name__", "process_cpu"), ("service_name", "pushed.app"), ("zone", "a")])
    series += field(2, field(1, profile) + field(2, b"sample-1"))
    push = gzip.compress(field(1, series))
    headers = {"Content-Type": "application/proto", "Content-Encoding": "gzip", "Connect-Protocol-Version": "1"}
    status, rheaders, body = server.request("POST", "/push.v1.PusherService/Push", push, headers)
    if status != 200 or rheaders.get("Content-Type") != "application/proto":
        fail(f"Connect push: {status} {rheaders} {body!r}")
    code, out, _ = headroom("top", "--service", "pushed.app", "--label", "zone=a")
    if code != 0 or "parse" not in out:
        fail(f"top after a Connect push: {out}")
    status, _, _ = server.request("POST", "/push.v1.PusherService/Push", push, {"Content-Type": "application/json"})
    if status != 415:
        fail(f"a JSON push: {status}")
    ok("Connect push (protobuf, gzip): stored under service_name with its labels; other encodings get 415")

    code, before, _ = headroom("top", "--service", "shop")
    for label, bad, expect in [
        ("bad folded", (ingest_path("shop.cpu", 1793606500, 1793606510), b"main;hot notanumber\n"), 400),
        ("unknown format", (ingest_path("shop.cpu", 1793606500, 1793606510, "jfr"), b"x"), 400),
        ("no name", ("/ingest?from=1&until=2", b"a 1\n"), 400),
        ("garbage push", ("/push.v1.PusherService/Push", b"\xff\xff\xff"), 400),
        ("too large", (ingest_path("shop.cpu", 1793606500, 1793606510), b"a;b 1\n" * 400_000), 413),
    ]:
        path, data = bad
        hdrs = {"Content-Type": "application/proto"} if "Push" in path else {}
        status, _, body = server.request("POST", path, data, hdrs)
        try:
            message = json.loads(body).get("error", "")
        except ValueError:
            message = ""
        if status != expect or not message:
            fail(f"{label}: {status} {body[:200]!r}")
    code, after, _ = headroom("top", "--service", "shop")
    if before != after:
        fail("a refused request changed the store")
    ok("bad input: 400/413 with a JSON error, store unchanged")

    # The loop: a service whose pushes show a step is detected and root-caused without anyone running a command.
    # Its repository: `hot` is made slower by the second commit, deployed just before the step.
    start = 1793700000
    repo = loop_app(binary, store, work, "loop.app", start, server)
    pushed_at = time.time()
    deadline = time.time() + 30
    regressions = []
    while time.time() < deadline:
        code, out, _ = headroom("tools", "call", "list_regressions", '{"service": "loop.app"}')
        regressions = json.loads(out).get("regressions", []) if code == 0 else []
        if any(r["function"] == "hot" for r in regressions):
            break
        time.sleep(1)
    else:
        fail(f"the loop did not detect the step in loop.app within 30 s: {regressions}")
    hot_id = next(r["id"] for r in regressions if r["function"] == "hot")
    deadline = time.time() + 30
    candidates = []
    while time.time() < deadline:
        code, out, _ = headroom("tools", "call", "get_regression", json.dumps({"id": hot_id}))
        candidates = json.loads(out).get("candidates", []) if code == 0 else []
        if candidates:
            break
        time.sleep(1)
    if not candidates or candidates[0].get("message") != "Make hot slower":
        fail(f"the loop did not rank the culprit of regression {hot_id}: {candidates[:2]}")
    ok("the loop detects a step in pushed profiles and ranks its culprit (the deploy's commit) by itself")

    # Webhooks: the receiver fails twice, so the first event needs retries; then each event arrives once.
    deadline = time.time() + 30
    while time.time() < deadline and not receiver.events("regression.root_caused"):
        time.sleep(0.5)
    detected = [e for e in receiver.events("regression.detected") if e["regression"]["function"] == "hot"]
    caused = [e for e in receiver.events("regression.root_caused") if e["regression"]["function"] == "hot"]
    if len(detected) != 1 or len(caused) != 1:
        fail(f"webhook: expected one regression.detected and one root_caused for hot, got {receiver.delivered}")
    if caused[0]["candidate"]["message"] != "Make hot slower" or "hot" not in detected[0]["text"] \
            or detected[0]["regression"]["id"] != hot_id or not isinstance(detected[0].get("id"), int):
        fail(f"webhook payloads: {detected[0]} {caused[0]}")
    ids = [e["id"] for e in receiver.delivered]
    if len(ids) != len(set(ids)) or receiver.posts < len(ids) + 2:
        fail(f"webhook: {receiver.posts} posts for events {ids} (2 failed ones expected, no repeats)")
    ok(f"webhooks: regression.detected and regression.root_caused (culprit, Slack text) delivered once each after "
       f"{receiver.posts - len(ids)} failed attempts were retried")

    # The policy: the culprit is clear, the regression costs hundreds of cores and the repository is registered, so a
    # fix job is queued and run by itself: the culprit's hunk reverted, tests and A/B benchmark run, a new branch
    # delivered and announced; nothing is left on disk and the checkout is untouched.
    deadline = time.time() + 60
    jobs = []
    while time.time() < deadline:
        status, _, body = server.request("GET", "/api/v1/jobs")
        jobs = [j for j in json.loads(body)["jobs"] if j["regression_id"] == hot_id] if status == 200 else []
        if jobs and jobs[0]["state"] not in ("queued", "running"):
            break
        time.sleep(1)
    if len(jobs) != 1 or jobs[0]["state"] != "done" or jobs[0]["attempts"] != 1 \
            or (jobs[0]["result"] or {}).get("status") != "delivered" \
            or not jobs[0]["result"]["validation"]["speedup"] > 1:
        fail(f"the fix job for regression {hot_id}: {jobs}")
    branch = jobs[0]["result"]["branch"]
    deadline = time.time() + 30
    while time.time() < deadline and not receiver.events("patch.delivered"):
        time.sleep(0.5)
    delivered = receiver.events("patch.delivered")
    if len(delivered) != 1 or delivered[0]["patch"]["branch"] != branch or "delivered" not in delivered[0]["text"]:
        fail(f"webhook patch.delivered: {delivered}")
    to_patch = time.time() - pushed_at
    trees = worktrees(repo)
    head = subprocess.run(["git", "rev-parse", "--abbrev-ref", "HEAD"], cwd=repo, capture_output=True, text=True,
                          check=True).stdout.strip()
    if trees != 1 or head != "main":
        fail(f"after the fix job: {trees} worktrees, HEAD on {head}")
    ok(f"the policy queued a fix and the worker delivered it by itself: {branch} "
       f"({jobs[0]['result']['validation']['speedup']:.2f}x, validated), patch.delivered reached the webhook "
       f"{to_patch:.1f} s after the last push; no worktree left, the checkout untouched")

    # The JSON API answers with the same tools as MCP and the CLI.
    def api(path, token=TOKEN):
        status, _, body = server.request("GET", path, token=token)
        return status, json.loads(body)
    status, services = api("/api/v1/services")
    if status != 200 or "loop.app" not in json.dumps(services):
        fail(f"/api/v1/services: {status} {services}")
    status, listed = api("/api/v1/regressions?service=loop.app")
    code, out, _ = headroom("tools", "call", "list_regressions", '{"service": "loop.app"}')
    if status != 200 or listed != json.loads(out):
        fail(f"/api/v1/regressions differs from the list_regressions tool: {listed} vs {out}")
    status, one = api(f"/api/v1/regressions/{hot_id}")
    if status != 200 or one["candidates"][0]["message"] != "Make hot slower":
        fail(f"/api/v1/regressions/{hot_id}: {status} {one}")
    status, ranked = api(f"/api/v1/regressions/{hot_id}/rootcause")
    if status != 200 or ranked["candidates"][0]["message"] != "Make hot slower":
        fail(f"/api/v1/regressions/{hot_id}/rootcause: {status} {ranked}")
    for path, expect in [("/api/v1/regressions/999999", 404), ("/api/v1/regressions/abc", 400)]:
        status, body = api(path)
        if status != expect or not body.get("error"):
            fail(f"{path}: {status} {body}")
    status, _ = api("/api/v1/regressions", token=None)
    if status != 401:
        fail(f"/api/v1 without a token: {status}")
    for path in ["/api/v1/opportunities", "/api/v1/patches"]:
        status, body = api(path)
        if status != 200:
            fail(f"{path}: {status} {body}")
    ok("/api/v1: services, regressions (= the list_regressions tool), a regression with its culprit, rootcause, "
       "opportunities, patches; 404/400/401 as JSON")
    # The program's routes: the culprit's author's inbox, the program's figures, a capacity plan.
    status, inbox = api("/api/v1/inbox/dana@example.com")
    if status != 200 or [r["id"] for r in inbox["regressions"]] != [hot_id] \
            or "culprit author" not in inbox["regressions"][0]["because"]:
        fail(f"/api/v1/inbox/dana@example.com: {status} {inbox}")
    status, figures = api("/api/v1/program/metrics?until=2030-01-01T00:00:00Z")
    code, out, _ = headroom("tools", "call", "get_metrics", '{"until": "2030-01-01T00:00:00Z"}')
    if status != 200 or figures != json.loads(out) or hot_id not in figures["regressions"]["ids"]:
        fail(f"/api/v1/program/metrics differs from get_metrics: {figures} vs {out}")
    # The pushes span minutes, not hours: too little history for an hourly plan, said in one line.
    status, plan = api("/api/v1/services/loop.app/plan?step=hour&horizon=6")
    if status != 400 or "too little history" not in plan.get("error", ""):
        fail(f"/api/v1/services/loop.app/plan: {status} {plan}")
    for path, expect in [("/api/v1/services/nope/plan", 404), ("/api/v1/services/loop.app/plan?horizon=x", 400),
                         ("/api/v1/services/loop.app/experiment?label=arm&control=a&treatment=b", 404)]:
        status, body = api(path)
        if status != expect or not body.get("error"):
            fail(f"{path}: {status} {body}")
    ok("/api/v1 for the program: the culprit author's inbox, the program's figures (= get_metrics); a plan without "
       "enough history 400, unknown service 404, bad horizon 400, an experiment with no labelled profiles 404")

    # Verdicts: a person acknowledges the regression; it shows in the API and the CLI's summary.
    status, _, body = server.request("POST", f"/api/v1/regressions/{hot_id}/ack",
                                     json.dumps({"note": "known, fix in flight"}).encode(),
                                     {"Content-Type": "application/json"})
    verdict = json.loads(body)
    if status != 200 or verdict["triage"]["verdict"] != "acknowledged" or verdict["triage"]["note"] != \
            "known, fix in flight":
        fail(f"POST ack: {status} {verdict}")
    status, one = api(f"/api/v1/regressions/{hot_id}")
    if one.get("triage", {}).get("verdict") != "acknowledged":
        fail(f"the verdict is not on the regression: {one}")
    for path, payload, expect in [(f"/api/v1/regressions/{hot_id}/invalid", b"[1]", 400),
                                  ("/api/v1/regressions/999999/invalid", b"", 404),
                                  (f"/api/v1/regressions/{hot_id}/ack", b"", 401)]:
        status, _, body = server.request("POST", path, payload, {"Content-Type": "application/json"},
                                         token=TOKEN if expect != 401 else None)
        if status != expect or not json.loads(body).get("error"):
            fail(f"POST {path}: {status} {body!r}")
    code, out, _ = headroom("triage", "--summary", "--format", "json")
    if code != 0 or json.loads(out) != {"acknowledged": 1, "invalid": 0, "false_positive_rate": 0.0}:
        fail(f"triage --summary: {code} {out}")
    ok("verdicts: POST /api/v1/regressions/ID/ack records one (on the regression, in triage --summary); bad body 400, "
       "unknown id 404, no token 401")
    for headers, expect in [({"Content-Type": "text/plain"}, 415),
                            ({"Content-Type": "application/json", "Origin": "http://evil.example"}, 403)]:
        status, _, body = server.request("POST", f"/api/v1/regressions/{hot_id}/invalid", b'{"note": "x"}', headers)
        if status != expect:
            fail(f"a cross-site style write got {status}, expected {expect}: {body!r}")
    status, one = api(f"/api/v1/regressions/{hot_id}")
    if one["triage"]["verdict"] != "acknowledged":
        fail(f"a refused write changed the verdict: {one['triage']}")
    # A snooze: quiet for a week; no length, or one out of range, is refused.
    before = time.time()
    status, _, body = server.request("POST", f"/api/v1/regressions/{hot_id}/snooze",
                                     json.dumps({"seconds": 7 * 86400, "note": "after the freeze"}).encode(),
                                     {"Content-Type": "application/json"})
    snoozed = json.loads(body)
    wake = snoozed.get("triage", {}).get("snooze_until") or ""
    woke = datetime.datetime.strptime(wake, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc).timestamp() if wake else 0
    if status != 200 or snoozed["triage"]["verdict"] != "snoozed" or not before + 7 * 86400 - 2 <= woke <= \
            time.time() + 7 * 86400 + 2:
        fail(f"POST snooze: {status} {snoozed}")
    for payload in [b"{}", b'{"seconds": 5}', b'{"seconds": "a week"}']:
        status, _, body = server.request("POST", f"/api/v1/regressions/{hot_id}/snooze", payload,
                                         {"Content-Type": "application/json"})
        if status != 400:
            fail(f"a snooze of {payload!r} got {status}: {body!r}")
    status, inbox = api("/api/v1/inbox/dana@example.com")
    if inbox["regressions"]:
        fail(f"a snoozed regression is still in the inbox: {inbox}")
    status, _, body = server.request("POST", f"/api/v1/regressions/{hot_id}/ack",
                                     json.dumps({"note": "known, fix in flight"}).encode(),
                                     {"Content-Type": "application/json"})
    if status != 200:
        fail(f"acknowledging again after the snooze: {status} {body!r}")
    ok("POST /api/v1/regressions/ID/snooze: quiet for its seconds (out of the inbox); no or a bad length is a 400")
    # A person rejects the delivered patch through the API: its branch is deleted; deciding twice is a conflict.
    patch_id = jobs[0]["result"]["patch"]
    status, _, body = server.request("POST", f"/api/v1/patches/{patch_id}/reject",
                                     json.dumps({"reason": "we will fix it differently"}).encode(),
                                     {"Content-Type": "application/json"})
    rejected = json.loads(body)
    branches = subprocess.run(["git", "branch", "--list", branch], cwd=repo, capture_output=True, text=True).stdout
    if status != 200 or rejected.get("review") != "rejected" or rejected.get("deleted_branch") != branch \
            or branches.strip():
        fail(f"POST reject: {status} {rejected} (branches: {branches!r})")
    for action in ("reject", "apply"):
        status, _, body = server.request("POST", f"/api/v1/patches/{patch_id}/{action}", b"{}",
                                         {"Content-Type": "application/json"})
        if status != 409:
            fail(f"POST {action} on a reviewed patch: {status} {body!r}")
    ok("writes refuse a non-JSON body (415) and a foreign Origin (403); POST /api/v1/patches/ID/reject deletes the "
       "patch's branch, and a second decision is a 409")

    # /metrics: Prometheus text with the server's counters and the store's gauges.
    status, headers, body = server.request("GET", "/metrics")
    text = body.decode()
    for needle in ['headroom_http_requests_total{route="ingest",status="200"}', "headroom_ingest_profiles_total",
                   "headroom_ingest_samples_total", 'headroom_detection_runs_total{outcome="ok"}',
                   'headroom_regressions_triaged{verdict="acknowledged"} 1', "headroom_false_positive_rate 0",
                   'headroom_webhook_deliveries{state="delivered"}', "headroom_ingest_request_seconds_bucket",
                   "headroom_ingest_queue_profiles 0", 'headroom_fix_jobs{state="done"} 1']:
        if needle not in text:
            fail(f"/metrics lacks {needle}: {status} {text[:2000]}")
    if status != 200 or not headers.get("Content-Type", "").startswith("text/plain"):
        fail(f"/metrics: {status} {headers}")
    ok("/metrics: Prometheus text with request, ingest, detection, verdict, fix-job and webhook series")

    agent = None
    if subprocess.run([sys.executable, "-c", "import pyroscope"], capture_output=True).returncode == 0:
        script = os.path.join(work, "agent.py")
        with open(script, "w") as f:
            f.write(textwrap.dedent(f"""\
                import pyroscope, time
                pyroscope.configure(application_name="agent.app", server_address="{server.base}",
                                    tags={{"region": "eu"}}, basic_auth_username="agent",
                                    basic_auth_password="{TOKEN}")
                def crunch_numbers():
                    s = 0
                    for i in range(200000):
                        s += i * i % 7
                    return s
                t = time.time()
                while time.time() - t < 6:
                    crunch_numbers()
                pyroscope.shutdown()
                """))
        agent = subprocess.run([sys.executable, script], capture_output=True, text=True, timeout=120)
        code, out, err = headroom("top", "--service", "agent.app", "--label", "region=eu")
        if agent.returncode != 0 or code != 0 or "crunch_numbers" not in out.split("\n", 3)[2]:
            fail(f"the Pyroscope agent's pushes: agent {agent.returncode} {agent.stderr[-300:]}; top {code} {out} {err}")
        ok("the real Pyroscope Python agent (pyroscope-io) pushes a live workload; its hot function tops the list")
    else:
        print("skip: pyroscope-io is not installed (scripts/ensure-tools.sh installs it)", flush=True)

    crash_test(binary, work)
    fix_crash_test(binary, work)

    code = server.stop()
    if code != 0:
        fail(f"SIGTERM: exit {code}: {''.join(server.lines)}{server.proc.stderr.read()}")
    log = "".join(server.lines) + server.proc.stderr.read()
    if "secret-hook-path" in log:
        fail("the webhook URL's path (its secret) was logged")
    code, out, _ = headroom("doctor")
    if code != 0:
        fail(f"doctor after the server stopped: {out}")
    ok("SIGTERM drains and exits 0; the store is consistent; the webhook's secret path was never logged")

    # A restart with the same webhook repeats nothing that was delivered.
    delivered = len(receiver.delivered)
    again = Server(binary, store, "--detect-every", "0", "--webhook", receiver.url)
    time.sleep(3)
    if again.stop() != 0 or len(receiver.delivered) != delivered:
        fail(f"after a restart the receiver got {len(receiver.delivered) - delivered} repeated events")
    ok("a restarted server delivers nothing twice")
    print("serve: all checks passed", flush=True)


if __name__ == "__main__":
    main()
