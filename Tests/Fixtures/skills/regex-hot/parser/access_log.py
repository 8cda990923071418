"""Parses access-log lines: `IP [TIME] "METHOD PATH" STATUS BYTES [NOTE]`."""
import re


def parse_line(line):
    parts = line.split(" ")
    if len(parts) < 6:
        return None
    ip, stamp, method, path, status, size = parts[0], parts[1], parts[2].strip('"'), parts[3].strip('"'), parts[4], parts[5]
    if not re.fullmatch(r"\d{1,3}(?:\.\d{1,3}){3}", ip):
        return None
    if not re.match(r"\[[^\]]+\]", stamp):
        return None
    if not re.fullmatch(r"GET|POST|PUT|DELETE", method):
        return None
    if not (re.fullmatch(r"\d{3}", status) and re.fullmatch(r"\d+", size)):
        return None
    ids = [int(part) for part in re.findall(r"\d+", path)]
    template = re.sub(r"/\d+", "/:id", path)
    slow = re.search(r"timeout|retry", line, re.IGNORECASE) is not None
    return {"ip": ip, "method": method, "path": template, "ids": ids, "status": int(status), "bytes": int(size),
            "slow": slow}


def parse(lines):
    return [entry for entry in map(parse_line, lines) if entry is not None]
