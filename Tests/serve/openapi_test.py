#!/usr/bin/env python3
"""`headroom serve` against its own OpenAPI 3.1 document (/api/v1/openapi.json) with schemathesis: every documented
operation is called with generated valid and invalid inputs, and each answer must match the document (status codes,
content types, response schemas), invalid input must be refused with 4xx, nothing may answer 5xx, undeclared
methods get 405, and requests without the token get 401.

Two passes: the API and status routes with every check; /ingest with every check but "schema-valid data is
accepted", since a schema cannot say what a valid folded or pprof profile is (random bytes must get 400, and do).
The agents' protobuf push is left out (schemathesis cannot write protobuf); serve_test.py covers it with real
messages. The store is seeded with a step so regressions exist.

    python3 Tests/serve/openapi_test.py --headroom .build/debug/headroom
"""
import argparse, json, os, re, subprocess, sys, tempfile, time, urllib.request

TOKEN = "openapi-test-token-0123456789"


def fail(message):
    print(f"FAIL: {message}", flush=True)
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--headroom", required=True)
    parser.add_argument("--examples", type=int, default=25)
    args = parser.parse_args()
    binary = os.path.abspath(args.headroom)
    work = tempfile.mkdtemp(prefix="headroom-openapi-")
    store = os.path.join(work, "s.sqlite")
    # A service whose `hot` function steps up halfway: detect finds a regression to address by id.
    for i in range(16):
        hot = 20 if i < 8 else 60
        path = os.path.join(work, f"p{i}.folded")
        with open(path, "w") as f:
            f.write(f"main;handle;hot {hot * 10 + i % 5}\nmain;handle;cold {300 - i % 5}\nmain;io {(70 - hot) * 10}\n")
        subprocess.run([binary, "ingest", path, "--service", "api.app", "--at", str(1793900000 + 60 * i),
                        "--store", store], check=True, capture_output=True)
    subprocess.run([binary, "detect", "--service", "api.app", "--store", store], check=True, capture_output=True)
    token_file = os.path.join(work, "token")
    with open(token_file, "w") as f:
        f.write(TOKEN + "\n")
    server = subprocess.Popen([binary, "serve", "--store", store, "--listen", "127.0.0.1:0", "--token-file", token_file,
                               "--detect-every", "0"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        base = None
        deadline = time.time() + 60
        while time.time() < deadline and base is None:
            line = server.stderr.readline()
            if not line:
                fail("headroom serve exited")
            m = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
            base = m.group(1) if m else None
        request = urllib.request.Request(base + "/api/v1/openapi.json", headers={"Authorization": f"Bearer {TOKEN}"})
        with urllib.request.urlopen(request, timeout=30) as r:
            document = json.load(r)
        if document.get("openapi") != "3.1.0" or "/api/v1/regressions/{id}" not in document.get("paths", {}):
            fail(f"the served document is not the API's OpenAPI 3.1 description: {list(document)[:5]}")
        print(f"ok: /api/v1/openapi.json describes {len(document['paths'])} paths", flush=True)
        common = ["schemathesis", "run", f"{base}/api/v1/openapi.json", "-H", f"Authorization: Bearer {TOKEN}",
                  "--checks", "all", "--max-examples", str(args.examples), "--seed", "2026", "--no-color"]
        passes = [
            ("API and status routes", ["--exclude-path", "/ingest", "--exclude-path", "/push.v1.PusherService/Push"]),
            ("/ingest", ["--include-path", "/ingest", "--exclude-checks", "positive_data_acceptance"]),
        ]
        for name, extra in passes:
            run = subprocess.run(common + extra, capture_output=True, text=True, timeout=600)
            summary = run.stdout[run.stdout.rfind("SUMMARY"):] if "SUMMARY" in run.stdout else run.stdout[-3000:]
            if run.returncode != 0:
                fail(f"schemathesis, {name}:\n{run.stdout[-8000:]}\n{run.stderr[-2000:]}")
            cases = re.search(r"(\d+) generated", summary)
            print(f"ok: schemathesis ({name}): {cases.group(1) if cases else '?'} generated cases, every check passed",
                  flush=True)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    print("openapi: all checks passed", flush=True)


if __name__ == "__main__":
    main()
