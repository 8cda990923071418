import json
import unittest

from shop.handlers import App, handle_request


class HandlerTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.app = App(size=64)

    def test_search_finds_products(self):
        status, body = handle_request(self.app, "GET", "/search?q=lamp")
        self.assertEqual(status, 200)
        self.assertTrue(all("lamp" in self.app.catalog.get(s)["name"] for s in json.loads(body)["hits"]))

    def test_checkout_reserves_and_totals(self):
        body = json.dumps({"customer": "c1", "region": "CA", "items": [{"sku": "SKU-00001", "qty": 2}]})
        status, payload = handle_request(self.app, "POST", "/checkout", body)
        order = json.loads(payload)
        self.assertEqual(status, 200)
        self.assertEqual(order["items"], 2)
        self.assertGreater(order["total"], 0)

    def test_unknown_sku_is_rejected(self):
        body = json.dumps({"customer": "c1", "items": [{"sku": "NOPE", "qty": 1}]})
        status, _ = handle_request(self.app, "POST", "/checkout", body)
        self.assertEqual(status, 400)

    def test_unknown_route(self):
        self.assertEqual(handle_request(self.app, "GET", "/nope")[0], 404)

    def test_category_page(self):
        status, body = handle_request(self.app, "GET", "/category/books?page=0")
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["category"], "books")


if __name__ == "__main__":
    unittest.main()
