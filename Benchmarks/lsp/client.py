"""Times `headroom lsp` as an editor uses it, on a large store: initialize, didOpen of a file whose functions the
profiles name (diagnostics and findings are computed then, including the functions' cost over every sample), and
then N textDocument/codeAction and N textDocument/codeLens requests, one at a time, and 100 code actions each sent
right behind a didChange (as while typing). Prints one JSON line.

usage: client.py HEADROOM STORE REPO FILE [N]
"""
import json
import os
import subprocess
import sys
import time


def main():
    headroom, store, repo, path = sys.argv[1:5]
    n = int(sys.argv[5]) if len(sys.argv) > 5 else 500
    proc = subprocess.Popen([headroom, "lsp", "--store", store, "--repo", repo],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    next_id = [0]

    def send(message):
        body = json.dumps(message).encode()
        proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        proc.stdin.flush()

    def read():
        length = None
        while True:
            line = proc.stdout.readline()
            if line in (b"\r\n", b""):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(proc.stdout.read(length))

    def request(method, params):
        next_id[0] += 1
        send({"jsonrpc": "2.0", "id": next_id[0], "method": method, "params": params})
        while True:
            message = read()
            if message.get("id") == next_id[0] and "method" not in message:
                return message

    def wait_for(method):
        while True:
            message = read()
            if message.get("method") == method:
                return message

    caps = {"textDocument": {"codeAction": {"resolveSupport": {"properties": ["edit"]}}},
            "workspace": {"workspaceEdit": {"documentChanges": True}}}
    request("initialize", {"rootUri": "file://" + repo, "capabilities": caps})
    send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    uri = "file://" + os.path.join(repo, path)
    text = open(os.path.join(repo, path), encoding="utf-8").read()
    timings = {}
    for version in (1, 2):
        t0 = time.perf_counter()
        method = "textDocument/didOpen" if version == 1 else "textDocument/didChange"
        params = ({"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}} if version == 1
                  else {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": text}]})
        send({"jsonrpc": "2.0", "method": method, "params": params})
        diagnostics = wait_for("textDocument/publishDiagnostics")
        timings["open_ms" if version == 1 else "change_ms"] = (time.perf_counter() - t0) * 1000
    lines = text.count("\n")

    def measure(method, extra):
        samples = []
        for i in range(n):
            line = i % max(lines, 1)
            params = {"textDocument": {"uri": uri},
                      "range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}},
                      "context": {"diagnostics": []}} if extra else {"textDocument": {"uri": uri}}
            t0 = time.perf_counter()
            answer = request(method, params)
            samples.append((time.perf_counter() - t0) * 1000)
        samples.sort()
        return {"p50_ms": round(samples[len(samples) // 2], 3), "p99_ms": round(samples[int(len(samples) * 0.99) - 1], 3),
                "max_ms": round(samples[-1], 3), "answers": len(answer.get("result") or [])}

    # Typing: each code action right behind a didChange (the findings of the new text are computed meanwhile).
    typing = []
    for i in range(min(n, 100)):
        changed = text + ("\n" if i % 2 else "")
        send({"jsonrpc": "2.0", "method": "textDocument/didChange",
              "params": {"textDocument": {"uri": uri, "version": 3 + i}, "contentChanges": [{"text": changed}]}})
        t0 = time.perf_counter()
        request("textDocument/codeAction", {"textDocument": {"uri": uri},
                                            "range": {"start": {"line": 0, "character": 0},
                                                      "end": {"line": 0, "character": 0}},
                                            "context": {"diagnostics": []}})
        typing.append((time.perf_counter() - t0) * 1000)
        time.sleep(0.05)
    typing.sort()
    result = {"code_action_after_change": {"p50_ms": round(typing[len(typing) // 2], 3),
                                           "p99_ms": round(typing[int(len(typing) * 0.99) - 1], 3)},
              "diagnostics": len(diagnostics["params"]["diagnostics"]),
              "open_ms": round(timings["open_ms"], 1), "change_ms": round(timings["change_ms"], 1),
              "code_action": measure("textDocument/codeAction", True),
              "code_lens": measure("textDocument/codeLens", False), "requests": n}
    request("shutdown", None)
    send({"jsonrpc": "2.0", "method": "exit"})
    proc.wait(timeout=30)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
