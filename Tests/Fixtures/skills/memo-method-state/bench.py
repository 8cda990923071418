import sys
import time

from meter.billing import Meter

meter = Meter(4)
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
start = time.process_time()
for _ in range(rounds):
    for units in range(800):
        meter.charge(units % 10)
print(f"{time.process_time() - start:.6f}")
