import sys
import time

from events.emit import encode

CONFIG = {"headers": {f"x-header-{i}": f"value-{i}" for i in range(12)},
          "limits": {"batch": {"max_bytes": 4096}}}
EVENTS = [{"id": i, "size": i * 17} for i in range(3000)]
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
start = time.process_time()
for _ in range(rounds):
    encode(EVENTS, CONFIG)
print(f"{time.process_time() - start:.6f}")
