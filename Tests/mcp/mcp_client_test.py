#!/usr/bin/env python3
"""Drives `headroom mcp` with the official Python MCP SDK (an independent client), over stdio and Streamable HTTP.

    mcp_client_test.py --headroom BIN --store STORE [--transport stdio|http|both] [--skip-destructive]

The store must be one the demo filled (regression 1 in service `shop`, its culprit imported). For each transport it
checks: initialize; tools (schemas, annotations), prompts and resources listed and read; every read-only tool called
and its structured result equal to `headroom tools call` (the one registry); bad arguments as tool errors or JSON-RPC
errors; concurrent calls equal to sequential ones; and, on a scratch repository, the write tools up to the
destructive `reject_patch`. HTTP also checks the bearer token and the refusal to bind beyond loopback without one.
Prints one line per check; exits 1 on the first failure.
"""
import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import tempfile
import textwrap
import time
import urllib.error
import urllib.request

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
try:
    from mcp.shared.exceptions import MCPError as McpError
except ImportError:  # mcp 1.x
    from mcp.shared.exceptions import McpError
import httpx2

READ_ONLY = {
    "query_profile", "list_services", "list_regressions", "get_regression", "get_change", "config_history",
    "search_code", "list_skills", "read_docs", "get_experiment_results", "list_patches", "get_metrics",
    "get_experiment", "plan_capacity", "get_inbox",
}
ALL_TOOLS = READ_ONLY | {"rank_root_causes", "triage_regression", "list_opportunities", "generate_patch",
                         "propose_patch", "validate_patch", "deliver_patch", "reject_patch"}


def check(condition, what):
    if not condition:
        print(f"FAIL: {what}", flush=True)
        raise SystemExit(1)
    print(f"ok: {what}", flush=True)


