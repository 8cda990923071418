import sys
import time

from parser.access_log import parse

LINES = [f'10.0.{i % 256}.{i % 7} [21/Nov/2026:10:00:{i % 60:02d}] "GET /items/{i}/parts/{i % 13}" 200 {i * 3}'
         for i in range(3000)]
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
start = time.process_time()
for _ in range(rounds):
    parse(LINES)
print(f"{time.process_time() - start:.6f}")
