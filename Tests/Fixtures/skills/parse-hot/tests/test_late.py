import unittest
from datetime import datetime

from orders.late import is_late


class LateTest(unittest.TestCase):
    def test_after_cutoff(self):
        self.assertTrue(is_late({"placed": datetime(2024, 3, 2), "ip": "192.0.2.1"}))

    def test_before_cutoff(self):
        self.assertFalse(is_late({"placed": datetime(2024, 2, 2), "ip": "192.0.2.1"}))

    def test_blocked_network(self):
        self.assertTrue(is_late({"placed": datetime(2024, 2, 2), "ip": "10.20.3.4"}))
