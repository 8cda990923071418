import sys
import time

from pricing.cart import total

LINES = [{"sku": f"sku-{i % 5000}", "qty": 1 + i % 3} for i in range(6000)]
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
start = time.process_time()
for _ in range(rounds):
    total(LINES)
print(f"{time.process_time() - start:.6f}")
