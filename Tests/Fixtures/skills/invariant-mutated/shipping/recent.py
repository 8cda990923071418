"""Parcel scans: a scan is dropped when its parcel was among the last 50 seen (scanners repeat themselves)."""


def fresh_scans(scans, seen):
    """The scans whose parcel is not among the 50 most recent ids in `seen` (which grows as scans are accepted)."""
    out = []
    for scan in scans:
        recent = sorted(seen)[-50:]
        if scan["parcel"] in recent:
            continue
        seen.append(scan["parcel"])
        out.append(scan)
    return out
