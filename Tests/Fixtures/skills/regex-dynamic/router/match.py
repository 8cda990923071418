"""Matches request paths against a tenant's prefix."""
import re


def route(path, prefix):
    match = re.match(re.escape(prefix) + r"/(\w+)/(\d+)$", path)
    return (match.group(1), int(match.group(2))) if match else None
