#!/usr/bin/env python3
"""Times read-only tool calls over MCP (stdio and Streamable HTTP) with the official Python SDK; see run.sh."""
import argparse
import asyncio
import re
import subprocess
import time

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

TARGET_MS = 50.0


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


async def measure(session, calls, label):
    services = (await session.call_tool("list_services", {})).structured_content["services"]
    bench = next(s for s in services if s["service"] == "bench")
    top = (await session.call_tool("query_profile", {"service": "bench", "limit": 50})).structured_content
    hot = top["functions"][5]["function"]
    regs = (await session.call_tool("list_regressions", {})).structured_content["regressions"]
    suite = [
        ("list_services", {}),
        ("query_profile top 20", ("query_profile", {"service": "bench", "limit": 20})),
        ("query_profile function", ("query_profile", {"service": "bench", "function": hot, "limit": 1})),
        ("query_profile diff", ("query_profile", {"service": "bench", "mode": "diff", "before_to": bench["from"],
                                                  "after_from": bench["to"], "limit": 20})),
        ("query_profile flame 20", ("query_profile", {"service": "bench", "mode": "flame", "limit": 20})),
        ("list_regressions", ("list_regressions", {})),
        ("list_skills", ("list_skills", {})),
    ]
    if regs:
        suite.append(("get_regression", ("get_regression", {"id": regs[0]["id"]})))
    timings = {name: [] for name, _ in suite}
    timings["ping (reference)"] = []
    for name, spec in suite:  # warm-up
        tool, args = (name, spec) if isinstance(spec, dict) else spec
        res = await session.call_tool(tool, args)
        assert not res.is_error, (name, res.content[0].text)
    for _ in range(calls):
        for name, spec in suite:
            tool, args = (name, spec) if isinstance(spec, dict) else spec
            started = time.perf_counter()
            res = await session.call_tool(tool, args)
            timings[name].append((time.perf_counter() - started) * 1000)
            assert not res.is_error
            started = time.perf_counter()
            await session.send_ping()
            timings["ping (reference)"].append((time.perf_counter() - started) * 1000)
    ping99 = pct(timings["ping (reference)"], 99)
    print(f"\n{label}: {bench['samples']:,} samples in {bench['buckets']} buckets; {calls} calls per tool, interleaved with pings")
    print("| call | p50 ms | p90 ms | p99 ms | max ms | p99 / ping p99 | p99 ≤ 50 ms |")
    print("|---|---:|---:|---:|---:|---:|---|")
    worst = 0
    for name, values in timings.items():
        p99 = pct(values, 99)
        if name != "ping (reference)":
            worst = max(worst, p99)
        print(f"| {name} | {pct(values, 50):.2f} | {pct(values, 90):.2f} | {p99:.2f} | {max(values):.2f} | "
              f"{p99 / ping99:.1f}× | {'yes' if p99 <= TARGET_MS else 'NO'} |")
    return worst


async def stdio(args):
    params = StdioServerParameters(command=args.headroom, args=["mcp", "--store", args.store])
    async with stdio_client(params) as (r, w):
        async with ClientSession(r, w) as session:
            await session.initialize()
            return await measure(session, args.calls, "stdio")


async def http(args):
    proc = subprocess.Popen([args.headroom, "mcp", "--store", args.store, "--http", "127.0.0.1:0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        url = None
        while url is None:
            line = proc.stderr.readline()
            if not line:
                raise RuntimeError("server exited")
            m = re.search(r"listening on (\S+)", line)
            url = m.group(1) if m else None
        async with streamable_http_client(url) as streams:
            async with ClientSession(streams[0], streams[1]) as session:
                await session.initialize()
                return await measure(session, args.calls, "Streamable HTTP")
    finally:
        proc.terminate()
        proc.wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--headroom", required=True)
    parser.add_argument("--store", required=True)
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    worst = max(asyncio.run(stdio(args)), asyncio.run(http(args)))
    print(f"\nworst read-only p99: {worst:.2f} ms (target ≤ {TARGET_MS:.0f} ms): {'met' if worst <= TARGET_MS else 'MISSED'}")


if __name__ == "__main__":
    main()
