#!/usr/bin/env python3
"""The LLM brain against the fake provider, on a store the demo filled.

    llm_agent_test.py --headroom BIN --store STORE

1. `headroom fix R` over the OpenAI wire format. The scripted model survives a 429, a malformed body, malformed tool
   arguments, and a 503. Its first own edit (propose_patch) leaves the eager log unguarded and the right-issue
   guardrail refuses it. Its second edit passes the guardrails, is validated by tests and the A/B benchmark, and is
   delivered on a new branch. The checks look at the branch, the stored transcript, what the model was sent (skills
   disclosed progressively, no secrets) and the checked-out branch (untouched).
2. `headroom ask` over the Anthropic wire format: a tool round, then an answer citing the tool; the question's secret is
   redacted in every request.
3. Budgets: a model that never stops calling tools is stopped at the step budget; nothing is surfaced.
4. A model that only ever answers malformed JSON: the run fails with one clear line and surfaces nothing.
Prints one line per check; exits 1 on the first failure.
"""
import argparse
import ast
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SECRET = "hunter2-" + os.urandom(6).hex()
API_KEY = "sk-test-" + os.urandom(16).hex()


def check(condition, what):
    if not condition:
        print(f"FAIL: {what}", flush=True)
        raise SystemExit(1)
    print(f"ok: {what}", flush=True)


class Fake:
    def __init__(self, scenario, extra=()):
        self.dir = tempfile.mkdtemp(prefix="headroom-fake-llm-")
        self.log = os.path.join(self.dir, "requests.jsonl")
        path = os.path.join(self.dir, "scenario.json")
        with open(path, "w") as f:
            json.dump(scenario, f)
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "fake_provider.py"), "--scenario", path, "--log", self.log, *extra],
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        check(line.startswith("listening"), f"fake provider started ({line.strip()})")
        self.port = int(line.split()[1])

    def requests(self):
        if not os.path.exists(self.log):
            return []
        with open(self.log) as f:
            return [json.loads(l) for l in f]

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


def headroom(args, *argv, provider="openai", base=None, extra_env=None):
    env = {**os.environ, "HEADROOM_LLM_API_KEY": API_KEY, "HEADROOM_TEST_SECRET_TOKEN": SECRET}
    env.update(extra_env or {})
    for k in ("HEADROOM_LLM_MODEL", "HEADROOM_LLM_BASE_URL", "HEADROOM_LLM_PROVIDER"):
        env.pop(k, None)
    cmd = [args.headroom, *argv, "--store", args.store, "--llm-provider", provider, "--llm-base-url", base, "--llm-model", "fake-model"]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)


def tool(args, name, arguments):
    out = subprocess.run([args.headroom, "tools", "call", name, json.dumps(arguments), "--store", args.store],
                         capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout)


