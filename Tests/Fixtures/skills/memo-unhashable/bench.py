import sys
import time

from scoring.model import rank

CANDIDATES = [[i % 3, i % 5, i % 7] for i in range(600)]
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 2
start = time.process_time()
for _ in range(rounds):
    rank(CANDIDATES)
print(f"{time.process_time() - start:.6f}")
