import unittest

from meter.billing import Meter


class BillingTest(unittest.TestCase):
    def test_new_tariff_applies(self):
        meter = Meter(3)
        self.assertEqual(meter.charge(10), 30)
        meter.set_tariff(5)
        self.assertEqual(meter.charge(10), 50)
