"""A stand-in for GitHub's and GitLab's REST APIs: exactly the endpoints `headroom review publish` uses, with the
request and response shapes of their published API descriptions, over real HTTP on loopback.

GitHub (REST v3, X-GitHub-Api-Version 2022-11-28):
  GET    /repos/{owner}/{repo}/pulls?head=owner:branch&state=open     list pull requests
  POST   /repos/{owner}/{repo}/pulls                                  create (422 when one exists for head)
  PATCH  /repos/{owner}/{repo}/pulls/{number}                         update
  POST   /repos/{owner}/{repo}/issues/{number}/labels                 add labels
  GET    /repos/{owner}/{repo}/commits/{sha}                          commit with its linked `author`
  POST   /repos/{owner}/{repo}/pulls/{number}/requested_reviewers     request reviewers
  POST   /repos/{owner}/{repo}/code-scanning/sarifs                   upload SARIF (gzip + base64), 202
GitLab (API v4, under /api/v4):
  GET    /projects/{id}/merge_requests?source_branch=&state=opened
  POST   /projects/{id}/merge_requests                                (409 when one is open for the branch)
  PUT    /projects/{id}/merge_requests/{iid}                          update, add_labels, reviewer_ids
  GET    /users?username= | ?search=

The head branch must exist in the bare git repository given with --remote (as on a real forge, the push comes
first). Every request is logged; GET /_requests returns the log and POST /_mode sets a failure mode: `rate-limit`
(GitHub 403 with x-ratelimit-remaining 0), `race` (the next list answers empty although a request is open, so the
create meets "already exists").

usage: fake_forge.py --remote BARE.git --token TOKEN --repo owner/name --port-file F [--user email=login:id ...]
writes the port to F, then serves until killed.
"""
import argparse
import base64
import gzip
import json
import os
import re
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

