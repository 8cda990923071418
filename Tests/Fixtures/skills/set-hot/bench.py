import sys
import time

from codes.status import KNOWN_CODES, count_known

ROWS = [{"code": KNOWN_CODES[(i * 7) % len(KNOWN_CODES)] if i % 5 else f"unknown-{i}"} for i in range(4000)]
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
start = time.process_time()
for _ in range(rounds):
    count_known(ROWS)
print(f"{time.process_time() - start:.6f}")
