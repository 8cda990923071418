import random
import sys
import time
import types

from report.totals import totals

SETTINGS = types.SimpleNamespace(scale=types.SimpleNamespace(factor=3))
rng = random.Random(1)
ROWS = [[rng.random() for _ in range(3)] for _ in range(300)]
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 1
start = time.process_time()
for _ in range(rounds):
    for rows in ROWS:
        totals(rows, SETTINGS)
print(f"{time.process_time() - start:.6f}")
