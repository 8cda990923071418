"""Checkout: price, ship, reserve and summarise an order."""
from shop.pricing import price_cart
from shop.shipping import shipping_quote


def checkout(cart, inventory, region):
    """Turn a cart into an order record."""
    lines = cart.lines()
    if not lines:
        raise ValueError("empty cart")
    price = price_cart(lines, region)
    shipping = shipping_quote(lines, region, price["subtotal"])
    reservation = inventory.reserve(lines)
    return order_summary(cart, price, shipping, reservation)


def order_summary(cart, price, shipping, reservation):
    """The order as returned to the client."""
    return {
        "customer": cart.customer_id,
        "reservation": reservation,
        "items": cart.item_count(),
        "subtotal": price["subtotal"],
        "discount": price["discount"],
        "tax": price["tax"],
        "shipping": shipping,
        "total": price["total"] + shipping,
    }
