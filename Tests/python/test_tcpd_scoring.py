"""The TCPD scorer in Benchmarks/detection/tcpd.py reproduces TCPDBench's own scores.

The expected values are the ones TCPDBench stored for the Nile series (analysis/output/summaries/summary_nile.json:
five annotators, two with no change point, three with one at 28; n = 100) for three of its runs: no change point,
one at 27 and one at 46. They were computed by TCPDBench's metrics code, not by ours.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "Benchmarks", "detection"))
import tcpd  # noqa: E402

NILE = {"6": [], "7": [28], "8": [], "12": [28], "13": [28]}


def test_f1_matches_tcpdbench():
    assert abs(tcpd.f_measure(NILE, []) - 0.8235294117647058) < 1e-12
    assert abs(tcpd.f_measure(NILE, [27]) - 1.0) < 1e-12
    assert abs(tcpd.f_measure(NILE, [46]) - 0.5833333333333333) < 1e-12


def test_cover_matches_tcpdbench():
    assert abs(tcpd.covering(NILE, [], 100) - 0.75808) < 1e-12
    assert abs(tcpd.covering(NILE, [27], 100) - 0.8800821917808218) < 1e-12
    assert abs(tcpd.covering(NILE, [46], 100) - 0.6422608695652174) < 1e-12


def test_margin_is_five_points_and_matches_are_one_to_one():
    one = {"1": [50]}
    assert tcpd.f_measure(one, [55]) == 1.0
    assert tcpd.f_measure(one, [56]) < 1.0
    # two predictions near one annotated point: one is a true positive, the other a false one
    assert abs(tcpd.f_measure(one, [49, 51]) - 2 * (2 / 3) * 1.0 / (2 / 3 + 1.0)) < 1e-12
