import unittest

from shop.catalog import Catalog, build_products, normalize_query
from shop.inventory import Inventory, OutOfStock


class CatalogTests(unittest.TestCase):
    def test_products_are_deterministic(self):
        self.assertEqual(build_products(10), build_products(10))

    def test_normalize_query(self):
        self.assertEqual(normalize_query(" Red-Lamp  "), ["red", "lamp"])

    def test_pages(self):
        catalog = Catalog(build_products(80))
        self.assertEqual(len(catalog.by_category("books", 0, per_page=5)), 5)

    def test_reservation_is_all_or_nothing(self):
        inventory = Inventory(["A", "B"], level=1)
        before = inventory.available("A")
        with self.assertRaises(OutOfStock):
            inventory.reserve([{"sku": "A", "qty": 1}, {"sku": "B", "qty": 10**6}])
        self.assertEqual(inventory.available("A"), before)


if __name__ == "__main__":
    unittest.main()
