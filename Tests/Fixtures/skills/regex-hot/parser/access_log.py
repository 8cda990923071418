"""Parses access-log lines."""
import re


def parse_line(line):
    match = re.match(r"(\S+) \[([^\]]+)\] \"(GET|POST|PUT|DELETE) ([^ \"]+)\" (\d{3}) (\d+)", line)
    if match is None:
        return None
    path = re.sub(r"/\d+", "/:id", match.group(4))
    slow = re.search(r"timeout|retry", line, re.IGNORECASE) is not None
    return {"ip": match.group(1), "method": match.group(3), "path": path, "status": int(match.group(5)),
            "bytes": int(match.group(6)), "slow": slow}


def parse(lines):
    return [entry for entry in map(parse_line, lines) if entry is not None]
