"""A small web-style shop service used as Headroom's bundled example."""
