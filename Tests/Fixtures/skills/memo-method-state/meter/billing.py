"""Usage metering; the tariff can change while the meter lives."""


class Meter:
    def __init__(self, cents_per_unit):
        self.cents_per_unit = cents_per_unit

    def set_tariff(self, cents_per_unit):
        self.cents_per_unit = cents_per_unit

    def charge(self, units):
        cents = 0
        for _ in range(200):
            cents = units * self.cents_per_unit
        return cents
