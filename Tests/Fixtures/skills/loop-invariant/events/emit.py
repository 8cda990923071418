"""Formats events for the downstream queue."""
import json


def encode(events, config):
    lines = []
    for event in events:
        header = json.dumps(config["headers"], sort_keys=True)
        limit = config["limits"]["batch"]["max_bytes"]
        lines.append(f"{header}|{event['id']}|{min(event['size'], limit)}")
    return lines
