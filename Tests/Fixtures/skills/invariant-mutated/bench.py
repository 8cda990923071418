import sys
import time

from shipping.recent import fresh_scans

SCANS = [{"parcel": (i * 7) % 900} for i in range(1500)]
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
start = time.process_time()
for _ in range(rounds):
    fresh_scans(SCANS, [])
print(f"{time.process_time() - start:.6f}")
