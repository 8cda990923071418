"""Build the shop example's real git history (13 commits by 6 authors) in a new directory.

    python3 make_history.py OUT_DIR

The first commit is the tree under service/; every later commit applies exact text edits to it. Dates are fixed, so
commit ids are the same on every machine. Ground truth for tests lives in expected.json, never in Headroom.
"""
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
START = 1793606400  # 2026-11-02T08:00:00Z
STEP = 2 * 3600

AUTHORS = {
    "alice": ("Alice Chen", "alice@shop.example"),
    "bob": ("Bob Okafor", "bob@shop.example"),
    "carol": ("Carol Diaz", "carol@shop.example"),
    "dana": ("Dana Kim", "dana@shop.example"),
    "erin": ("Erin Walsh", "erin@shop.example"),
    "frank": ("Frank Moreau", "frank@shop.example"),
}

# (author, message, [edits]); an edit is ("replace", path, old, new) or ("write", path, text).
STEPS = [
    ("alice", "Initial shop service: catalog, cart, pricing, checkout, HTTP handlers", []),
    ("bob", "Cart: clear error when removing an unknown SKU", [
        ("replace", "shop/cart.py",
         '        """Remove a SKU from the cart."""\n        del self._items[sku]\n',
         '        """Remove a SKU from the cart."""\n        if sku not in self._items:\n'
         '            raise KeyError(f"{sku} is not in the cart")\n        del self._items[sku]\n'),
        ("replace", "tests/test_cart.py",
         "    def test_merge(self):",
         "    def test_remove_unknown_sku(self):\n        with self.assertRaises(KeyError):\n"
         "            Cart(\"c1\").remove(\"SKU-0\")\n\n    def test_merge(self):"),
    ]),
    ("carol", "Handlers: GET /health for the load balancer", [
        ("replace", "shop/handlers.py",
         '    if method == "POST" and parts == ["checkout"]:',
         '    if method == "GET" and parts == ["health"]:\n        return handle_health(app)\n'
         '    if method == "POST" and parts == ["checkout"]:'),
        ("replace", "shop/handlers.py",
         "def handle_request(app, method, target, body=\"\"):",
         "def handle_health(app):\n    return render(200, {\"status\": \"ok\", \"products\": len(app.catalog._products)})"
         "\n\n\ndef handle_request(app, method, target, body=\"\"):"),
    ]),
    ("dana", "Pricing: tax rates for NY and WA", [
        ("replace", "shop/pricing.py",
         'TAX_RATES = {"CA": 0.0725, "OR": 0.0, "TX": 0.0625}',
         'TAX_RATES = {"CA": 0.0725, "NY": 0.04, "OR": 0.0, "TX": 0.0625, "WA": 0.065}'),
    ]),
    ("erin", "Shipping: express option for quotes", [
        ("replace", "shop/shipping.py",
         "def shipping_quote(lines, region, subtotal_cents):\n    \"\"\"Shipping cost in cents.\"\"\"\n"
         "    if subtotal_cents >= FREE_SHIPPING_CENTS:\n        return 0\n",
         "def shipping_quote(lines, region, subtotal_cents, express=False):\n    \"\"\"Shipping cost in cents.\"\"\"\n"
         "    if express:\n        return 1499 + 200 * ZONE_BY_REGION.get(region, 3)\n"
         "    if subtotal_cents >= FREE_SHIPPING_CENTS:\n        return 0\n"),
    ]),
    ("bob", "Inventory: releasing a reservation twice is a no-op", [
        ("replace", "shop/inventory.py",
         "        for sku, qty in self._reservations.pop(reservation):",
         "        for sku, qty in self._reservations.pop(reservation, []):"),
    ]),
    ("frank", "Pricing: debug logging to trace discount rule evaluation", [
        ("replace", "shop/pricing.py",
         "            amount = discount_for(rule, line)\n",
         "            amount = discount_for(rule, line)\n"
         "            logger.debug(f\"discount {rule['id']} on {line}: amount={amount} best={best} \"\n"
         "                         f\"so_far={breakdown}\")\n"),
    ]),
    ("carol", "Pricing: show negative amounts (refunds) with a leading minus", [
        ("replace", "shop/pricing.py",
         '    """Human display of an amount in cents."""\n    return f"${cents / 100:,.2f}"\n',
         '    """Human display of an amount in cents."""\n    if cents < 0:\n'
         '        return f"-${-cents / 100:,.2f}"\n    return f"${cents / 100:,.2f}"\n'),
        ("replace", "tests/test_pricing.py",
         '        self.assertEqual(format_price(123456), "$1,234.56")\n',
         '        self.assertEqual(format_price(123456), "$1,234.56")\n'
         '        self.assertEqual(format_price(-250), "-$2.50")\n'),
    ]),
    ("dana", "Catalog: negative page numbers return an empty page", [
        ("replace", "shop/catalog.py",
         "        items = self._by_category.get(category, [])\n        start = page * per_page\n",
         "        items = self._by_category.get(category, [])\n        if page < 0:\n            return []\n"
         "        start = page * per_page\n"),
    ]),
    ("erin", "Docs: how to run the shop service, its tests and load driver", [
        ("write", "README.md",
         "# shop\n\nA small web-style shop service.\n\n- tests: `python3 -m unittest discover -s tests -t .`\n"
         "- load: `python3 load.py --seconds 5`\n- benchmark: `python3 bench.py`\n"
         "- serve: `python3 -m shop.server 8080` (loopback only)\n"),
    ]),
    ("alice", "Tests: cover rule selection across categories", [
        ("replace", "tests/test_pricing.py",
         "    def test_tax_by_region(self):",
         "    def test_each_line_gets_its_own_best_rule(self):\n"
         "        total, breakdown = apply_discounts(\n"
         "            [line(sku=\"A\", category=\"music\"), line(sku=\"B\", category=\"kitchen\", qty=2)], DEFAULT_RULES)\n"
         "        self.assertEqual(breakdown, [(\"A\", 80), (\"B\", 300)])\n"
         "        self.assertEqual(total, 380)\n\n"
         "    def test_tax_by_region(self):"),
    ]),
    ("bob", "Handlers: log unknown routes at info level for the ops dashboard", [
        ("replace", "shop/handlers.py",
         "import json\n",
         "import json\nimport logging\n"),
        ("replace", "shop/handlers.py",
         "from shop.inventory import Inventory, OutOfStock\n",
         "from shop.inventory import Inventory, OutOfStock\n\nlogger = logging.getLogger(__name__)\n"),
        ("replace", "shop/handlers.py",
         '    return render(404, {"error": "not found"})\n',
         '    logger.info("unknown route %s %s", method, url.path)\n    return render(404, {"error": "not found"})\n'),
    ]),
    ("carol", "Checkout: include the region in the order summary", [
        ("replace", "shop/checkout.py",
         "    return order_summary(cart, price, shipping, reservation)\n",
         "    order = order_summary(cart, price, shipping, reservation)\n    order[\"region\"] = region\n"
         "    return order\n"),
    ]),
]


