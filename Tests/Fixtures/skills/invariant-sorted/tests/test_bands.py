import unittest

from shipping.bands import bands


class BandsTest(unittest.TestCase):
    def test_bands(self):
        self.assertEqual(bands([{"grams": 5}, {"grams": 150}, {"grams": 999}], [500, 100, 10]), [0, 2, 3])

    def test_limits_unchanged(self):
        limits = [3, 1, 2]
        bands([{"grams": 2}], limits)
        self.assertEqual(limits, [3, 1, 2])

    def test_no_parcels(self):
        self.assertEqual(bands([], [1]), [])
