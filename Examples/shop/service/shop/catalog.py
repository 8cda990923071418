"""Product catalog: an in-memory store with lookup, category pages and search."""
import random

_CATEGORIES = ["books", "games", "garden", "kitchen", "music", "outdoor", "toys", "tools"]
_ADJECTIVES = ["red", "compact", "deluxe", "classic", "smart", "quiet", "rugged", "tiny", "vintage", "eco"]
_NOUNS = ["lamp", "kettle", "novel", "drone", "chair", "puzzle", "speaker", "shovel", "tent", "blender"]


def build_products(size=400, seed=7):
    """Generate a deterministic product table keyed by SKU."""
    rng = random.Random(seed)
    products = {}
    for i in range(size):
        sku = f"SKU-{i:05d}"
        products[sku] = {
            "sku": sku,
            "name": f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}",
            "category": _CATEGORIES[i % len(_CATEGORIES)],
            "price_cents": rng.randint(199, 19999),
            "weight_g": rng.randint(50, 5000),
            "tags": sorted(rng.sample(_ADJECTIVES, 2)),
        }
    return products


def normalize_query(query):
    """Lower-case a search query and split it into tokens."""
    return [token for token in query.lower().replace("-", " ").split() if token]


class Catalog:
    """Read-only view over the product table."""

    def __init__(self, products):
        self._products = products
        self._by_category = {}
        for product in products.values():
            self._by_category.setdefault(product["category"], []).append(product)

    def get(self, sku):
        """Return one product or None."""
        return self._products.get(sku)

    def categories(self):
        """All category names, sorted."""
        return sorted(self._by_category)

    def by_category(self, category, page=0, per_page=20):
        """One page of a category's products."""
        items = self._by_category.get(category, [])
        start = page * per_page
        return items[start:start + per_page]

    def search(self, query, limit=20):
        """Products whose name contains every token of the query."""
        tokens = normalize_query(query)
        if not tokens:
            return []
        hits = []
        for product in self._products.values():
            name = product["name"]
            if all(token in name for token in tokens):
                hits.append(product)
                if len(hits) >= limit:
                    break
        return hits
