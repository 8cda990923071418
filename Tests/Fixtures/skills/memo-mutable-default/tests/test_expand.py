import unittest

from tags.expand import canonical


class ExpandTest(unittest.TestCase):
    def test_synonym(self):
        self.assertEqual(canonical("PY"), "python")
        self.assertEqual(canonical("rust"), "rust")
