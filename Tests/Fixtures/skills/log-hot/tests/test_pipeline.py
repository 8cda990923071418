import logging
import unittest

from ingest.pipeline import ingest, normalise


class PipelineTest(unittest.TestCase):
    def test_normalise(self):
        self.assertEqual(normalise({" Name ": " Ada ", "AGE": 36}), {"name": "Ada", "age": "36"})

    def test_debug_output_kept(self):
        with self.assertLogs("ingest.pipeline", level=logging.DEBUG) as logs:
            ingest([{"A": 1}])
        self.assertIn("normalised 1 fields", logs.output[0])
