import sys
import time

from export.csv_report import export

ROWS = [{"sku": f"sku-{i}", "qty": 1 + i % 9, "price": 100 + i % 977} for i in range(4000)]
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
start = time.process_time()
for _ in range(rounds):
    export(ROWS)
print(f"{time.process_time() - start:.6f}")
