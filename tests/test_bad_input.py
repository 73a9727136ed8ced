"""Bad input through the API: each case raises the documented error, naming the thing.

One line per case: (what it does, the call, the exception, a regular expression the
message must match).
"""

import math

import pytest

import neurosim as ns


def _net():
    net = ns.Network(dt=0.1, seed=1)
    net.add_population("a", 1_000_000, "lif")
    net.add_population("b", 100_000, "lif")
    return net


def _connect(rule, name="big"):
    return lambda: _net().connect("a", "b", rule, name=name)


CASES = [
    ("in-degree NaN", lambda: ns.FixedInDegree(math.nan), ValueError, r"k = nan must be"),
    ("out-degree 2.5", lambda: ns.FixedOutDegree(2.5), ValueError, r"k = 2.5 must be"),
    ("probability text", lambda: ns.FixedProbability("0.1"), ValueError, r"p = '0.1' must be"),
    ("probability > 1", lambda: ns.FixedProbability(1.5), ValueError, r"outside \[0, 1\]"),
    (
        "1e11 synapses",
        _connect(ns.FixedProbability(1.0)),
        MemoryError,
        r"projection 'big'.* expects 1e\+11 synapses, about 8.94e\+03 GiB",
    ),
    (
        "in-degree too large to fit",
        _connect(ns.FixedInDegree(900_000), name="indeg"),
        MemoryError,
        r"projection 'indeg'.* expects 9e\+10 synapses",
    ),
]


@pytest.mark.parametrize("what, call, error, message", CASES, ids=[c[0] for c in CASES])
def test_bad_input_raises_a_clear_error(what, call, error, message):
    with pytest.raises(error, match=message):
        call()
