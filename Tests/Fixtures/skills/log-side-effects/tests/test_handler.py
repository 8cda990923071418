import unittest

from audit import handler


class HandlerTest(unittest.TestCase):
    def test_trail_is_kept_even_when_debug_is_off(self):
        before = len(handler.TRAIL)
        self.assertEqual(handler.handle({"id": "e1", "amount": 4}), 8)
        self.assertEqual(len(handler.TRAIL), before + 1)