def guarded(source, function):
    """The function's text with each eager logger.debug call under `if logger.isEnabledFor(logging.DEBUG):` —
    the edit a capable model writes."""
    tree = ast.parse(source)
    node = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == function)
    lines = source.split("\n")
    start = min([node.lineno] + [d.lineno for d in node.decorator_list])
    body = lines[start - 1:node.end_lineno]
    calls = [n for n in ast.walk(node) if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call)
             and getattr(n.value.func, "attr", "") == "debug"]
    for call in sorted(calls, key=lambda c: -c.lineno):
        a, b = call.lineno - start, call.end_lineno - start
        indent = body[a][:len(body[a]) - len(body[a].lstrip())]
        body[a:b + 1] = [indent + "if logger.isEnabledFor(logging.DEBUG):"] + ["    " + l for l in body[a:b + 1]]
    return "\n".join(lines[start - 1:node.end_lineno]), "\n".join(body)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--headroom", required=True)
    parser.add_argument("--store", required=True)
    args = parser.parse_args()

    regression = tool(args, "list_regressions", {"kind": "regression"})["regressions"][0]
    rid = regression["id"]
    ranked = tool(args, "rank_root_causes", {"regression": rid, "limit": 3})
    repo, culprit = ranked["repository"], ranked["candidates"][0]["ref"]
    git = lambda *a: subprocess.run(["git", "-C", repo, *a], capture_output=True, text=True, check=True).stdout.strip()
    head_before, branch_before = git("rev-parse", "HEAD"), git("rev-parse", "--abbrev-ref", "HEAD")
    source = git("show", "HEAD:shop/pricing.py")
    original, good = guarded(source, "apply_discounts")
    lazy = original.replace("    for ", "    # tidied by the model\n    for ", 1)  # still logs eagerly
    target = {"kind": "regression", "target": rid, "repository": "$tool:rank_root_causes.repository",
              "path": "shop/pricing.py", "function": "apply_discounts", "culprit": culprit, "skill": "log-guard"}

    # 1. A tool-calling fix over the OpenAI format.
    fake = Fake([
        {"status": 429, "retry_after": 0},
        {"calls": [{"name": "get_regression", "arguments": {"id": rid}},
                   {"name": "rank_root_causes", "arguments": {"regression": rid, "limit": 3}}]},
        {"calls": [{"name": "read_docs", "arguments": {"skill": "log-guard"}}]},
        {"malformed": '{"choices": [ {"message": oops'},
        {"calls": [{"name": "propose_patch", "raw": '{"skill": "log-guard", "target": '}]},
        {"calls": [{"name": "propose_patch", "arguments": {**target, "replacement": lazy}}]},
        {"calls": [{"name": "propose_patch", "arguments": {**target, "replacement": good,
                                                           "summary": ["guard the debug log in apply_discounts"]}}]},
        {"calls": [{"name": "validate_patch", "arguments": {"patch": "$result.patch", "runs": 10}}]},
        {"status": 503},
        {"calls": [{"name": "deliver_patch", "arguments": {"patch": "$result.patch"}}]},
        {"text": "Culprit 45cfb28 added eager debug logging; delivered the guarded log (see deliver_patch)."},
    ])
    try:
        started = time.time()
        out = headroom(args, "fix", str(rid), "--runs", "10", "--format", "json", base=f"http://127.0.0.1:{fake.port}/v1")
        check(out.returncode == 0, f"headroom fix {rid} with the LLM exits 0 ({time.time() - started:.1f} s) {out.stderr[-400:]}")
        result = json.loads(out.stdout)
        check(result["status"] == "delivered" and (result.get("branch") or "").startswith("headroom/regression-"),
              f"the LLM's patch is delivered on {result.get('branch')} ({result.get('status')}: {result.get('reason')})")
        v = result["validation"]
        check(v["tests_passed"] and v["p_value"] < 0.05 and v["ci95"][0] > 1,
              f"validated: {v['speedup']:.2f}× (95% CI {v['ci95'][0]:.2f}–{v['ci95'][1]:.2f}, p = {v['p_value']:.2g})")
        diff = git("diff", "main", result["branch"])
        check("+            if logger.isEnabledFor(logging.DEBUG):" in diff and "tidied by the model" not in diff,
              "the branch holds the second (guarded) edit, not the refused one")
        check(git("rev-parse", "HEAD") == head_before and git("rev-parse", "--abbrev-ref", "HEAD") == branch_before,
              "the checked-out branch is untouched")
        patches = tool(args, "list_patches", {"regression": rid})["patches"]
        refused = [p for p in patches if p["status"] == "refused" and "guardrail right-issue" in (p["reason"] or "")]
        check(refused, f"the unguarded edit was refused by the guardrail: {refused[0]['reason'] if refused else '-'}")
        shown = subprocess.run([args.headroom, "review", "show", str(result["patch"]), "--store", args.store],
                               capture_output=True, text=True, timeout=60)
        check(shown.returncode == 0 and "propose_patch" in shown.stdout and "fake-model" in shown.stdout
              and "arguments are not a JSON object" in shown.stdout and "malformed answer" in shown.stdout,
              "the stored transcript shows the model calls, the malformed answer and the malformed arguments")
        reqs = fake.requests()
        check(len(reqs) == 11, f"the model server saw 11 requests (2 retried errors, 1 malformed body) — {len(reqs)}")
        first = json.loads(reqs[0]["body"])
        system = first["messages"][0]["content"]
        with open(os.path.join(HERE, "..", "..", "Skills", "log-guard", "SKILL.md")) as f:
            body = f.read().split("---", 2)[2]
        marker = max(body.splitlines(), key=len).strip()[:60]
        check(first["messages"][0]["role"] == "system" and "- log-guard:" in system and "- memoize:" in system
              and marker not in system, "progressive disclosure: skills named with descriptions, no SKILL.md up front")
        later = json.loads(reqs[3]["body"])
        check(any(m["role"] == "tool" and marker in json.loads(m.get("content") or "{}").get("text", "") for m in later["messages"]),
              "SKILL.md reached the model only after it called read_docs")
        check({t["function"]["name"] for t in first["tools"]} >= {"query_profile", "propose_patch", "validate_patch", "deliver_patch"}
              and "reject_patch" not in {t["function"]["name"] for t in first["tools"]},
              f"{len(first['tools'])} tools offered, validate_patch among them, reject_patch not")
        check(all(r["headers"].get("authorization") == f"Bearer {API_KEY}" for r in reqs), "the key goes in the Authorization header")
        check(not any(API_KEY in r["body"] or SECRET in r["body"] for r in reqs), "no key or secret in any request body")
    finally:
        fake.stop()

    # 2. ask over the Anthropic format; the secret in the question is redacted.
    fake = Fake([
        {"status": 500},
        {"calls": [{"name": "list_regressions", "arguments": {"kind": "regression"}}]},
        {"text": f"apply_discounts regressed from {regression['before']*100:.2f}% to {regression['after']*100:.2f}% (list_regressions)."},
    ])
    try:
        out = headroom(args, "ask", f"what regressed? my token is {SECRET}", "--format", "json", provider="anthropic",
                       base=f"http://127.0.0.1:{fake.port}")
        check(out.returncode == 0, f"headroom ask over the Anthropic format exits 0 {out.stderr[-300:]}")
        answer = json.loads(out.stdout)
        check("apply_discounts regressed" in answer["text"] and answer["evidence"][0]["tool"] == "list_regressions",
              f"the answer cites list_regressions: {answer['text'][:80]}")
        reqs = fake.requests()
        check(all(r["path"] == "/v1/messages" and r["headers"].get("x-api-key") == API_KEY and r["headers"].get("anthropic-version") for r in reqs),
              "Anthropic wire format: /v1/messages, x-api-key, anthropic-version")
        check(not any(SECRET in r["body"] for r in reqs) and "[REDACTED]" in reqs[-1]["body"], "the question's secret is redacted")
        transcript = answer["brain"].split("transcript ")[-1]
        with open(transcript) as f:
            text = f.read()
        check(SECRET not in text and "list_regressions" in text, f"transcript stored, redacted: {transcript}")
    finally:
        fake.stop()

    # 3. Step budget.
    fake = Fake([{"repeat": {"calls": [{"name": "list_services", "arguments": {}}]}}])
    try:
        out = headroom(args, "ask", "loop forever", "--llm-max-steps", "4", base=f"http://127.0.0.1:{fake.port}/v1")
        check(out.returncode != 0 and "budget" in out.stderr and len(fake.requests()) == 4,
              f"a model that never stops is stopped at the step budget: {out.stderr.strip()[:160]}")
    finally:
        fake.stop()

    # 4. Only malformed answers: one clear error, nothing surfaced.
    before = {p["patch"] for p in tool(args, "list_patches", {})["patches"]}
    fake = Fake([{"repeat": {"malformed": "<html>gateway</html>"}}])
    try:
        out = headroom(args, "fix", str(rid), "--format", "json", base=f"http://127.0.0.1:{fake.port}/v1")
        result = json.loads(out.stdout) if out.stdout.strip() else {}
        check(out.returncode == 2 and result.get("status") == "failed" and "malformed" in (result.get("reason") or ""),
              f"only malformed answers: failed, {result.get('reason', out.stderr)[:120]}")
        after = tool(args, "list_patches", {})["patches"]
        new = [p for p in after if p["patch"] not in before]
        check(len(new) == 1 and new[0]["status"] == "failed", f"nothing was delivered; one failed record keeps the transcript ({len(new)} new)")
    finally:
        fake.stop()
    print("all LLM agent checks passed")


if __name__ == "__main__":
    main()
