import unittest

from pricing.cart import PRICES, total


class CartTest(unittest.TestCase):
    def test_total(self):
        self.assertEqual(total([{"sku": "sku-10", "qty": 2}, {"sku": "sku-11", "qty": 5}]), (2 * PRICES["sku-10"], 1))

    def test_empty(self):
        self.assertEqual(total([]), (0, 0))
