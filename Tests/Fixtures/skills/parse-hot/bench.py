import sys
import time
from datetime import datetime, timedelta

from orders.late import is_late

START = datetime(2024, 2, 20)
ORDERS = [{"placed": START + timedelta(hours=i), "ip": f"192.0.{i % 250}.{i % 200}"} for i in range(2000)]
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
start = time.process_time()
for _ in range(rounds):
    sum(1 for order in ORDERS if is_late(order))
print(f"{time.process_time() - start:.6f}")
