import sys
import time

from tags.expand import canonical

TAGS = ["py", "js", "k8s", "rust", "go"] * 400
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 2
start = time.process_time()
for _ in range(rounds):
    for tag in TAGS:
        canonical(tag)
print(f"{time.process_time() - start:.6f}")