def git(repo, *args, env=None):
    subprocess.run(["git", "-C", repo, *args], check=True, env=env, stdout=subprocess.DEVNULL)


def apply_edit(repo, edit):
    kind, path = edit[0], os.path.join(repo, edit[1])
    if kind == "write":
        with open(path, "w") as handle:
            handle.write(edit[2])
        return
    with open(path) as handle:
        text = handle.read()
    old, new = edit[2], edit[3]
    if text.count(old) != 1:
        raise SystemExit(f"make_history: edit to {edit[1]} matches {text.count(old)} times, expected 1")
    with open(path, "w") as handle:
        handle.write(text.replace(old, new))


def build(out):
    if os.path.exists(out) and os.listdir(out):
        raise SystemExit(f"make_history: {out} exists and is not empty")
    shutil.copytree(os.path.join(HERE, "service"), out, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    git(out, "init", "-q", "-b", "main")
    git(out, "config", "commit.gpgsign", "false")
    for index, (author, message, edits) in enumerate(STEPS):
        for edit in edits:
            apply_edit(out, edit)
        name, email = AUTHORS[author]
        when = f"{START + index * STEP} +0000"
        env = dict(os.environ, GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email, GIT_AUTHOR_DATE=when,
                   GIT_COMMITTER_NAME=name, GIT_COMMITTER_EMAIL=email, GIT_COMMITTER_DATE=when)
        git(out, "add", "-A")
        git(out, "commit", "-q", "-m", message, env=env)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python3 make_history.py OUT_DIR")
    build(sys.argv[1])
