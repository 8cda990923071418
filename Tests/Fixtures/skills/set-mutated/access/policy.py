"""Which roles may call an endpoint; operators can grant more at run time."""

ALLOWED_ROLES = ["reader", "writer", "admin", "auditor", "support", "billing", "ops", "owner"]


def grant(role):
    ALLOWED_ROLES.append(role)


def allowed(requests):
    """The requests whose role is allowed now."""
    out = []
    for request in requests:
        if request["role"] in ALLOWED_ROLES:
            out.append(request)
    return out
