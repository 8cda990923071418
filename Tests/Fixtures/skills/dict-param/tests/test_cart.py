import collections
import unittest

from pricing.cart import total


class CartTest(unittest.TestCase):
    def test_plain(self):
        self.assertEqual(total([{"sku": "a", "qty": 2}, {"sku": "b", "qty": 1}], {"a": 5}), 10)

    def test_house_price(self):
        book = collections.defaultdict(lambda: 7, {"a": 5})
        self.assertEqual(total([{"sku": "a", "qty": 2}, {"sku": "b", "qty": 1}], book), 17)
