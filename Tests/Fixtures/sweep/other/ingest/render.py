"""Event rendering in another service's repository."""


def render(events):
    """A look-alike in a second registered repository."""
    body = ""
    for event in events:
        body += f"{event['at']} {event['kind']}"
        body += "\n"
    return body
