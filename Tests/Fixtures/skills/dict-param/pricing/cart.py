"""Cart totals against a price book the caller passes (a plain dict, or a defaultdict with a house price)."""


def total(lines, prices):
    cents = 0
    for line in lines:
        try:
            price = prices[line["sku"]]
        except KeyError:
            price = 0
        cents += price * line["qty"]
    return cents
