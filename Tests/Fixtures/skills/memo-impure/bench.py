import sys
import time

from quotes.fx import to_usd

rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
start = time.process_time()
for _ in range(rounds):
    for i in range(600):
        to_usd(100 * (i % 7), "EUR")
print(f"{time.process_time() - start:.6f}")
