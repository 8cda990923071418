"""Cart totals: most lines are promotional SKUs without a list price."""

PRICES = {f"sku-{i}": 100 + i for i in range(0, 5000, 10)}


def total(lines):
    """Cents for the priced lines; unpriced SKUs count nothing, and how many there were."""
    cents = unpriced = 0
    for line in lines:
        try:
            price = PRICES[line["sku"]]
        except KeyError:
            price = 0
        if not price:
            unpriced += 1
        cents += price * line["qty"]
    return cents, unpriced
