import unittest

from scoring.model import rank, score


class ModelTest(unittest.TestCase):
    def test_score(self):
        self.assertEqual(score([1, 2], [3, 4]), 11)

    def test_rank(self):
        self.assertEqual(rank([[0, 0, 0], [1, 1, 1]])[0], [1, 1, 1])
