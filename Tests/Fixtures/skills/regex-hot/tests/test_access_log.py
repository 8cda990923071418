import unittest

from parser.access_log import parse, parse_line


class AccessLogTest(unittest.TestCase):
    def test_line(self):
        entry = parse_line('10.0.0.1 [21/Nov/2026:10:00:00] "GET /users/42/orders/7" 200 512 Retry')
        self.assertEqual(entry["path"], "/users/:id/orders/:id")
        self.assertEqual(entry["ids"], [42, 7])
        self.assertEqual(entry["status"], 200)
        self.assertTrue(entry["slow"])

    def test_rejects(self):
        self.assertIsNone(parse_line('host.example [x] "GET /a" 200 1'))
        self.assertIsNone(parse_line('10.0.0.1 [x] "BREW /a" 200 1'))
        self.assertIsNone(parse_line('10.0.0.1 [x] "GET /a" 2000 1'))

    def test_garbage(self):
        self.assertEqual(parse(["nonsense"]), [])
