"""Late orders: placed after the March cut-off, or shipping to a blocked network."""
import ipaddress
from datetime import datetime


def is_late(order):
    """Whether the order was placed after the cut-off or ships from the blocked range."""
    cutoff = datetime.strptime("2024-03-01 18:00", "%Y-%m-%d %H:%M")
    blocked = ipaddress.ip_network("10.20.0.0/16")
    return order["placed"] > cutoff or ipaddress.ip_address(order["ip"]) in blocked
