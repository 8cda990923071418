import unittest

from zones.shipping import ZONES, quote, zone_for


class ShippingTest(unittest.TestCase):
    def test_deterministic(self):
        self.assertEqual(zone_for("AB1 2CD", 3), zone_for("AB1 2CD", 3))
        self.assertIn(zone_for("90210", 1), ZONES)

    def test_quote(self):
        self.assertEqual([z for _, z in quote([(1, "90210", 1), (2, "90210", 1)])], [zone_for("90210", 1)] * 2)
