import unittest

from codes.status import KNOWN_CODES, count_known


class StatusTest(unittest.TestCase):
    def test_counts(self):
        rows = [{"code": "ok"}, {"code": "gone"}, {"code": "weird"}, {"code": "unavailable"}, {"code": "found"}]
        self.assertEqual(count_known(rows), (4, 2))

    def test_every_known_code(self):
        self.assertEqual(count_known([{"code": c} for c in KNOWN_CODES])[0], len(KNOWN_CODES))

    def test_empty(self):
        self.assertEqual(count_known([]), (0, 0))
