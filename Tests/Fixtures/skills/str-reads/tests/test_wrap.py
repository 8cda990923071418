import unittest

from export.wrap import wrap


class WrapTest(unittest.TestCase):
    def test_wraps(self):
        self.assertEqual(wrap(["aaaa", "bbbb", "cccc"], width=9), "aaaa bbbb\ncccc")

    def test_sentence_end(self):
        self.assertEqual(wrap(["Done.", "Next"], width=40), "Done.  Next")
