"""Parses access-log lines."""
import re


def parse_line(line):
    match = re.match(r"(\S+) \[([^\]]+)\] \"(GET|POST|PUT|DELETE) ([^ \"]+)\" (\d{3}) (\d+)", line)
    if match is None:
        return None
    ip = match.group(1)
    if not re.fullmatch(r"\d{1,3}(?:\.\d{1,3}){3}", ip):
        return None
    path = re.sub(r"/\d+", "/:id", match.group(4))
    ids = [int(part) for part in re.findall(r"\d+", match.group(4))]
    method = match.group(3)
    if re.match(r"PUT|DELETE", method):
        method = method.lower()
    slow = re.search(r"timeout|retry", line, re.IGNORECASE) is not None
    return {"ip": ip, "method": method, "path": path, "ids": ids, "status": int(match.group(5)),
            "bytes": int(match.group(6)), "slow": slow}


def parse(lines):
    return [entry for entry in map(parse_line, lines) if entry is not None]
