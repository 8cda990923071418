import unittest

from access import policy


class PolicyTest(unittest.TestCase):
    def test_allowed(self):
        self.assertEqual(len(policy.allowed([{"role": "reader"}, {"role": "guest"}])), 1)

    def test_grant_takes_effect(self):
        policy.grant("guest")
        try:
            self.assertEqual(len(policy.allowed([{"role": "guest"}])), 1)
        finally:
            policy.ALLOWED_ROLES.remove("guest")
