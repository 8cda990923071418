"""Stock levels and reservations."""
import itertools
import random


class OutOfStock(Exception):
    """Raised when a reservation cannot be met."""


class Inventory:
    """In-memory stock per SKU with all-or-nothing reservations."""

    def __init__(self, skus, seed=11, level=10**9):
        rng = random.Random(seed)
        self._stock = {sku: level + rng.randint(0, 100) for sku in skus}
        self._reservations = {}
        self._ids = itertools.count(1)

    def available(self, sku):
        """Units of a SKU not yet reserved."""
        return self._stock.get(sku, 0)

    def reserve(self, lines):
        """Reserve every line or none; returns a reservation id."""
        for line in lines:
            if self.available(line["sku"]) < line["qty"]:
                raise OutOfStock(line["sku"])
        for line in lines:
            self._stock[line["sku"]] -= line["qty"]
        reservation = next(self._ids)
        self._reservations[reservation] = [(line["sku"], line["qty"]) for line in lines]
        return reservation

    def release(self, reservation):
        """Give a reservation's units back."""
        for sku, qty in self._reservations.pop(reservation):
            self._stock[sku] += qty
