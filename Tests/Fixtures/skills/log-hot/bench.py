"""One timed run of the ingest hot path; prints its CPU seconds on the last line."""
import sys
import time

from ingest.pipeline import ingest

RECORDS = [{f" Field{i} ": f" value {i * n} " for i in range(12)} for n in range(300)]
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 15
start = time.process_time()
for _ in range(rounds):
    ingest(RECORDS)
print(f"{time.process_time() - start:.6f}")
