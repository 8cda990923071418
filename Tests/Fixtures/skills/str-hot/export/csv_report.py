"""A CSV export of order lines, built field by field."""


def export(rows):
    """One `sku,qty,price` line per row, prices in cents, with a trailing newline."""
    out = ""
    for row in rows:
        out += row["sku"]
        out += ","
        out += str(row["qty"])
        out += ","
        out += str(row["price"])
        out += "\n"
    return out
