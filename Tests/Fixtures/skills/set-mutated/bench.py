import sys
import time

from access.policy import allowed

REQUESTS = [{"role": ["reader", "guest", "owner", "ops", "intern"][i % 5]} for i in range(5000)]
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
start = time.process_time()
for _ in range(rounds):
    allowed(REQUESTS)
print(f"{time.process_time() - start:.6f}")
