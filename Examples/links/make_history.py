"""Build the links example's real git history (10 commits by 6 authors) in a new directory: a Go link shortener.

    python3 make_history.py OUT_DIR

The first commit is the tree under service/; every later commit applies exact text edits to it. Dates are fixed, so
commit ids are the same on every machine. Ground truth for tests lives in expected.json, never in Headroom.
"""
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
START = 1793606400  # 2026-11-02T08:00:00Z
STEP = 2 * 3600

AUTHORS = {
    "alice": ("Alice Chen", "alice@links.example"),
    "bob": ("Bob Okafor", "bob@links.example"),
    "carol": ("Carol Diaz", "carol@links.example"),
    "dana": ("Dana Kim", "dana@links.example"),
    "erin": ("Erin Walsh", "erin@links.example"),
    "frank": ("Frank Moreau", "frank@links.example"),
}

LINKS = "links/links.go"
TESTS = "links/links_test.go"

# (author, message, [edits]); an edit is ("replace", path, old, new) or ("write", path, text).
STEPS = [
    ("alice", "Initial links service: shorten, redirect, stats, load driver", []),
    ("bob", "Shorten: store targets without a trailing slash", [
        ("replace", LINKS,
         "\ts.links[code] = &Link{Code: code, Target: u.String()}\n",
         "\tif u.Path != \"/\" {\n\t\tu.Path = strings.TrimSuffix(u.Path, \"/\")\n\t}\n"
         "\ts.links[code] = &Link{Code: code, Target: u.String()}\n"),
    ]),
    ("carol", "Handle: HEAD /r/CODE answers like GET", [
        ("replace", LINKS,
         "\tcase method == \"GET\" && len(parts) == 2 && parts[0] == \"r\":\n",
         "\tcase (method == \"GET\" || method == \"HEAD\") && len(parts) == 2 && parts[0] == \"r\":\n"),
    ]),
    ("erin", "Tests: stats of an unknown code is 404", [
        ("replace", TESTS,
         "\tif status, _ := s.Handle(\"DELETE\", \"/r/x\", \"\"); status != 404 {",
         "\tif status, _ := s.Handle(\"GET\", \"/stats/nope99\", \"\"); status != 404 {\n"
         "\t\tt.Fatalf(\"unknown stats: %d\", status)\n\t}\n"
         "\tif status, _ := s.Handle(\"DELETE\", \"/r/x\", \"\"); status != 404 {"),
    ]),
    ("frank", "Docs: how to run the service, its tests and the load driver", [
        ("write", "README.md",
         "# links\n\nA small link shortener.\n\n    go test ./...\n    go run ./cmd/load -seconds 4 -cpuprofile cpu.pprof\n"),
    ]),
    ("dana", "Resolve: reject malformed codes before the lookup", [
        ("replace", LINKS, "\t\"net/url\"\n\t\"strings\"\n", "\t\"net/url\"\n\t\"regexp\"\n\t\"strings\"\n"),
        ("replace", LINKS,
         "func (s *Server) Resolve(code string) (string, error) {\n",
         "func (s *Server) Resolve(code string) (string, error) {\n"
         "\tif !regexp.MustCompile(`^[a-zA-Z0-9]{6}$`).MatchString(code) {\n\t\treturn \"\", ErrNotFound\n\t}\n"),
        ("replace", TESTS,
         "\tif status, _ := s.Handle(\"GET\", \"/r/nope99\", \"\"); status != 404 {",
         "\tif status, _ := s.Handle(\"GET\", \"/r/bad-code!\", \"\"); status != 404 {\n"
         "\t\tt.Fatalf(\"malformed code: %d\", status)\n\t}\n"
         "\tif status, _ := s.Handle(\"GET\", \"/r/nope99\", \"\"); status != 404 {"),
    ]),
    ("bob", "Stats: answer with the target too", [
        ("replace", LINKS,
         "\t\t\treturn 200, fmt.Sprintf(\"%s %d\", link.Code, link.Hits)\n",
         "\t\t\treturn 200, fmt.Sprintf(\"%s %d %s\", link.Code, link.Hits, link.Target)\n"),
        ("replace", TESTS,
         "status != 200 || stats != code+\" 1\" {",
         "status != 200 || stats != code+\" 1 https://example.com/a?b=c\" {"),
    ]),
    ("carol", "Encode: document the alphabet", [
        ("replace", LINKS,
         "const alphabet = ",
         "// alphabet leaves out 0, 1, O, I and l, which people misread.\nconst alphabet = "),
    ]),
    ("alice", "Shorten: reject targets over 2 KB", [
        ("replace", LINKS,
         "\tu, err := url.Parse(target)\n",
         "\tif len(target) > 2048 {\n\t\treturn \"\", fmt.Errorf(\"target is over 2 KB\")\n\t}\n"
         "\tu, err := url.Parse(target)\n"),
    ]),
    ("erin", "Tests: HEAD redirects like GET", [
        ("replace", TESTS,
         "func TestBadRequests(t *testing.T) {",
         "func TestHead(t *testing.T) {\n\ts := NewServer()\n\t_, code := s.Handle(\"POST\", \"/shorten\", \"https://example.com/h\")\n"
         "\tif status, _ := s.Handle(\"HEAD\", \"/r/\"+code, \"\"); status != 302 {\n\t\tt.Fatalf(\"head: %d\", status)\n\t}\n}\n\n"
         "func TestBadRequests(t *testing.T) {"),
    ]),
]


def git(repo, *args, env=None):
    subprocess.run(["git", "-C", repo, *args], check=True, env=env, stdout=subprocess.DEVNULL)


def apply_edit(repo, edit):
    kind, path = edit[0], os.path.join(repo, edit[1])
    if kind == "write":
        with open(path, "w") as handle:
            handle.write(edit[2])
        return
    with open(path) as handle:
        text = handle.read()
    old, new = edit[2], edit[3]
    if text.count(old) != 1:
        raise SystemExit(f"make_history: edit to {edit[1]} matches {text.count(old)} times, expected 1")
    with open(path, "w") as handle:
        handle.write(text.replace(old, new))


def build(out):
    if os.path.exists(out) and os.listdir(out):
        raise SystemExit(f"make_history: {out} exists and is not empty")
    shutil.copytree(os.path.join(HERE, "service"), out, dirs_exist_ok=True)
    git(out, "init", "-q", "-b", "main")
    git(out, "config", "commit.gpgsign", "false")
    for index, (author, message, edits) in enumerate(STEPS):
        for edit in edits:
            apply_edit(out, edit)
        name, email = AUTHORS[author]
        when = f"{START + index * STEP} +0000"
        env = dict(os.environ, GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email, GIT_AUTHOR_DATE=when,
                   GIT_COMMITTER_NAME=name, GIT_COMMITTER_EMAIL=email, GIT_COMMITTER_DATE=when)
        git(out, "add", "-A")
        git(out, "commit", "-q", "-m", message, env=env)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python3 make_history.py OUT_DIR")
    build(sys.argv[1])
