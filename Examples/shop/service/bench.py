"""Micro-benchmark of the checkout hot path: one timed run, prints its CPU seconds (process time) on the last line.

    python3 bench.py [--iterations 300]
"""
import argparse
import random
import time

from shop.cart import Cart
from shop.catalog import build_products
from shop.pricing import price_cart


def make_carts(count, seed=3):
    products = list(build_products().values())
    rng = random.Random(seed)
    carts = []
    for i in range(count):
        cart = Cart(f"bench{i}")
        for product in rng.sample(products, rng.randint(3, 8)):
            cart.add(product, rng.randint(1, 5))
        carts.append(cart.lines())
    return carts


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--iterations", type=int, default=50)
    args = parser.parse_args()
    carts = make_carts(400)
    start = time.process_time()
    for _ in range(args.iterations):
        for lines in carts:
            price_cart(lines, "CA")
    print(f"{time.process_time() - start:.6f}")


if __name__ == "__main__":
    main()
