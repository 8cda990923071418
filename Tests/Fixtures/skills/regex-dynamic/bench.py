import sys
import time

from router.match import route

PATHS = [f"/t{i % 5}/orders/{i}" for i in range(4000)]
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
start = time.process_time()
for _ in range(rounds):
    for i, path in enumerate(PATHS):
        route(path, f"/t{i % 5}")
print(f"{time.process_time() - start:.6f}")
