import unittest

from shipping.recent import fresh_scans


class RecentTest(unittest.TestCase):
    def test_repeats_dropped(self):
        scans = [{"parcel": 3}, {"parcel": 3}, {"parcel": 4}, {"parcel": 3}]
        self.assertEqual(fresh_scans(scans, []), [{"parcel": 3}, {"parcel": 4}])

    def test_seen_grows(self):
        seen = [1]
        fresh_scans([{"parcel": 2}, {"parcel": 1}], seen)
        self.assertEqual(seen, [1, 2])
