#!/usr/bin/env python3
"""Many concurrent MCP tool calls over stdio whose answers overflow the pipe while the client is not reading: every
answer must arrive as one whole JSON line (the SDK's stdio writer pauses when stdout is full; two answers must not
interleave their bytes). Raw JSON-RPC, no SDK, so nothing client-side reorders or repairs lines.

    python3 Tests/mcp/stdio_interleave_test.py --headroom BIN --store STORE
"""
import argparse, json, subprocess, sys, time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--headroom", required=True)
    parser.add_argument("--store", required=True)
    parser.add_argument("--calls", type=int, default=60)
    args = parser.parse_args()
    proc = subprocess.Popen([args.headroom, "mcp", "--store", args.store], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    def send(message):
        proc.stdin.write((json.dumps(message) + "\n").encode())
        proc.stdin.flush()
    send({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-03-26", "capabilities": {}, "clientInfo": {"name": "interleave", "version": "1"}}})
    json.loads(proc.stdout.readline())
    send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    for i in range(1, args.calls + 1):
        send({"jsonrpc": "2.0", "id": i, "method": "tools/call",
              "params": {"name": "read_docs", "arguments": {"skill": ["memoize", "log-guard", "regex-hoist"][i % 3]}}})
    time.sleep(2)  # not reading: the answers fill the pipe and the writer has to pause
    seen = set()
    for _ in range(args.calls):
        line = proc.stdout.readline()
        try:
            message = json.loads(line)
        except ValueError:
            print(f"FAIL: a broken answer line ({len(line)} bytes): {line[:120]!r} … {line[-120:]!r}")
            proc.kill()
            return 1
        seen.add(message.get("id"))
    proc.stdin.close()
    proc.wait(timeout=30)
    if seen != set(range(1, args.calls + 1)):
        print(f"FAIL: answers for {len(seen)} of {args.calls} calls")
        return 1
    print(f"ok: {args.calls} concurrent answers over a full pipe arrived whole")
    return 0


if __name__ == "__main__":
    sys.exit(main())
