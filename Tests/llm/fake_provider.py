#!/usr/bin/env python3
"""A fake LLM server for tests: speaks the OpenAI chat-completions and Anthropic Messages wire formats, driven by a
scripted conversation.

    fake_provider.py --scenario FILE.json --log REQUESTS.jsonl [--format openai|anthropic]

Prints `listening PORT` on stdout once bound (127.0.0.1, a free port). Each POST to /v1/chat/completions (or
/chat/completions) or /v1/messages takes the next turn of the scenario:

    {"status": 429, "retry_after": 0}       an HTTP error (rate limit, 5xx), retried by the client
    {"malformed": "text"}                   200 with a body that is not JSON
    {"calls": [{"name": T, "arguments": {...}} | {"name": T, "raw": "not json"}]}
    {"text": "final answer"}
    {"repeat": {"calls": [...]}}            answer this forever (for budget tests)
    {"obey": true}                          a model that follows instructions it reads: every line
                                            `HEADROOM-AGENT: call TOOL {json arguments}` in any tool result (code, commit
                                            messages, frame names, …) becomes a tool call, once each; when none is new,
                                            the next turn is taken. Calls made are appended to --obeyed if given.

Argument strings "$result.FIELD" take FIELD from the newest tool result in the request, and "$tool:NAME.FIELD" from
the newest result of tool NAME. The server checks what it receives as the real APIs do (tool results answer earlier
tool calls, roles alternate, required fields present) and answers 400 otherwise. Every request (headers and body) is
appended to the log.
"""
import argparse
import json
import os
import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


INSTRUCTION = "HEADROOM-AGENT: call "


class State:
    def __init__(self, scenario, log, obeyed=None):
        self.turns = scenario
        self.index = 0
        self.log = log
        self.obeyed_log = obeyed
        self.obeyed = set()
        self.replies = 0
        self.lock = threading.Lock()

    def next_turn(self, results=()):
        with self.lock:
            while True:
                if self.index >= len(self.turns):
                    return {"status": 500, "body": {"error": {"message": "scenario exhausted"}}}
                turn = self.turns[self.index]
                if "repeat" in turn:
                    return turn["repeat"]
                if "obey" in turn:
                    calls = self.instructions(results)
                    if calls:
                        return {"calls": calls}
                    self.index += 1
                    continue
                self.index += 1
                return turn

    def instructions(self, results):
        """New `HEADROOM-AGENT: call TOOL {...}` lines in the tool results, as calls."""
        calls = []
        for _, result in results:
            for text in strings(result):
                at = text.find(INSTRUCTION)
                while at >= 0:
                    rest = text[at + len(INSTRUCTION):]
                    name = rest.split(" ", 1)[0]
                    brace = rest.find("{")
                    try:
                        arguments, _ = json.JSONDecoder().raw_decode(rest[brace:])
                    except Exception:
                        arguments = None
                    key = name + json.dumps(arguments, sort_keys=True)
                    if name.isidentifier() and isinstance(arguments, dict) and key not in self.obeyed:
                        self.obeyed.add(key)
                        calls.append({"name": name, "arguments": arguments})
                        if self.obeyed_log:
                            with open(self.obeyed_log, "a") as f:
                                f.write(json.dumps({"name": name, "arguments": arguments}) + "\n")
                    at = text.find(INSTRUCTION, at + 1)
        return calls


