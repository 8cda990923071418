import unittest

from shop.cart import Cart, merge_carts

PRODUCT = {"sku": "SKU-9", "name": "red lamp", "category": "tools", "price_cents": 999, "weight_g": 500, "tags": []}


class CartTests(unittest.TestCase):
    def test_add_accumulates(self):
        cart = Cart("c1")
        cart.add(PRODUCT, 2)
        cart.add(PRODUCT, 3)
        self.assertEqual(cart.item_count(), 5)
        self.assertEqual(cart.lines()[0]["qty"], 5)

    def test_add_rejects_non_positive(self):
        with self.assertRaises(ValueError):
            Cart("c1").add(PRODUCT, 0)

    def test_merge(self):
        a, b = Cart("a"), Cart("b")
        a.add(PRODUCT, 1)
        b.add(PRODUCT, 2)
        self.assertEqual(merge_carts(a, b).item_count(), 3)


if __name__ == "__main__":
    unittest.main()
