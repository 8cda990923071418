"""Unit tests of the Python helper (Sources/HeadroomSource/Python/headroom_ast.py), run with pytest by
scripts/test.sh. The Swift side runs the same program embedded in the binary; these pin its answers directly."""
import importlib.util
import json
import os
import subprocess
import sys
import textwrap

HELPER = os.path.join(os.path.dirname(__file__), "..", "..", "Sources", "HeadroomSource", "Python", "headroom_ast.py")
spec = importlib.util.spec_from_file_location("headroom_ast", HELPER)
helper = importlib.util.module_from_spec(spec)
spec.loader.exec_module(helper)

SHOP = textwrap.dedent('''\
    import logging
    import re

    logger = logging.getLogger("shop")


    class Cart:
        def total(self, lines):
            return sum(l["price"] for l in lines)


    @decorated
    def apply(lines, rules):
        for line in lines:
            logger.debug(f"line {line}: {sorted(rules)}")
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug("guarded %s", line)
            if re.match("^[a-z]+$", line["sku"]):
                yield line
    ''')


def run(mode, request):
    """The helper as the binary runs it: a process, JSON in and out."""
    out = subprocess.run([sys.executable, HELPER, mode], input=json.dumps(request), capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_functions_have_qualified_names_and_decorator_starts():
    answer = helper.functions({"files": [{"path": "shop.py", "source": SHOP}]})
    spans = {f["name"]: f for f in answer["functions"]["shop.py"]}
    assert set(spans) == {"Cart.total", "apply"}
    assert spans["apply"]["start"] == 12  # the decorator's line, not the def's
    assert spans["apply"]["end"] == 19
    assert answer["errors"] == {}


def test_a_file_that_does_not_parse_is_reported_not_raised():
    answer = helper.functions({"files": [{"path": "bad.py", "source": "def f(:\n"}]})
    assert answer["functions"] == {} and answer["errors"]["bad.py"].startswith("line 1")


def test_logcalls_tells_eager_from_guarded():
    answer = helper.logcalls({"source": SHOP, "function": "apply"})
    assert answer["found"]
    calls = {c["line"]: c for c in answer["calls"]}
    assert calls[15]["eager"] and not calls[15]["guarded"] and calls[15]["level"] == "DEBUG"
    assert calls[17]["guarded"]
    assert helper.logcalls({"source": SHOP, "function": "missing"}) == {"found": False}


def test_check_gives_the_syntax_error_line():
    assert helper.check({"source": SHOP, "path": "shop.py"}) == {"ok": True}
    bad = helper.check({"source": "x = (1,\n", "path": "p.py"})
    assert not bad["ok"] and bad["error"].startswith("line 1")


def test_regex_finds_the_constant_pattern():
    answer = run("regex", {"source": SHOP, "function": "apply"})
    assert answer["found"]
    assert "^[a-z]+$" in json.dumps(answer)


def test_scan_names_the_lines_each_fix_changes():
    source = SHOP.replace('logger.debug(f"line {line}: {sorted(rules)}")',
                          'logger.debug(f"line {line}: "\n                         f"{sorted(rules)}")')
    answer = helper.scan({"files": [{"path": "shop.py", "source": source, "functions": ["apply"]}], "callers": []})
    found = {f["pattern"]: f for f in answer["files"]["shop.py"]["apply"]}
    assert found["logging"]["lines"] == [[15, 16]]  # the whole multi-line call: py-spy may name either line
    assert found["regex-compile"]["lines"] == [[19, 19]]


def test_memo_refuses_parameters_read_as_dicts():
    source = textwrap.dedent('''\
        def rule_applies(rule, line):
            return line["sku"] in rule["skus"]

        def by_get(options, n):
            return options.get("scale", 1) * n

        def scaled(factor, n):
            return factor[0] * n
        ''')
    refusal = helper.memo({"source": source, "function": "rule_applies", "path": "p.py"})["refusal"]
    assert refusal and "read as a dict" in refusal and "line 2" in refusal
    assert "options.get()" in helper.memo({"source": source, "function": "by_get", "path": "p.py"})["refusal"]
    assert helper.memo({"source": source, "function": "scaled", "path": "p.py"})["refusal"] is None  # tuples index by int


def test_log_arguments_may_call_pure_helpers_of_the_same_module():
    source = textwrap.dedent('''\
        import logging
        logger = logging.getLogger(__name__)
        SEEN = []

        def describe(cart):
            return ", ".join(sorted(item["sku"] for item in cart))

        def remember(cart):
            SEEN.append(cart)
            return str(cart)

        def checkout(cart):
            logger.debug("cart %s", describe(cart))
            logger.debug("cart %s", remember(cart))
            return len(cart)
        ''')
    calls = {c["line"]: c for c in helper.logcalls({"source": source, "function": "checkout"})["calls"]}
    assert calls[13]["eager"] and calls[13]["impurity"] is None
    assert "remember()" in calls[14]["impurity"]


def test_a_regex_compiled_in_a_loop_is_offered_as_regex_hoist_not_memoize():
    source = textwrap.dedent('''\
        import re

        def normalize(names):
            out = []
            for n in names:
                out.append(re.sub(r"\\s+", " ", n).strip())
            return out

        def area(r):
            return 3.14159 * r * r

        def main(batches, radii):
            return [normalize(b) for b in batches] + [area(r) for r in radii]
        ''')
    request = {"files": [{"path": "m.py", "source": source, "functions": ["normalize", "area"]}],
               "callers": [{"path": "m.py", "source": source}]}
    found = helper.scan(request)["files"]["m.py"]
    assert [f["pattern"] for f in found["normalize"]] == ["regex-compile"]
    assert [f["pattern"] for f in found["area"]] == ["memoize"]


def test_the_process_answers_a_parse_failure_as_helper_error():
    answer = run("logcalls", {"source": "def f(:\n", "function": "f"})
    assert answer["helper_error"].startswith("line 1")


def test_the_embedded_copy_matches_this_file():
    root = os.path.join(os.path.dirname(__file__), "..", "..")
    check = subprocess.run([sys.executable, os.path.join(root, "scripts", "generate-python-helper.py"), "--check"],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


MEMBERSHIP = textwrap.dedent('''\
    NAMES = ["a", "b", "c", "d"]
    PAIRS = [("a", 1), ("b", 2)]
    GROWN = ["x", "y"]
    SORTED = ["q", "p"]
    PASSED = ["m", "n"]
    REBOUND = ["r"]


    def grow(v):
        GROWN[0] = v


    def order():
        SORTED.sort()


    def give():
        register(PASSED)
        return len(PASSED)


    def rebind():
        global REBOUND
        REBOUND = []


    def hot(rows, local):
        n = 0
        for r in rows:
            n += r in NAMES
            n += r in PAIRS
            n += r in GROWN
            n += r in SORTED
            n += r in PASSED
            n += r in REBOUND
            n += r in local
            n += r not in ["u", "v"]
            n += {r: 1} in [1, 2]
        return n
    ''')


def test_membership_sites_and_refusals():
    answer = helper.membership({"source": MEMBERSHIP, "function": "hot"})
    sites = {(s["kind"], s["name"] or s["replacement"]) for s in answer["sites"]}
    assert sites == {("constant", "NAMES"), ("literal", '{"u", "v"}')}
    reasons = {r["test"]: r["reason"] for r in answer["refused"]}
    assert "not one list or tuple of constants" in reasons["r in PAIRS"]
    assert "may change at line 10" in reasons["r in GROWN"]
    assert "may change at line 14" in reasons["r in SORTED"]
    assert "may change at line 18" in reasons["r in PASSED"]
    assert "may change at line" in reasons["r in REBOUND"]
    assert "a set cannot hold" in reasons["{r: 1} in [1, 2]"]
    # A parameter is not the module's constant, whatever its name: nothing is said about it.
    assert not any("local" in s["test"] for s in answer["sites"] + answer["refused"])


def test_membership_outside_loops_is_left_alone():
    source = 'NAMES = ["a", "b"]\n\n\ndef f(x):\n    return x in NAMES\n'
    answer = helper.membership({"source": source, "function": "f"})
    assert answer["sites"] == [] and answer["refused"] == []


LOOKUPS = textwrap.dedent('''\
    TABLE = {"a": 1}
    OTHER = make_table()


    def f(rows, given):
        local = {}
        n = 0
        for r in rows:
            try:
                a = TABLE[r]
            except KeyError:
                a = 0
            try:
                b = local[r]
            except KeyError:
                b = []
            try:
                c = given[r]
            except KeyError:
                c = 0
            try:
                d = OTHER[r]
            except KeyError:
                d = 0
            try:
                e = TABLE[r]
            except (KeyError, IndexError):
                e = 0
            try:
                g = TABLE[r]
            except KeyError:
                g = compute(r)
            n += a
        return n
    ''')


def test_dictget_sites_and_refusals():
    answer = helper.dictget({"source": LOOKUPS, "function": "f"})
    assert [(s["line"], s["replacement"], s["provenance"]) for s in answer["sites"]] == [
        (9, "a = TABLE.get(r, 0)", "module"), (13, "b = local.get(r, [])", "local")]
    reasons = {r["line"]: r["reason"] for r in answer["refused"]}
    assert "`given` is a parameter" in reasons[17]
    assert "not a module-level dict display" in reasons[21]
    assert "only `X = D[K]`" in reasons[25]
    assert "computed on every lookup" in reasons[29]


STRINGS = textwrap.dedent('''\
    def export(rows):
        out = ""
        for row in rows:
            out += row["sku"]
            out = out + ","
        return out


    def table(rows):
        text = ""
        for row in rows:
            for cell in row:
                text += cell
        return text


    def wrap(words):
        line = ""
        for w in words:
            if line.endswith("."):
                line += " "
            line += w
        return line


    def unpacked(items):
        out, n = "", 0
        for i in items:
            out += i
        return out


    def counted(n):
        total = 0
        for i in range(n):
            total += i
        return total
    ''')


def test_strjoin_sites_and_refusals():
    def ask(name):
        return helper.strjoin({"source": STRINGS, "function": name})
    export = ask("export")["loops"]
    assert [(l["name"], l["parts"], l["init"]["replacement"]) for l in export] == [("out", "out_parts", "out_parts = []")]
    assert [s["replacement"] for s in export[0]["sites"]] == ['out_parts.append(row["sku"])', 'out_parts.append(",")']
    # Only the outermost loop is rewritten; the inner loop's pieces belong to it.
    assert [(l["line"], [s["line"] for s in l["sites"]]) for l in ask("table")["loops"]] == [(11, [13])]
    wrap = ask("wrap")
    assert wrap["loops"] == [] and "reads the partial string" in wrap["refused"][0]["reason"]
    # A tuple-unpacking binding is not a proof that the name is a str; a number never is.
    assert "not certainly a str" in ask("unpacked")["refused"][0]["reason"]
    # Arithmetic is not string building: neither an opportunity nor a near miss.
    assert ask("counted")["loops"] == [] and ask("counted")["refused"] == []


def test_the_scan_lists_string_concat_sites_and_blocked_ones():
    found = helper.scan({"files": [{"path": "s.py", "source": STRINGS, "functions": ["export", "wrap"]}]})["files"]["s.py"]
    assert [(f["pattern"], f.get("blocked") is None) for f in found["export"]] == [("string-concat", True)]
    assert [(f["pattern"], "reads" in f.get("blocked", "")) for f in found["wrap"]] == [("string-concat", True)]


COLLECTIONS = textwrap.dedent('''\
    def bands(parcels, limits, config):
        out = []
        for parcel in parcels:
            ordered = sorted(limits)
            top = max(config["tiers"])
            n = len(limits)
            nearest = min(ordered, key=abs)
            out.append((ordered, top, n, nearest, sum(parcel.items)))
        return out


    def fresh(scans, seen):
        for scan in scans:
            if scan in sorted(seen):
                continue
            seen.append(scan)
    ''')


def test_invariant_whole_collection_builtins():
    found = helper.invariants({"source": COLLECTIONS, "function": "bands"})
    hoists = [(h["expression"], h["kind"], h["name"]) for loop in found["loops"] for h in loop["hoists"]]
    # len is O(1), a key function could run any code, and the loop variable changes every iteration.
    assert hoists == [("sorted(limits)", "collection", "sorted_limits"), ('max(config["tiers"])', "collection", "max_tiers")]
    assert found["refused"] == []
    fresh = helper.invariants({"source": COLLECTIONS, "function": "fresh"})
    assert fresh["loops"] == []
    assert [(r["expression"], "`seen` may change in the loop" in r["reason"]) for r in fresh["refused"]] == [("sorted(seen)", True)]
    listed = helper.scan({"files": [{"path": "c.py", "source": COLLECTIONS, "functions": ["fresh"]}]})["files"]["c.py"]["fresh"]
    assert [(f["pattern"], "may change" in f.get("blocked", "")) for f in listed] == [("loop-invariant", True)]


PARSES = textwrap.dedent('''\
    import json
    import ipaddress
    from datetime import datetime as dt


    def check(order, text):
        cutoff = dt.strptime("2024-03-01", "%Y-%m-%d")
        net = ipaddress.ip_network("10.0.0.0/8")
        when = dt.strptime(text, "%Y")
        month = dt.strptime("Mar", "%b")
        allowed = json.loads('["a", "b"]')
        shared = json.loads('{"n": 1}')
        shared["n"] += 1
        return order["at"] > cutoff and order["ip"] in net and order["kind"] in allowed, when, month, shared
    ''')


def test_constparse_sites_refusals_and_dynamic():
    found = helper.constparse({"source": PARSES, "function": "check"})
    assert [(s["parser"], s["target"]) for s in found["sites"]] == [
        ("datetime.datetime.strptime", "cutoff"), ("ipaddress.ip_network", "net"), ("json.loads", "allowed")]
    assert [(r["line"], r["reason"].split(" ")[0]) for r in found["refused"]] == [(10, "the"), (12, "json.loads")]
    assert [r["line"] for r in found["dynamic"]] == [9]
    listed = helper.scan({"files": [{"path": "p.py", "source": PARSES, "functions": ["check"]}]})["files"]["p.py"]["check"]
    parses = [(f["line"], f.get("blocked") is not None) for f in listed if f["pattern"] == "constant-parse"]
    # Run-time arguments are not an opportunity at all; near misses are listed as blocked.
    assert parses == [(7, False), (10, True), (12, True)]
    assert [f["lines"] for f in listed if f["pattern"] == "constant-parse"][0] == [[7, 7], [8, 8], [11, 11]]
