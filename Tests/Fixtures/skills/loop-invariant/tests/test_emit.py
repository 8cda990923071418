import unittest

from events.emit import encode

CONFIG = {"headers": {"b": 2, "a": 1}, "limits": {"batch": {"max_bytes": 100}}}


class EmitTest(unittest.TestCase):
    def test_encode(self):
        self.assertEqual(encode([{"id": 7, "size": 250}], CONFIG), ['{"a": 1, "b": 2}|7|100'])

    def test_empty(self):
        self.assertEqual(encode([], CONFIG), [])
