"""Small helpers that look like string building but are not the same shape."""


def join_names(acc, names):
    """Appends names to `acc`, which callers pass as a list or a string (a near miss: a parameter)."""
    for name in names:
        acc += name
    return acc


def count_cents(rows):
    """Numeric accumulation (not a string: must not be filed)."""
    total = 0
    for row in rows:
        total += row["cents"]
    return total


def title(name):
    """One concatenation, no loop (must not be filed)."""
    text = "Account: "
    text += name
    return text


def ordered_codes(rows, codes):
    """Another pattern entirely (sorted per iteration): must not be filed by a str-join sweep."""
    out = []
    for row in rows:
        out.append(sorted(codes).index(row["code"]))
    return out
