"""Shipping bands: a parcel's band is the index of the first weight limit at or above its weight."""


def bands(parcels, limits):
    """The band of each parcel; parcels heavier than every limit get len(limits)."""
    out = []
    for parcel in parcels:
        ordered = sorted(limits)
        band = len(ordered)
        for index, limit in enumerate(ordered):
            if parcel["grams"] <= limit:
                band = index
                break
        out.append(band)
    return out
