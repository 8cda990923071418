import unittest

from orders.limits import limits_for


class LimitsTest(unittest.TestCase):
    def test_priority_does_not_leak(self):
        self.assertEqual(limits_for({"priority": True})["items"], 40)
        self.assertEqual(limits_for({})["items"], 20)
        self.assertEqual(limits_for({"priority": True})["items"], 40)
