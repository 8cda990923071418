import unittest

from shop.pricing import DEFAULT_RULES, apply_discounts, compute_tax, format_price, price_cart


def line(sku="SKU-1", category="books", unit=1000, qty=1):
    return {"sku": sku, "name": "x", "category": category, "unit_cents": unit, "qty": qty, "weight_g": 100}


class PricingTests(unittest.TestCase):
    def test_best_rule_wins_per_line(self):
        total, breakdown = apply_discounts([line(category="books", qty=4)], DEFAULT_RULES)
        # BOOKS10 (10% of 4000) beats BULK3 (3%).
        self.assertEqual(total, 400)
        self.assertEqual(breakdown, [("SKU-1", 400)])

    def test_fixed_rule_is_capped_by_subtotal(self):
        total, _ = apply_discounts([line(category="toys", unit=100, qty=1)], DEFAULT_RULES)
        self.assertEqual(total, 100)

    def test_min_qty_is_respected(self):
        total, _ = apply_discounts([line(category="games", qty=1)], DEFAULT_RULES)
        self.assertEqual(total, 0)

    def test_tax_by_region(self):
        self.assertEqual(compute_tax(10000, "CA"), 725)
        self.assertEqual(compute_tax(10000, "XX"), 0)

    def test_format_price(self):
        self.assertEqual(format_price(123456), "$1,234.56")

    def test_price_cart_totals(self):
        price = price_cart([line(category="books", qty=2), line(sku="SKU-2", category="garden", qty=1)], "TX")
        self.assertEqual(price["subtotal"], 3000)
        self.assertEqual(price["discount"], 250)
        self.assertEqual(price["tax"], 172)
        self.assertEqual(price["total"], 2922)
        self.assertEqual(price["display"], "$29.22")


if __name__ == "__main__":
    unittest.main()
