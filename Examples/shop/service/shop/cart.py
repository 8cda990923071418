"""Shopping carts."""


class Cart:
    """A customer's cart: SKU -> quantity, with product snapshots."""

    def __init__(self, customer_id):
        self.customer_id = customer_id
        self._items = {}

    def add(self, product, qty=1):
        """Add qty of a product (a catalog record)."""
        if qty <= 0:
            raise ValueError("quantity must be positive")
        entry = self._items.get(product["sku"])
        if entry is None:
            self._items[product["sku"]] = {"product": product, "qty": qty}
        else:
            entry["qty"] += qty

    def remove(self, sku):
        """Remove a SKU from the cart."""
        del self._items[sku]

    def item_count(self):
        """Total number of units in the cart."""
        return sum(entry["qty"] for entry in self._items.values())

    def lines(self):
        """Priced lines: one dict per SKU."""
        result = []
        for sku, entry in self._items.items():
            product = entry["product"]
            result.append({
                "sku": sku,
                "name": product["name"],
                "category": product["category"],
                "unit_cents": product["price_cents"],
                "qty": entry["qty"],
                "weight_g": product["weight_g"],
            })
        return result


def merge_carts(into, other):
    """Move every line of other into into (used when a guest logs in)."""
    for entry in other._items.values():
        into.add(entry["product"], entry["qty"])
    return into
