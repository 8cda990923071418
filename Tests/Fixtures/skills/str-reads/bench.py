import sys
import time

from export.wrap import wrap

WORDS = [("word" * (1 + i % 3)) + ("." if i % 11 == 0 else "") for i in range(3000)]
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
start = time.process_time()
for _ in range(rounds):
    wrap(WORDS)
print(f"{time.process_time() - start:.6f}")
