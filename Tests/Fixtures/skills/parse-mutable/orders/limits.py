"""Per-order limits: the defaults, raised for priority orders."""
import json


def limits_for(order):
    """The order's limits; priority orders get twice the item limit."""
    limits = json.loads('{"items": 20, "weight_kg": 30, "boxes": 4}')
    if order.get("priority"):
        limits["items"] *= 2
    return limits
