"""Response codes seen by the edge, classified per request."""

KNOWN_CODES = [
    "ok", "created", "accepted", "no-content", "moved", "found", "not-modified", "redirect", "bad-request",
    "unauthorized", "payment-required", "forbidden", "not-found", "not-allowed", "not-acceptable", "timeout",
    "conflict", "gone", "length-required", "precondition-failed", "too-large", "uri-too-long", "unsupported-media",
    "range-not-satisfiable", "expectation-failed", "teapot", "misdirected", "unprocessable", "locked",
    "failed-dependency", "too-early", "upgrade-required", "precondition-required", "too-many-requests",
    "header-too-large", "legal-reasons", "internal-error", "not-implemented", "bad-gateway", "unavailable",
]


def count_known(rows):
    """How many rows carry a known code, and how many of those are errors the client caused."""
    known = client = 0
    for row in rows:
        if row["code"] in KNOWN_CODES:
            known += 1
            if row["code"] not in ("ok", "created", "accepted", "no-content", "moved", "found"):
                client += 1
    return known, client
