import unittest

from export.csv_report import export


class ExportTest(unittest.TestCase):
    def test_lines(self):
        rows = [{"sku": "a-1", "qty": 2, "price": 150}, {"sku": "b-2", "qty": 1, "price": 99}]
        self.assertEqual(export(rows), "a-1,2,150\nb-2,1,99\n")

    def test_empty(self):
        self.assertEqual(export([]), "")

    def test_not_a_string_is_an_error(self):
        with self.assertRaises(TypeError):
            export([{"sku": 7, "qty": 1, "price": 1}])
