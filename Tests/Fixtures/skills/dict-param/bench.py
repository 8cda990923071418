import sys
import time

from pricing.cart import total

PRICES = {f"sku-{i}": 100 + i for i in range(0, 5000, 10)}
LINES = [{"sku": f"sku-{i % 5000}", "qty": 1 + i % 3} for i in range(6000)]
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
start = time.process_time()
for _ in range(rounds):
    total(LINES, PRICES)
print(f"{time.process_time() - start:.6f}")
