import sys
import time

from audit.handler import handle

EVENTS = [{"id": f"e{i}", "amount": i} for i in range(3000)]
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
start = time.process_time()
for _ in range(rounds):
    for event in EVENTS:
        handle(event)
print(f"{time.process_time() - start:.6f}")
