import unittest

from router.match import route


class RouteTest(unittest.TestCase):
    def test_route(self):
        self.assertEqual(route("/t1/orders/9", "/t1"), ("orders", 9))
        self.assertIsNone(route("/t2/orders/9", "/t1"))
