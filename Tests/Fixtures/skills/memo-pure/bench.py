import random
import sys
import time

from zones.shipping import quote

rng = random.Random(7)
POSTCODES = [f"{rng.randint(10000, 99999)}" for _ in range(40)]
ORDERS = [(i, rng.choice(POSTCODES), rng.randint(1, 3)) for i in range(1500)]
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 1
start = time.process_time()
for _ in range(rounds):
    quote(ORDERS)
print(f"{time.process_time() - start:.6f}")
