"""Checks a SARIF 2.1.0 log written by `headroom export sarif`.

1. The structure, with `jsonschema`, against Tests/sarif/sarif-2.1.0-structure.schema.json (our own statement of the
   specification's required properties and value rules; the OASIS schema is not redistributable under its licence).
2. What a schema cannot say: rule indexes agree with rule ids, regions are ordered, every uriBaseId is defined and
   ends with a slash (SARIF 3.14.14), and what GitHub code scanning needs (a location and fingerprints per result).
3. The fixes: each artifact change, applied to the file under SRCROOT, yields the expected text.

usage: validate_sarif.py LOG [--expect URI=FILE ...]   prints one JSON line; exit 1 with the reason on failure
"""
import json
import os
import sys
from urllib.parse import unquote, urlparse

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))


def offset(text, line, column):
    """Index into `text` of a 1-based line and 1-based UTF-16 column."""
    lines = text.splitlines(keepends=True)
    start = sum(len(lines[i]) for i in range(min(line - 1, len(lines))))
    if line - 1 >= len(lines):
        return len(text)
    units = 0
    index = start
    while units < column - 1 and index < len(text):
        units += 2 if ord(text[index]) > 0xFFFF else 1
        index += 1
    return index


def apply(text, replacements):
    spans = []
    for r in replacements:
        d = r["deletedRegion"]
        a = offset(text, d["startLine"], d.get("startColumn", 1))
        b = offset(text, d.get("endLine", d["startLine"]), d.get("endColumn", 1))
        spans.append((a, b, r.get("insertedContent", {}).get("text", "")))
    for a, b, inserted in sorted(spans, reverse=True):
        text = text[:a] + inserted + text[b:]
    return text


def main():
    path = sys.argv[1]
    expected = {}
    args = sys.argv[2:]
    while args:
        flag, value = args[0], args[1]
        assert flag == "--expect", flag
        uri, file = value.split("=", 1)
        expected[uri] = open(file, encoding="utf-8").read()
        args = args[2:]
    log = json.load(open(path, encoding="utf-8"))
    schema = json.load(open(os.path.join(HERE, "sarif-2.1.0-structure.schema.json"), encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        sys.exit("schema: %s at %s (%d errors)" % (first.message, "/".join(map(str, first.path)), len(errors)))
    results = fixes = 0
    for run in log["runs"]:
        rules = run["tool"]["driver"].get("rules", [])
        ids = [r["id"] for r in rules]
        assert len(ids) == len(set(ids)), "duplicate rule ids"
        bases = run.get("originalUriBaseIds", {})
        for name, base in bases.items():
            assert base["uri"].endswith("/"), "base %s must end with a slash" % name
        for result in run.get("results", []):
            results += 1
            index = result.get("ruleIndex", -1)
            assert 0 <= index < len(rules) and rules[index]["id"] == result["ruleId"], "ruleIndex/ruleId disagree"
            assert result.get("locations"), "code scanning needs a location"
            assert result.get("partialFingerprints"), "code scanning needs fingerprints"
            for location in result["locations"] + result.get("relatedLocations", []):
                physical = location["physicalLocation"]
                region = physical.get("region", {})
                assert region.get("endLine", region["startLine"]) >= region["startLine"], "region ends before it starts"
                base = physical["artifactLocation"].get("uriBaseId")
                assert base is None or base in bases, "undefined uriBaseId %s" % base
            for fix in result.get("fixes", []):
                for change in fix["artifactChanges"]:
                    location = change["artifactLocation"]
                    root = unquote(urlparse(bases[location["uriBaseId"]]["uri"]).path)
                    source = open(os.path.join(root, unquote(location["uri"])), encoding="utf-8").read()
                    patched = apply(source, change["replacements"])
                    want = expected.get(location["uri"])
                    assert want is not None, "unexpected fix for %s" % location["uri"]
                    assert patched == want, "fix for %s does not yield the expected file" % location["uri"]
                    fixes += 1
    print(json.dumps({"ok": True, "results": results, "fixes": fixes}))


if __name__ == "__main__":
    try:
        main()
    except AssertionError as failure:
        sys.exit("sarif: %s" % failure)