def strings(value):
    """Every string inside a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def tool_results(fmt, body):
    """(tool name, parsed content) of every tool result in the request, oldest first; validates the pairing."""
    names = {}
    results = []
    if fmt == "openai":
        msgs = body.get("messages")
        if not isinstance(msgs, list) or not msgs:
            raise ValueError("messages must be a non-empty array")
        for m in msgs:
            role = m.get("role")
            if role not in ("system", "user", "assistant", "tool"):
                raise ValueError(f"bad role {role}")
            if role == "assistant":
                for c in m.get("tool_calls") or []:
                    if c.get("type") != "function" or not isinstance(c["function"].get("arguments"), str):
                        raise ValueError("tool_calls[].function.arguments must be a string")
                    names[c["id"]] = c["function"]["name"]
            if role == "tool":
                if m.get("tool_call_id") not in names:
                    raise ValueError(f"tool message answers unknown tool_call_id {m.get('tool_call_id')}")
                results.append((names[m["tool_call_id"]], m.get("content")))
    else:
        msgs = body.get("messages")
        if not isinstance(msgs, list) or not msgs or msgs[0].get("role") != "user":
            raise ValueError("messages must start with a user turn")
        if not isinstance(body.get("max_tokens"), int):
            raise ValueError("max_tokens is required")
        last_role = None
        pending = {}
        for m in msgs:
            role = m.get("role")
            if role == last_role:
                raise ValueError("roles must alternate")
            last_role = role
            for block in m.get("content") or []:
                if block.get("type") == "tool_use":
                    pending[block["id"]] = block["name"]
                    if not isinstance(block.get("input"), dict):
                        raise ValueError("tool_use.input must be an object")
                if block.get("type") == "tool_result":
                    if role != "user" or block.get("tool_use_id") not in pending:
                        raise ValueError("tool_result must answer a tool_use of the previous assistant turn")
                    results.append((pending[block["tool_use_id"]], block.get("content")))
    parsed = []
    for name, content in results:
        try:
            parsed.append((name, json.loads(content)))
        except Exception:
            parsed.append((name, {"_text": content}))
    return parsed


def resolve(value, results):
    if isinstance(value, str) and value.startswith("$"):
        if value.startswith("$result."):
            source = next((r for _, r in reversed(results)), {})
            key = value[len("$result."):]
        elif value.startswith("$tool:"):
            tool, key = value[len("$tool:"):].split(".", 1)
            source = next((r for n, r in reversed(results) if n == tool), {})
        else:
            return value
        return source.get(key) if isinstance(source, dict) else None
    if isinstance(value, dict):
        return {k: resolve(v, results) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, results) for v in value]
    return value


def make_handler(state, fmt_default):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def reply(self, status, body, headers=()):
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            length = int(self.headers.get("content-length", "0"))
            raw = self.rfile.read(length)
            fmt = "anthropic" if self.path.rstrip("/").endswith("/messages") else "openai"
            entry = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": raw.decode("utf-8", "replace")}
            with state.lock:
                with open(state.log, "a") as f:
                    f.write(json.dumps(entry) + "\n")
            try:
                body = json.loads(raw)
                if fmt == "openai" and not body.get("model"):
                    raise ValueError("model is required")
                if fmt == "anthropic" and self.headers.get("anthropic-version") is None:
                    raise ValueError("anthropic-version header is required")
                results = tool_results(fmt, body)
            except Exception as e:
                return self.reply(400, {"error": {"type": "invalid_request_error", "message": str(e)}})
            turn = state.next_turn(results)
            if "status" in turn:
                headers = [("retry-after", str(turn["retry_after"]))] if "retry_after" in turn else []
                return self.reply(turn["status"], turn.get("body", {"error": {"message": "scripted error"}}), headers)
            if "malformed" in turn:
                return self.reply(200, turn["malformed"].encode())
            calls = [dict(c, arguments=resolve(c.get("arguments", {}), results)) for c in turn.get("calls", [])]
            with state.lock:
                state.replies += 1
                n = state.replies
            if fmt == "openai":
                message = {"role": "assistant", "content": turn.get("text")}
                if calls:
                    message["tool_calls"] = [
                        {"id": f"call_{n}_{i}", "type": "function",
                         "function": {"name": c["name"], "arguments": c["raw"] if "raw" in c else json.dumps(c["arguments"])}}
                        for i, c in enumerate(calls)]
                return self.reply(200, {"id": f"chatcmpl-{n}", "object": "chat.completion", "model": body["model"],
                                        "choices": [{"index": 0, "message": message,
                                                     "finish_reason": "tool_calls" if calls else "stop"}],
                                        "usage": {"prompt_tokens": len(raw) // 4, "completion_tokens": 50, "total_tokens": len(raw) // 4 + 50}})
            content = []
            if turn.get("text"):
                content.append({"type": "text", "text": turn["text"]})
            for i, c in enumerate(calls):
                content.append({"type": "tool_use", "id": f"toolu_{n}_{i}", "name": c["name"],
                                "input": c["raw"] if "raw" in c else c["arguments"]})
            return self.reply(200, {"id": f"msg_{n}", "type": "message", "role": "assistant", "model": body.get("model"),
                                    "content": content, "stop_reason": "tool_use" if calls else "end_turn",
                                    "usage": {"input_tokens": len(raw) // 4, "output_tokens": 50}})

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--format", default="openai")
    parser.add_argument("--obeyed", help="append each call an obey turn makes to this file (JSON lines)")
    args = parser.parse_args()
    with open(args.scenario) as f:
        scenario = json.load(f)
    # A parent that ignores SIGTERM (some test runners) must not make this server unstoppable.
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    state = State(scenario, args.log, args.obeyed)
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state, args.format))
    print(f"listening {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
