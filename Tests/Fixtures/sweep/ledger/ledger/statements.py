"""Statements: text built from ledger entries."""


def statement_lines(entries):
    """One `date amount memo` line per entry (a look-alike: safe to build with a list and one join)."""
    out = ""
    for entry in entries:
        out += entry["date"]
        out += " "
        out += str(entry["cents"])
        out += "\n"
    return out


def receipt(orders):
    """Items of each order on one line, orders separated by blank lines (a look-alike, nested loops)."""
    text = "RECEIPT\n"
    for order in orders:
        for item in order["items"]:
            text = text + item + ";"
        text += "\n\n"
    return text


def padded(rows, width=60):
    """Rows joined with a line break whenever the line would pass `width` (a near miss: the loop reads the text)."""
    line = ""
    for row in rows:
        if len(line) + len(row) > width:
            line += "\n"
        line += row
    return line
