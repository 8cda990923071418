import random
import sys
import time

from shipping.bands import bands

random.seed(7)
LIMITS = random.sample(range(10, 5000, 10), 120)
PARCELS = [{"grams": random.randrange(0, 800)} for _ in range(3000)]
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
start = time.process_time()
for _ in range(rounds):
    bands(PARCELS, LIMITS)
print(f"{time.process_time() - start:.6f}")
