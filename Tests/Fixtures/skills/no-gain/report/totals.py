"""Report totals: the loop runs over a handful of rows; the cost is in the sort."""


def totals(rows, settings):
    ordered = sorted(rows * 400)
    total = 0
    for row in rows:
        total += row * settings.scale.factor
    return total + len(ordered)
