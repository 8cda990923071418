"""Shipping quotes by weight and region."""

ZONE_BY_REGION = {"CA": 1, "OR": 1, "TX": 2}
FREE_SHIPPING_CENTS = 5000


def parcel_weight(lines):
    """Total weight of the lines in grams."""
    return sum(line["weight_g"] * line["qty"] for line in lines)


def shipping_quote(lines, region, subtotal_cents):
    """Shipping cost in cents."""
    if subtotal_cents >= FREE_SHIPPING_CENTS:
        return 0
    zone = ZONE_BY_REGION.get(region, 3)
    kilos = max(1, parcel_weight(lines) // 1000)
    return 299 + 120 * zone * kilos