def cli_call(args, name, arguments):
    out = subprocess.run([args.headroom, "tools", "call", name, json.dumps(arguments), "--store", args.store],
                         capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise RuntimeError(f"headroom tools call {name}: {out.stderr.strip()}")
    return json.loads(out.stdout)


def short(args, ref):
    return subprocess.run(["git", "-C", args.repository, "rev-parse", "--short=7", ref], capture_output=True, text=True,
                          check=True).stdout.strip()


def read_only_calls(args, regression):
    """Arguments for every read-only tool, from the demo's store."""
    # Times are ISO-8601 UTC text in every adapter; the tools take them back as they are.
    onset, before = regression["timestamp"], regression["previous_timestamp"]
    assert onset.endswith("Z") and before.endswith("Z"), regression
    return {
        "list_services": {},
        "query_profile": {"service": "shop", "limit": 5},
        "list_regressions": {},
        "get_regression": {"id": regression["id"]},
        "get_change": {"sha": args.culprit, "repository": args.repository},
        "config_history": {},
        "search_code": {"repository": args.repository, "query": "def apply_discounts"},
        "list_skills": {},
        "read_docs": {"skill": "log-guard"},
        "get_experiment_results": {},
        "list_patches": {"regression": regression["id"]},
        "get_metrics": {"until": "2030-01-01T00:00:00Z"},  # fixed, so answers at different moments are equal
        # The demo tags each deploy's profile with its build: the culprit's build against its parent's.
        "get_experiment": {"service": "shop", "label": "version", "control": short(args, args.culprit + "^"),
                           "treatment": short(args, args.culprit)},
        # The demo's profiles span hours, not days: an hourly plan.
        "plan_capacity": {"service": "shop", "step": "hour", "horizon": 24},
        "get_inbox": {"person": args.culprit_email},
    }, [
        ("query_profile", {"service": "shop", "mode": "diff", "before_to": before, "after_from": onset, "limit": 5}),
        ("query_profile", {"service": "shop", "mode": "flame", "limit": 3}),
        ("query_profile", {"service": "shop", "function": "apply_discounts", "limit": 1}),
        ("read_docs", {"skill": "log-guard", "reference": "references/patterns.md"}),
    ]


def normalise(value):
    """JSON through the wire: integers and floats compare as numbers."""
    return json.loads(json.dumps(value, sort_keys=True))


async def exercise(session, args, label, destructive=True):
    init = session.initialize_result if hasattr(session, "initialize_result") else None
    init = init or await session.initialize()
    check(init.server_info.name == "headroom", f"[{label}] initialize: server {init.server_info.name} {init.server_info.version}, protocol {init.protocol_version}")
    caps = init.capabilities
    check(caps.tools is not None and caps.prompts is not None and caps.resources is not None,
          f"[{label}] capabilities: tools, prompts, resources")
    check(bool(init.instructions) and "list_regressions" in init.instructions, f"[{label}] instructions name the entry tools")

    tools = {t.name: t for t in (await session.list_tools()).tools}
    check(set(tools) == ALL_TOOLS, f"[{label}] tools/list has the registry's {len(ALL_TOOLS)} tools ({len(tools)})")
    for name, tool in tools.items():
        schema = tool.input_schema
        if not (schema.get("type") == "object" and "properties" in schema and tool.output_schema and tool.description):
            check(False, f"[{label}] {name} has input and output schemas and a description")
        ann = tool.annotations
        if ann.read_only_hint != (name in READ_ONLY):
            check(False, f"[{label}] {name} read-only annotation is {ann.read_only_hint}")
    check(tools["reject_patch"].annotations.destructive_hint is True, f"[{label}] reject_patch is annotated destructive")
    check(all(tools[n].annotations.destructive_hint is False for n in READ_ONLY), f"[{label}] read-only tools are not destructive")

    prompts = {p.name: p for p in (await session.list_prompts()).prompts}
    check({"log-guard", "memoize", "regex-hoist", "loop-invariant", "revert-hunk"} <= set(prompts),
          f"[{label}] prompts/list: every skill is a prompt ({', '.join(sorted(prompts))})")
    check([a.name for a in prompts["log-guard"].arguments] == ["target"], f"[{label}] log-guard prompt argument from front matter")
    got = await session.get_prompt("log-guard", {"target": "1"})
    text = got.messages[0].content.text
    check("log-guard" in text and "- target: 1" in text and "isEnabledFor" in text,
          f"[{label}] prompts/get fills the argument and carries SKILL.md ({len(text)} chars)")
    try:
        await session.get_prompt("log-guard", {"nope": "1"})
        check(False, f"[{label}] prompts/get with an unknown argument fails")
    except McpError as e:
        check(e.error.code == -32602, f"[{label}] prompts/get unknown argument → JSON-RPC {e.error.code}")

    resources = {str(r.uri): r for r in (await session.list_resources()).resources}
    regs = json.loads((await session.read_resource("headroom://regressions")).contents[0].text)["regressions"]
    # The demo's injected regression. Under heavy machine load the demo's short py-spy recordings can also show a
    # spurious finding, which may be listed first (latest bucket first); this test is about the protocol, so it
    # takes the injected one by name (the demo tests judge detection).
    regression = next((r for r in regs if r["kind"] == "regression" and r["function"] == "apply_discounts"), None)
    check(regression is not None, f"[{label}] the demo's regression (apply_discounts) is listed")
    rid = regression["id"]
    for uri in ["headroom://regressions", f"headroom://regressions/{rid}", "headroom://opportunities",
                "headroom://skills/log-guard/SKILL.md", "headroom://skills/memoize/SKILL.md"]:
        if uri not in resources:
            check(False, f"[{label}] resources/list has {uri}")
    check(True, f"[{label}] resources/list: {len(resources)} resources (regressions, opportunities, SKILL.md, references)")
    one = json.loads((await session.read_resource(f"headroom://regressions/{rid}")).contents[0].text)
    check(one["function"] == regression["function"] == "apply_discounts", f"[{label}] read regression {rid}: {one['function']}")
    skill = (await session.read_resource("headroom://skills/log-guard/SKILL.md")).contents[0]
    check(skill.text.startswith("---") and "name: log-guard" in skill.text and skill.mime_type == "text/markdown",
          f"[{label}] read SKILL.md as markdown")
    refs = [u for u in resources if u.startswith("headroom://skills/log-guard/references/")]
    check(refs and len((await session.read_resource(refs[0])).contents[0].text) > 50, f"[{label}] read {refs[0]}")
    templates = (await session.list_resource_templates()).resource_templates
    check(any(t.uri_template == "headroom://regressions/{id}" for t in templates), f"[{label}] resource templates")
    for bad in ["headroom://regressions/999999", "headroom://skills/nope/SKILL.md", "headroom://skills/log-guard/../../etc/passwd", "file:///etc/passwd"]:
        try:
            await session.read_resource(bad)
            check(False, f"[{label}] reading {bad} fails")
        except McpError:
            pass
    check(True, f"[{label}] unknown, escaping and foreign resource URIs → JSON-RPC errors")

    # Every read-only tool, compared with the CLI through the same registry.
    calls, extra = read_only_calls(args, regression)
    check(set(calls) == READ_ONLY, f"[{label}] the test covers every read-only tool")
    results = {}
    for name, arguments in list(calls.items()) + extra:
        res = await session.call_tool(name, arguments)
        if res.is_error:
            check(False, f"[{label}] {name} {arguments}: {res.content[0].text}")
        body = json.loads(res.content[0].text)
        check(normalise(res.structured_content) == normalise(body), f"[{label}] {name}: structured content equals the text")
        results[(name, json.dumps(arguments, sort_keys=True))] = body
        if name in ("query_profile", "get_regression", "search_code", "read_docs", "list_services") and arguments in calls.values():
            check(normalise(body) == normalise(cli_call(args, name, arguments)), f"[{label}] {name} over MCP equals `headroom tools call`")
    top = results[("query_profile", json.dumps(calls["query_profile"], sort_keys=True))]
    check(top["total_samples"] > 0 and top["functions"][0]["total"] > 0, f"[{label}] query_profile: {top['total_samples']} samples")
    diff = results[("query_profile", json.dumps(extra[0][1], sort_keys=True))]
    check(diff["functions"][0]["function"] == "apply_discounts", f"[{label}] query_profile diff ranks apply_discounts first")
    experiment = results[("get_experiment", json.dumps(calls["get_experiment"], sort_keys=True))]
    check(experiment["verdict"] == "regressions"
          and any(f["function"] == "apply_discounts" and f["direction"] == "regression" for f in experiment["functions"]),
          f"[{label}] get_experiment: the culprit's build costs more in apply_discounts than its parent's")
    inbox = results[("get_inbox", json.dumps(calls["get_inbox"], sort_keys=True))]
    check([r["id"] for r in inbox["regressions"]] == [regression["id"]] and "culprit" in inbox["regressions"][0]["because"],
          f"[{label}] get_inbox: the culprit's author has the regression to review")
    plan = results[("plan_capacity", json.dumps(calls["plan_capacity"], sort_keys=True))]
    check(len(plan["forecast"]) == 24 and all(p["lower_95"] <= p["mean"] <= p["upper_95"] for p in plan["forecast"]),
          f"[{label}] plan_capacity: 24 hourly points inside their intervals")
    search = results[("search_code", json.dumps(calls["search_code"], sort_keys=True))]
    check("pricing.py" in json.dumps(search), f"[{label}] search_code finds apply_discounts in pricing.py")

    # Bad arguments: tool errors a model can read, or JSON-RPC errors for unknown tools.
    for name, arguments, expect in [
        ("query_profile", {"service": 5}, "expected string"),
        ("query_profile", {}, "missing required argument `service`"),
        ("query_profile", {"service": "shop", "bogus": 1}, "unknown argument `bogus`"),
        ("query_profile", {"service": "shop", "mode": "sideways"}, "must be one of"),
        ("get_regression", {"id": 999999}, "999999"),
        ("get_regression", {"id": 0}, "at least 1"),
        ("query_profile", {"service": "no-such-service"}, "no-such-service"),
        ("search_code", {"repository": args.repository, "query": "x", "path": "../../etc"}, "outside"),
    ]:
        res = await session.call_tool(name, arguments)
        if not (res.is_error and expect in res.content[0].text):
            check(False, f"[{label}] {name} {arguments} is a tool error mentioning {expect!r}: {res.content[0].text[:200]}")
    check(True, f"[{label}] 8 kinds of bad arguments → tool errors with one clear line")
    try:
        await session.call_tool("no_such_tool", {})
        check(False, f"[{label}] unknown tool fails")
    except McpError as e:
        check(e.error.code == -32602 and "no_such_tool" in e.error.message, f"[{label}] unknown tool → JSON-RPC {e.error.code}")

    # Concurrent calls: the same answers as one at a time.
    batch = [(n, a) for n, a in list(calls.items()) + extra] * 3
    started = time.monotonic()
    answers = await asyncio.gather(*[session.call_tool(n, a) for n, a in batch])
    elapsed = time.monotonic() - started
    same = all(not r.is_error and normalise(json.loads(r.content[0].text)) == normalise(results[(n, json.dumps(a, sort_keys=True))])
               for (n, a), r in zip(batch, answers))
    check(same, f"[{label}] {len(batch)} concurrent calls answer exactly as sequential ones ({elapsed:.2f} s)")

    if destructive:
        await scratch_round(session, args, label, rid)
    return regression


async def scratch_round(session, args, label, rid):
    """generate → validate → deliver → reject (destructive) on a scratch repository; the checked-out branch stays."""
    repo = tempfile.mkdtemp(prefix=f"headroom-mcp-scratch-{label}-")
    try:
        def git(*a):
            return subprocess.run(["git", "-C", repo, *a], check=True, capture_output=True, text=True).stdout.strip()
        subprocess.run(["git", "init", "-q", "-b", "main", repo], check=True)
        git("config", "user.email", "dev@example.com")
        git("config", "user.name", "Dev")
        with open(os.path.join(repo, "app.py"), "w") as f:
            f.write(textwrap.dedent('''\
                import logging

                logger = logging.getLogger("scratch")


                def work(items):
                    total = 0
                    for i in items:
                        logger.debug(f"item {i}: {[j * j for j in range(300)]}")
                        total += i
                    return total
                '''))
        # The repository owner's commands: validation runs these and nothing a caller names.
        with open(os.path.join(repo, "headroom.toml"), "w") as f:
            f.write('[commands]\n'
                    'test = "python3 -c \'import app; assert app.work(range(10)) == 45\'"\n'
                    'bench = "python3 -c \'import app; app.work(range(20000))\'"\n')
        git("add", "-A")
        git("commit", "-qm", "scratch")
        head = git("rev-parse", "HEAD")
        # Issue 25: a repository the operator did not register is out of reach for an MCP client.
        target = {"kind": "regression", "target": rid, "repository": repo, "path": "app.py", "function": "work"}
        res = await session.call_tool("generate_patch", {**target, "skill": "log-guard"})
        check(res.is_error and "not registered" in res.content[0].text,
              f"[{label}] generate_patch on an unregistered repository is refused")
        check(git("branch", "--list", "headroom/*") == "", f"[{label}] ... and made no branch there")
        name = f"scratch-{label}"
        subprocess.run([args.headroom, "repos", "add", name, repo, "--store", args.store], check=True, capture_output=True)
        target["repository"] = name

        bad = await session.call_tool("propose_patch", {**target, "skill": "log-guard",
                                                        "replacement": "def work(items):\n    return (\n"})
        body = json.loads(bad.content[0].text)
        check(not bad.is_error and body["status"] == "refused" and "guardrail syntax" in body["reason"],
              f"[{label}] propose_patch with broken syntax is refused by the guardrail: {body['reason'][:80]}")

        gen = json.loads((await session.call_tool("generate_patch", {**target, "skill": "log-guard"})).content[0].text)
        check(gen["status"] == "proposed" and "isEnabledFor" in gen["diff"], f"[{label}] generate_patch: patch #{gen['patch']} proposed")
        # A caller cannot hand validation a command: refused in one line, and the command never runs.
        marker = os.path.join(repo, "pwned")
        hostile = await session.call_tool("validate_patch", {"patch": gen["patch"], "test": f"touch {marker}"})
        check(hostile.is_error and "unknown argument `test`" in hostile.content[0].text and not os.path.exists(marker),
              f"[{label}] validate_patch refuses a caller's test command: {hostile.content[0].text[:90]}")
        listed = {t.name: t for t in (await session.list_tools()).tools}
        check(listed["validate_patch"].annotations.destructive_hint is True
              and listed["validate_patch"].annotations.open_world_hint is True,
              f"[{label}] validate_patch is annotated destructive and open-world")
        val = await session.call_tool("validate_patch", {"patch": gen["patch"], "runs": 10})
        vb = json.loads(val.content[0].text)
        check(vb["significant"] is True and vb["validation"]["tests_passed"],
              f"[{label}] validate_patch: {vb['validation']['speedup']:.2f}× (p = {vb['validation']['p_value']:.2g})")
        dl = json.loads((await session.call_tool("deliver_patch", {"patch": gen["patch"]})).content[0].text)
        branch = dl["branch"]
        check(dl["status"] == "delivered" and branch.startswith("headroom/") and git("branch", "--list", branch),
              f"[{label}] deliver_patch: {branch}")
        check(git("rev-parse", "--abbrev-ref", "HEAD") == "main" and git("rev-parse", "HEAD") == head and not git("status", "--porcelain"),
              f"[{label}] the checked-out branch and work tree are untouched")
        rj = await session.call_tool("reject_patch", {"patch": gen["patch"], "reason": "scratch test"})
        rb = json.loads(rj.content[0].text)
        check(not rj.is_error and rb["deleted_branch"] == branch and rb["review"] == "rejected" and not git("branch", "--list", branch),
              f"[{label}] reject_patch (destructive) deleted {branch}")
        again = await session.call_tool("reject_patch", {"patch": gen["patch"]})
        check(again.is_error and "already rejected" in again.content[0].text, f"[{label}] rejecting twice is a tool error")
        check(git("rev-parse", "--abbrev-ref", "HEAD") == "main" and git("rev-parse", "HEAD") == head, f"[{label}] main still at {head[:12]}")
    finally:
        shutil.rmtree(repo, ignore_errors=True)


async def run_stdio(args):
    params = StdioServerParameters(command=args.headroom, args=["mcp", "--store", args.store], env={**os.environ})
    errlog = tempfile.TemporaryFile(mode="w+")
    async with stdio_client(params, errlog=errlog) as (read, write):
        async with ClientSession(read, write) as session:
            await exercise(session, args, "stdio", destructive=not args.skip_destructive)
    errlog.seek(0)
    logged = errlog.read()
    check("EOF received" in logged, "[stdio] logs went to stderr and the server saw stdin close")


def start_http(args, extra=(), env=None):
    proc = subprocess.Popen([args.headroom, "mcp", "--store", args.store, "--http", "127.0.0.1:0", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env or os.environ)
    deadline = time.time() + 60
    while time.time() < deadline:
        line = proc.stderr.readline()
        m = re.search(r"listening on (http://127\.0\.0\.1:\d+/mcp)", line)
        if m:
            return proc, m.group(1)
        if proc.poll() is not None:
            raise RuntimeError(f"headroom mcp --http exited: {proc.stderr.read()}")
    proc.kill()
    raise RuntimeError("headroom mcp --http did not start")


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    return proc.stdout.read()


async def run_http(args):
    proc, url = start_http(args)
    try:
        async with streamable_http_client(url) as streams:
            read, write = streams[0], streams[1]
            async with ClientSession(read, write) as session:
                regression = await exercise(session, args, "http", destructive=not args.skip_destructive)

        # Two sessions at once, interleaved calls.
        async def one(i):
            async with streamable_http_client(url) as streams:
                async with ClientSession(streams[0], streams[1]) as session:
                    await session.initialize()
                    out = await asyncio.gather(*[session.call_tool("get_regression", {"id": regression["id"]}) for _ in range(8)])
                    return {json.dumps(normalise(json.loads(r.content[0].text)), sort_keys=True) for r in out}
        sets = await asyncio.gather(*[one(i) for i in range(3)])
        check(all(len(s) == 1 for s in sets) and len(set.union(*sets)) == 1, "[http] 3 sessions × 8 concurrent calls agree")

        # Plain HTTP: a request without a session, and a foreign Host header.
        req = urllib.request.Request(url, data=b'{"jsonrpc":"2.0","id":1,"method":"tools/list"}', method="POST",
                                     headers={"content-type": "application/json", "accept": "application/json, text/event-stream"})
        try:
            urllib.request.urlopen(req, timeout=10)
            check(False, "[http] a request without a session is refused")
        except urllib.error.HTTPError as e:
            check(e.code == 400, f"[http] a request without a session → HTTP {e.code}")
        req = urllib.request.Request(url, data=b'not json', method="POST",
                                     headers={"content-type": "application/json", "accept": "application/json, text/event-stream"})
        try:
            urllib.request.urlopen(req, timeout=10)
            check(False, "[http] a non-JSON body is refused")
        except urllib.error.HTTPError as e:
            check(e.code in (400, 404), f"[http] a non-JSON body → HTTP {e.code}")
    finally:
        out = stop(proc)
    check(out == "", "[http] nothing on stdout")

    # Bearer token.
    token = "t0ken-" + os.urandom(12).hex()
    proc, url = start_http(args, ["--token", token])
    try:
        req = urllib.request.Request(url, data=b'{}', method="POST", headers={"content-type": "application/json"})
        try:
            urllib.request.urlopen(req, timeout=10)
            check(False, "[http] a request without the token is refused")
        except urllib.error.HTTPError as e:
            check(e.code == 401 and "Bearer" in e.headers.get("www-authenticate", ""), "[http] no token → 401 with WWW-Authenticate: Bearer")
        for wrong in ["Bearer " + token[:-1] + "x", "Basic " + token, "Bearer "]:
            req = urllib.request.Request(url, data=b'{}', method="POST", headers={"content-type": "application/json", "authorization": wrong})
            try:
                urllib.request.urlopen(req, timeout=10)
                check(False, f"[http] wrong credentials {wrong[:8]}… are refused")
            except urllib.error.HTTPError as e:
                if e.code != 401:
                    check(False, f"[http] wrong credentials → 401, got {e.code}")
        check(True, "[http] wrong tokens → 401")
        async with httpx2.AsyncClient(headers={"authorization": f"Bearer {token}"}, timeout=60) as client:
            async with streamable_http_client(url, http_client=client) as streams:
                async with ClientSession(streams[0], streams[1]) as session:
                    await session.initialize()
                    res = await session.call_tool("list_services", {})
                    check(not res.is_error and res.structured_content["services"][0]["service"] == "shop", "[http] with the token the tools answer")
    finally:
        stop(proc)

    # Beyond loopback without a token: refused at start, one line, non-zero exit.
    env = {k: v for k, v in os.environ.items() if k != "HEADROOM_MCP_TOKEN"}
    out = subprocess.run([args.headroom, "mcp", "--store", args.store, "--http", "0.0.0.0:0"], capture_output=True, text=True,
                         timeout=60, env=env)
    check(out.returncode != 0 and "token" in out.stderr and len(out.stderr.strip().splitlines()) == 1,
          f"[http] 0.0.0.0 without a token refused: {out.stderr.strip()}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--headroom", required=True)
    parser.add_argument("--store", required=True)
    parser.add_argument("--transport", choices=["stdio", "http", "both"], default="both")
    parser.add_argument("--skip-destructive", action="store_true")
    args = parser.parse_args()
    regs = cli_call(args, "list_regressions", {"kind": "regression"})["regressions"]
    check(regs, "the demo store has a regression")
    ranked = cli_call(args, "rank_root_causes", {"regression": regs[0]["id"], "limit": 3})
    args.repository = ranked["repository"]
    args.culprit = ranked["candidates"][0]["ref"]
    args.culprit_email = ranked["candidates"][0]["email"]
    if args.transport in ("stdio", "both"):
        asyncio.run(run_stdio(args))
    if args.transport in ("http", "both"):
        asyncio.run(run_http(args))
    print("all MCP client checks passed")


if __name__ == "__main__":
    main()
