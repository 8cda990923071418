"""Pricing: line subtotals, discount rules, tax and display formatting."""
import logging

logger = logging.getLogger(__name__)

DEFAULT_RULES = [
    {"id": "BOOKS10", "kind": "percent", "category": "books", "percent": 10, "min_qty": 1},
    {"id": "GAMES15", "kind": "percent", "category": "games", "percent": 15, "min_qty": 2},
    {"id": "GARDEN5", "kind": "percent", "category": "garden", "percent": 5, "min_qty": 1},
    {"id": "BULK3", "kind": "percent", "category": None, "percent": 3, "min_qty": 4},
    {"id": "TOYS2", "kind": "fixed", "category": "toys", "amount_cents": 200, "min_qty": 1},
    {"id": "KITCHEN", "kind": "fixed", "category": "kitchen", "amount_cents": 150, "min_qty": 2},
    {"id": "MUSIC", "kind": "percent", "category": "music", "percent": 8, "min_qty": 1},
    {"id": "TOOLS", "kind": "fixed", "category": "tools", "amount_cents": 500, "min_qty": 3},
]

TAX_RATES = {"CA": 0.0725, "OR": 0.0, "TX": 0.0625}


def line_subtotal(line):
    """Price of one cart line before discounts, in cents."""
    return line["unit_cents"] * line["qty"]


def rule_applies(rule, line):
    """Whether a discount rule covers a line."""
    if rule["category"] is not None and rule["category"] != line["category"]:
        return False
    return line["qty"] >= rule["min_qty"]


def discount_for(rule, line):
    """Discount in cents that one rule gives one line."""
    if rule["kind"] == "percent":
        return line_subtotal(line) * rule["percent"] // 100
    return min(rule["amount_cents"] * line["qty"], line_subtotal(line))


def apply_discounts(lines, rules):
    """Best discount per line; returns (total_cents, [(sku, cents), ...])."""
    total = 0
    breakdown = []
    for line in lines:
        best = 0
        for rule in rules:
            if not rule_applies(rule, line):
                continue
            amount = discount_for(rule, line)
            if amount > best:
                best = amount
        breakdown.append((line["sku"], best))
        total += best
    return total, breakdown


def compute_tax(amount_cents, region):
    """Sales tax in cents for a region (unknown regions pay none)."""
    rate = TAX_RATES.get(region, 0.0)
    return int(round(amount_cents * rate))


def format_price(cents):
    """Human display of an amount in cents."""
    return f"${cents / 100:,.2f}"


def price_cart(lines, region, rules=DEFAULT_RULES):
    """Full price breakdown for a list of cart lines."""
    subtotal = sum(line_subtotal(line) for line in lines)
    discount, breakdown = apply_discounts(lines, rules)
    tax = compute_tax(subtotal - discount, region)
    total = subtotal - discount + tax
    return {
        "subtotal": subtotal,
        "discount": discount,
        "tax": tax,
        "total": total,
        "display": format_price(total),
        "breakdown": breakdown,
    }
