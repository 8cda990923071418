import unittest

from quotes import fx


class FxTest(unittest.TestCase):
    def test_refresh_changes_the_answer(self):
        fx.refresh_rates({"EUR": 1.0})
        self.assertEqual(fx.to_usd(1000, "EUR"), 10.0)
        fx.refresh_rates({"EUR": 2.0})
        self.assertEqual(fx.to_usd(1000, "EUR"), 20.0)
