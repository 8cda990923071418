import types
import unittest

from report.totals import totals


class TotalsTest(unittest.TestCase):
    def test_totals(self):
        settings = types.SimpleNamespace(scale=types.SimpleNamespace(factor=2))
        self.assertEqual(totals([1, 2], settings), 6 + 800)
