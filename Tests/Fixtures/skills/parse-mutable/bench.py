import sys
import time

from orders.limits import limits_for

ORDERS = [{"priority": i % 3 == 0} for i in range(3000)]
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
start = time.process_time()
for _ in range(rounds):
    for order in ORDERS:
        limits_for(order)
print(f"{time.process_time() - start:.6f}")
