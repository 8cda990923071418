"""HTTP-style request handlers and a tiny router."""
import json
from urllib.parse import parse_qs, urlsplit

from shop.cart import Cart
from shop.catalog import Catalog, build_products
from shop.checkout import checkout
from shop.inventory import Inventory, OutOfStock


class App:
    """Service state shared by handlers."""

    def __init__(self, size=400):
        products = build_products(size)
        self.catalog = Catalog(products)
        self.inventory = Inventory(products.keys())


def render(status, payload):
    """Serialise a response body."""
    return status, json.dumps(payload, separators=(",", ":"))


def handle_search(app, params):
    query = params.get("q", [""])[0]
    hits = app.catalog.search(query)
    return render(200, {"query": query, "hits": [p["sku"] for p in hits]})


def handle_product(app, sku):
    product = app.catalog.get(sku)
    if product is None:
        return render(404, {"error": "no such product"})
    return render(200, product)


def handle_category(app, category, params):
    page = int(params.get("page", ["0"])[0])
    items = app.catalog.by_category(category, page)
    return render(200, {"category": category, "page": page, "skus": [p["sku"] for p in items]})


def handle_checkout(app, body):
    request = json.loads(body)
    cart = Cart(request["customer"])
    for item in request["items"]:
        product = app.catalog.get(item["sku"])
        if product is None:
            return render(400, {"error": f"unknown sku {item['sku']}"})
        cart.add(product, item["qty"])
    try:
        order = checkout(cart, app.inventory, request.get("region", "CA"))
    except OutOfStock as exc:
        return render(409, {"error": f"out of stock: {exc}"})
    return render(200, order)


def handle_request(app, method, target, body=""):
    """Route one request; returns (status, body)."""
    url = urlsplit(target)
    params = parse_qs(url.query)
    parts = [part for part in url.path.split("/") if part]
    if method == "GET" and parts == ["search"]:
        return handle_search(app, params)
    if method == "GET" and len(parts) == 2 and parts[0] == "product":
        return handle_product(app, parts[1])
    if method == "GET" and len(parts) == 2 and parts[0] == "category":
        return handle_category(app, parts[1], params)
    if method == "POST" and parts == ["checkout"]:
        return handle_checkout(app, body)
    return render(404, {"error": "not found"})
