#!/usr/bin/env python3
"""`headroom mcp --http --max-sessions 2`: a third session is refused with 503 and the live ones keep working (a
newcomer never evicts a live session). Prints one JSON line per check; used by ContractTests.

    session_limit_test.py HEADROOM_BIN STORE
"""
import json, subprocess, sys, time, urllib.request, urllib.error, re
bin_, store = sys.argv[1], sys.argv[2]
p = subprocess.Popen([bin_, "mcp", "--http", "127.0.0.1:0", "--store", store, "--max-sessions", "2", "--log-level", "notice"],
                     stderr=subprocess.PIPE, text=True)
port = None
end = time.time() + 60
while time.time() < end and port is None:
    line = p.stderr.readline()
    m = re.search(r"127\.0\.0\.1:(\d+)", line)
    if m: port = int(m.group(1))
url = f"http://127.0.0.1:{port}/mcp"
def post(body, session=None):
    headers = {"content-type": "application/json", "accept": "application/json, text/event-stream",
               "mcp-protocol-version": "2025-06-18"}
    if session: headers["mcp-session-id"] = session
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers.get("mcp-session-id"), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, None, e.read().decode()
init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"}}}
try:
    results = [post(init) for _ in range(3)]
    print(json.dumps({"statuses": [s for s, _, _ in results], "third": results[2][2][:200]}))
    pings = [post({"jsonrpc": "2.0", "id": 2, "method": "ping"}, session=sid)[0] for _, sid, _ in results[:2]]
    print(json.dumps({"pings": pings}))
finally:
    p.terminate(); p.wait(10)
