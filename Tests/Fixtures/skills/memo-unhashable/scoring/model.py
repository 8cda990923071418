"""A linear scoring model."""


def score(weights, features):
    total = 0.0
    for _ in range(50):
        total = sum(w * f for w, f in zip(weights, features))
    return round(total, 6)


def rank(candidates):
    weights = [0.5, 0.25, 0.25]
    return sorted(candidates, key=lambda c: score(weights, c), reverse=True)
