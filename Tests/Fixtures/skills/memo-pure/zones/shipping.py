"""Shipping zones: a deterministic (and slow) hash of the postcode picks the zone."""

ZONES = ("north", "south", "east", "west", "islands")


def zone_for(postcode, weight_class):
    digits = "".join(ch for ch in postcode if ch.isdigit()) or "0"
    h = weight_class
    for i in range(1500):
        h = (h * 31 + ord(digits[i % len(digits)])) % 1000003
    return ZONES[h % len(ZONES)]


def quote(orders):
    return [(order_id, zone_for(postcode, weight)) for order_id, postcode, weight in orders]