LOCK = threading.Lock()
LOG = []
STATE = {"pulls": {}, "mrs": {}, "next": 1, "mode": "normal"}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--remote", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--repo", required=True)
    parser.add_argument("--user", action="append", default=[])
    parser.add_argument("--port-file", required=True)
    args = parser.parse_args()
    users = {}
    for spec in args.user:
        email, rest = spec.split("=", 1)
        login, uid = rest.split(":", 1)
        users[email.lower()] = (login, int(uid))

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def reply(self, status, body, headers=None):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def handle_any(self, method):
            url = urlsplit(self.path)
            path = url.path
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            if path == "/_requests":
                with LOCK:
                    return self.reply(200, LOG)
            if path == "/_mode":
                STATE["mode"] = body["mode"]
                return self.reply(200, {"mode": STATE["mode"]})
            if path == "/_review":
                # A reviewer's decision on the forge: {"number": N, "decision": "merge" | "close"}.
                with LOCK:
                    pull = STATE["pulls"].get(body["number"])
                    mr = STATE["mrs"].get(body["number"])
                    if pull:
                        pull["state"] = "closed"
                        pull["merged"] = body["decision"] == "merge"
                        pull["merged_at"] = "2026-11-30T12:00:00Z" if pull["merged"] else None
                    if mr:
                        mr["state"] = "merged" if body["decision"] == "merge" else "closed"
                return self.reply(200, {"number": body["number"]})
            auth = self.headers.get("Authorization")
            private = self.headers.get("PRIVATE-TOKEN")
            with LOCK:
                LOG.append({
                    "method": method, "path": path, "query": query, "body": body,
                    "auth": "bearer-ok" if auth == "Bearer " + args.token else
                            "private-ok" if private == args.token else "bad",
                    "api_version": self.headers.get("X-GitHub-Api-Version"),
                    "accept": self.headers.get("Accept"),
                    "content_type": self.headers.get("Content-Type"),
                })
            if path.startswith("/api/v4/"):
                if private != args.token:
                    return self.reply(401, {"message": "401 Unauthorized"})
                return self.gitlab(method, path[len("/api/v4"):], query, body)
            if auth != "Bearer " + args.token:
                return self.reply(401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
            if STATE["mode"] == "rate-limit":
                return self.reply(403, {"message": "API rate limit exceeded for user."},
                                  {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1790000000"})
            return self.github(method, path, query, body)

        def branch_exists(self, name):
            return subprocess.run(["git", "--git-dir", args.remote, "rev-parse", "--verify", "-q",
                                   "refs/heads/" + name], capture_output=True).returncode == 0

        def github(self, method, path, query, body):
            owner, repo = args.repo.split("/")
            m = re.fullmatch(r"/repos/([^/]+)/([^/]+)(/.*)", path)
            if not m or (unquote(m.group(1)), unquote(m.group(2))) != (owner, repo):
                return self.reply(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
            rest = m.group(3)
            pulls = STATE["pulls"]
            if rest == "/pulls" and method == "GET":
                if STATE["mode"] == "race":
                    STATE["mode"] = "normal"
                    return self.reply(200, [])
                head = query.get("head", "")
                found = [p for p in pulls.values() if p["state"] == "open" and owner + ":" + p["head"]["ref"] == head]
                return self.reply(200, found)
            if rest == "/pulls" and method == "POST":
                missing = [k for k in ("title", "head", "base") if not body or k not in body]
                if missing:
                    return self.reply(422, {"message": "Validation Failed",
                                            "errors": [{"resource": "PullRequest", "field": missing[0], "code": "missing_field"}]})
                if not self.branch_exists(body["head"]):
                    return self.reply(422, {"message": "Validation Failed",
                                            "errors": [{"resource": "PullRequest", "field": "head", "code": "invalid"}]})
                if any(p["head"]["ref"] == body["head"] and p["state"] == "open" for p in pulls.values()):
                    return self.reply(422, {"message": "Validation Failed", "errors": [
                        {"resource": "PullRequest", "code": "custom",
                         "message": "A pull request already exists for %s:%s." % (owner, body["head"])}]})
                n = STATE["next"]
                STATE["next"] += 1
                pulls[n] = {"number": n, "state": "open", "title": body["title"], "body": body.get("body"),
                            "draft": body.get("draft", False), "head": {"ref": body["head"]},
                            "base": {"ref": body["base"]}, "labels": [], "requested_reviewers": [],
                            "html_url": "https://github.example/%s/pull/%d" % (args.repo, n)}
                return self.reply(201, pulls[n])
            m2 = re.fullmatch(r"/pulls/(\d+)", rest)
            if m2 and method == "GET":
                p = pulls.get(int(m2.group(1)))
                if not p:
                    return self.reply(404, {"message": "Not Found"})
                return self.reply(200, dict(p, merged=p.get("merged", False), merged_at=p.get("merged_at")))
            if m2 and method == "PATCH":
                p = pulls.get(int(m2.group(1)))
                if not p:
                    return self.reply(404, {"message": "Not Found"})
                p.update({k: v for k, v in (body or {}).items() if k in ("title", "body", "state")})
                return self.reply(200, p)
            m2 = re.fullmatch(r"/issues/(\d+)/labels", rest)
            if m2 and method == "POST":
                p = pulls.get(int(m2.group(1)))
                if not p:
                    return self.reply(404, {"message": "Not Found"})
                for name in body.get("labels", []):
                    if name not in [x["name"] for x in p["labels"]]:
                        p["labels"].append({"name": name})
                return self.reply(200, p["labels"])
            m2 = re.fullmatch(r"/commits/([0-9a-f]{7,40})", rest)
            if m2 and method == "GET":
                out = subprocess.run(["git", "--git-dir", args.remote, "log", "-1", "--format=%ae", m2.group(1)],
                                     capture_output=True, text=True)
                if out.returncode != 0:
                    return self.reply(422, {"message": "No commit found for SHA: " + m2.group(1)})
                linked = users.get(out.stdout.strip().lower())
                return self.reply(200, {"sha": m2.group(1), "author": {"login": linked[0], "id": linked[1]} if linked else None})
            if rest == "/code-scanning/sarifs" and method == "POST":
                fields = body or {}
                if not re.fullmatch(r"[0-9a-f]{40}", fields.get("commit_sha", "")) or \
                        not fields.get("ref", "").startswith("refs/"):
                    return self.reply(422, {"message": "Invalid request.", "errors": ["commit_sha and ref are required"]})
                try:
                    log = json.loads(gzip.decompress(base64.b64decode(fields["sarif"], validate=True)))
                except Exception as failure:
                    return self.reply(400, {"message": "sarif: not gzipped, base64-encoded JSON (%s)" % failure})
                with LOCK:
                    LOG[-1]["body"]["sarif"] = "<%d bytes>" % len(fields["sarif"])
                    LOG[-1]["sarif"] = {"version": log.get("version"),
                                        "results": sum(len(r.get("results", [])) for r in log.get("runs", []))}
                upload = "47177e22-%04d" % len(LOG)
                return self.reply(202, {"id": upload, "url": "https://api.github.example/repos/%s/code-scanning/sarifs/%s"
                                        % (args.repo, upload)})
            m2 = re.fullmatch(r"/pulls/(\d+)/requested_reviewers", rest)
            if m2 and method == "POST":
                p = pulls.get(int(m2.group(1)))
                if not p:
                    return self.reply(404, {"message": "Not Found"})
                logins = [u[0] for u in users.values()]
                for login in body.get("reviewers", []):
                    if login not in logins:
                        return self.reply(422, {"message": "Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the %s repository." % args.repo})
                    p["requested_reviewers"].append({"login": login})
                return self.reply(201, p)
            return self.reply(404, {"message": "Not Found"})

        def gitlab(self, method, path, query, body):
            if path == "/users" and method == "GET":
                found = []
                for email, (login, uid) in users.items():
                    if query.get("username") == login or (query.get("search") and query["search"].lower() in email):
                        found.append({"id": uid, "username": login, "name": login.title(), "state": "active"})
                return self.reply(200, found)
            m = re.fullmatch(r"/projects/([^/]+)(/.*)", path)
            if not m or unquote(m.group(1)) != args.repo:
                return self.reply(404, {"message": "404 Project Not Found"})
            rest = m.group(2)
            mrs = STATE["mrs"]
            if rest == "/merge_requests" and method == "GET":
                if STATE["mode"] == "race":
                    STATE["mode"] = "normal"
                    return self.reply(200, [])
                found = [r for r in mrs.values() if r["state"] == "opened" and r["source_branch"] == query.get("source_branch")]
                return self.reply(200, found)
            if rest == "/merge_requests" and method == "POST":
                for k in ("source_branch", "target_branch", "title"):
                    if not body or k not in body:
                        return self.reply(400, {"message": {k: ["is missing"]}})
                if not self.branch_exists(body["source_branch"]):
                    return self.reply(422, {"message": ["Source branch does not exist"]})
                for r in mrs.values():
                    if r["state"] == "opened" and r["source_branch"] == body["source_branch"]:
                        return self.reply(409, {"message": ["Another open merge request already exists for this source branch: !%d" % r["iid"]]})
                n = STATE["next"]
                STATE["next"] += 1
                mrs[n] = {"id": 1000 + n, "iid": n, "state": "opened", "title": body["title"],
                          "description": body.get("description"), "source_branch": body["source_branch"],
                          "target_branch": body["target_branch"],
                          "labels": [x for x in body.get("labels", "").split(",") if x], "reviewers": [],
                          "web_url": "https://gitlab.example/%s/-/merge_requests/%d" % (args.repo, n)}
                return self.reply(201, mrs[n])
            m2 = re.fullmatch(r"/merge_requests/(\d+)", rest)
            if m2 and method == "GET":
                r = mrs.get(int(m2.group(1)))
                if not r:
                    return self.reply(404, {"message": "404 Not found"})
                return self.reply(200, r)
            if m2 and method == "PUT":
                r = mrs.get(int(m2.group(1)))
                if not r:
                    return self.reply(404, {"message": "404 Not found"})
                for k in ("title", "description"):
                    if k in body:
                        r[k] = body[k]
                for name in [x for x in body.get("add_labels", "").split(",") if x]:
                    if name not in r["labels"]:
                        r["labels"].append(name)
                if "reviewer_ids" in body:
                    ids = {uid: login for login, uid in users.values()}
                    r["reviewers"] = [{"id": i, "username": ids.get(i)} for i in body["reviewer_ids"]]
                return self.reply(200, r)
            return self.reply(404, {"message": "404 Not Found"})

        def do_GET(self):
            self.handle_any("GET")

        def do_POST(self):
            self.handle_any("POST")

        def do_PATCH(self):
            self.handle_any("PATCH")

        def do_PUT(self):
            self.handle_any("PUT")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    # The port goes to a file, written whole before it appears (the caller polls for it).
    with open(args.port_file + ".tmp", "w") as out:
        out.write(str(server.server_address[1]))
    os.rename(args.port_file + ".tmp", args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
