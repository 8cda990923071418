"""Load driver: replays a realistic request mix against the handlers for N seconds.

    python3 load.py --seconds 5 [--seed 1]
"""
import argparse
import json
import random
import time

from shop.handlers import App, handle_request

QUERIES = ["red lamp", "deluxe", "tent", "smart speaker", "vintage chair", "eco", "tiny drone", "kettle"]


def make_requests(app, count, seed):
    """A deterministic mix: 72% checkout, 10% search, 12% product, 6% category pages."""
    rng = random.Random(seed)
    skus = sorted(app.catalog._products)
    categories = app.catalog.categories()
    requests = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.72:
            items = [{"sku": rng.choice(skus), "qty": rng.randint(1, 5)} for _ in range(rng.randint(3, 10))]
            body = json.dumps({"customer": f"c{rng.randint(1, 999)}", "region": rng.choice(["CA", "OR", "TX"]),
                               "items": items})
            requests.append(("POST", "/checkout", body))
        elif roll < 0.82:
            requests.append(("GET", "/search?q=" + rng.choice(QUERIES).replace(" ", "+"), ""))
        elif roll < 0.94:
            requests.append(("GET", "/product/" + rng.choice(skus), ""))
        else:
            requests.append(("GET", f"/category/{rng.choice(categories)}?page={rng.randint(0, 2)}", ""))
    return requests


def run(seconds, seed):
    app = App()
    requests = make_requests(app, 2000, seed)
    deadline = time.perf_counter() + seconds
    served = 0
    while time.perf_counter() < deadline:
        for method, target, body in requests[served % len(requests):][:50]:
            handle_request(app, method, target, body)
            served += 1
    return served


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    served = run(args.seconds, args.seed)
    print(f"served {served} requests in {args.seconds:.1f}s ({served / args.seconds:.0f} req/s)")


if __name__ == "__main__":
    main()
