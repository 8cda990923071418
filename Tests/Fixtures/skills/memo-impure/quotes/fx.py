"""Currency conversion with rates that a background refresh replaces."""

RATES = {"EUR": 1.08, "GBP": 1.27, "JPY": 0.0067}


def refresh_rates(new_rates):
    RATES.update(new_rates)


def to_usd(amount_cents, currency):
    rate = RATES[currency]
    total = 0.0
    for _ in range(200):
        total = round(amount_cents * rate / 100, 2)
    return total
