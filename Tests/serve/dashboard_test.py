#!/usr/bin/env python3
"""The web dashboard in headless Chromium: a served store where the loop has found a regression, ranked its culprit
and delivered a fix; every page is rendered by Chromium (a screenshot of each is kept, its path printed) and its DOM
checked for the figures people need; then the buttons are pressed as a browser would (form posts with the page's
token and origin): "Acknowledge" records the verdict, "Apply" cherry-picks the patch onto the checked-out branch.

    python3 Tests/serve/dashboard_test.py --headroom .build/debug/headroom [--screenshots DIR]
"""
import argparse, os, re, shutil, subprocess, sys, tempfile, time, urllib.error, urllib.parse, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_test  # noqa: E402  (the loop application and the server wrapper)
from serve_test import fail, ok  # noqa: E402


def chromium(*args, timeout=90):
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if not binary:
        fail("chromium is not installed (scripts/ensure-tools.sh installs it)")
    return subprocess.run([binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           "--window-size=1320,1400", *args], capture_output=True, text=True, timeout=timeout)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--headroom", required=True)
    parser.add_argument("--screenshots")
    args = parser.parse_args()
    binary = os.path.abspath(args.headroom)
    work = tempfile.mkdtemp(prefix="headroom-dashboard-")
    shots = os.path.abspath(args.screenshots or os.path.join(work, "screenshots"))
    os.makedirs(shots, exist_ok=True)
    store = os.path.join(work, "s.sqlite")
    server = serve_test.Server(binary, store, "--detect-every", "1", "--detect-debounce", "1")
    repo = serve_test.loop_app(binary, store, work, "web.app", 1794100000, server)
    deadline = time.time() + 90
    while time.time() < deadline:
        status, _, body = server.request("GET", "/api/v1/jobs", token=None)
        if status == 200 and '"state":"done"' in body.decode():
            break
        time.sleep(1)
    else:
        fail(f"the loop did not deliver a fix for the dashboard to show: {body!r}")

    pages = {
        "overview": ("/", ["Fleet overview", "Open regressions", "hot", "Make hot slower", "Fixes delivered", "done"]),
        "regression": ("/regressions/1", ["Regression #1: hot in web.app", "change point", "Root cause",
                                          "Make hot slower", "Patch #1", "delivered", "faster", "Apply", "Reject"]),
        "regression-flame": ("/regressions/1/flame", ["after the onset of regression #1", "<svg", "hot"]),
        "service-flame": ("/services/web.app/flame", ["web.app: flame graph", "<svg", "handle"]),
        "opportunities": ("/opportunities", ["Opportunities, by watts saved", "No opportunities found yet"]),
        "inbox": ("/inbox?for=dana@example.com", ["Inbox of dana@example.com", "Regressions to review", "hot",
                                                   "culprit author", "Fixes awaiting your review"]),
    }
    for name, (path, expected) in pages.items():
        started = time.time()
        status, _, _ = server.request("GET", path, token=None)
        served = (time.time() - started) * 1000
        dom = chromium("--dump-dom", server.base + path).stdout
        missing = [text for text in expected if text not in dom]
        if status != 200 or missing:
            fail(f"{path}: status {status}, missing {missing} in the rendered page")
        png = os.path.join(shots, f"{name}.png")
        chromium(f"--screenshot={png}", server.base + path)
        if not os.path.exists(png) or os.path.getsize(png) < 5000:
            fail(f"{path}: no screenshot")
        ok(f"{path} rendered by Chromium ({served:.0f} ms served; screenshot {png})")
    for path in ["/api/v1/services/web.app/flame.svg", "/api/v1/regressions/1/flame.svg"]:
        status, headers, body = server.request("GET", path, token=None)
        if status != 200 or headers.get("Content-Type") != "image/svg+xml" or b"<svg" not in body[:2000]:
            fail(f"{path}: {status} {headers.get('Content-Type')}")
    status, _, _ = server.request("GET", "/api/v1/services/web.app/flame.svg?range=nonsense", token=None)
    if status != 400:
        fail(f"a bad range got {status}")
    ok("the flame graphs as SVG documents for programs (/api/v1/…/flame.svg); a bad range is a 400")
    if "<script" in chromium("--dump-dom", server.base + "/").stdout:
        fail("the overview needs JavaScript")

    # The buttons, as a browser without JavaScript presses them: a form post with the page's token and origin.
    page = server.request("GET", "/regressions/1", token=None)[2].decode()
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)

    def press(action, csrf=token, origin=None):
        data = urllib.parse.urlencode({"csrf": csrf}).encode()
        request = urllib.request.Request(server.base + action, data=data, method="POST",
                                         headers={"Origin": origin or server.base})

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args):
                return None
        try:
            with urllib.request.build_opener(NoRedirect).open(request, timeout=60) as r:
                return r.status, r.headers
        except urllib.error.HTTPError as e:
            return e.code, e.headers
    for csrf, origin in [("forged", None), (token, "http://evil.example")]:
        status, _ = press("/ui/regressions/1/ack", csrf, origin)
        if status != 403:
            fail(f"a forged or cross-site press got {status}")
    status, headers = press("/ui/regressions/1/ack")
    if status != 303 or headers.get("Location") != "/regressions/1":
        fail(f"Acknowledge: {status} {dict(headers)}")
    status, headers = press("/ui/patches/1/apply")
    if status != 303:
        fail(f"Apply: {status}")
    dom = chromium("--dump-dom", server.base + "/regressions/1").stdout
    applied = subprocess.run(["git", "show", "HEAD:app.py"], cwd=repo, capture_output=True, text=True).stdout
    if "(acknowledged)" not in dom or "review applied" not in dom or "return n * 2" not in applied:
        fail(f"after the presses: acknowledged {'(acknowledged)' in dom}, applied {'review applied' in dom}, "
             f"main has the fix {'return n * 2' in applied}")
    chromium(f"--screenshot={os.path.join(shots, 'regression-after-apply.png')}", server.base + "/regressions/1")
    ok("buttons without JavaScript: a forged token or another origin gets 403; Acknowledge records the verdict, Apply "
       "cherry-picks the fix onto main")
    if server.stop() != 0:
        fail("the server did not stop cleanly")
    print(f"screenshots: {shots}", flush=True)
    print("dashboard: all checks passed", flush=True)


if __name__ == "__main__":
    main()
