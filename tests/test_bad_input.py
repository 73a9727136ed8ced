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


def _small(dt=0.1):
    net = ns.Network(dt=dt, seed=1)
    net.add_population("a", 3, "lif")
    net.add_population("c", 3, "lif_cond")
    return net


def _proj(weight=0.5, synapse="stdp_pair", receptor="exc"):
    net = _small()
    return net.connect("a", "c", ns.OneToOne(), weight=weight, synapse=synapse, name="p")


def _delay(delay):
    return lambda: _net().connect("a", "b", ns.Explicit([0], [0]), delay=delay, name="slow")


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
    # fmt: off
    ("delay beyond int32 steps", _delay(3e8), ValueError, r"'slow' = 3e\+08 ms .* beyond the"),
    ("delay ring buffer too big", _delay(1e8), MemoryError, r"'slow' = 1e\+08 ms needs a ring"),
    ("delay off the grid", _delay(0.15), ValueError, r"0.15 ms is not a whole .* 0.1 and 0.2 ms"),
    (
        "every off the grid",
        lambda: _small().record_state("a", "v", every=0.15),
        ValueError,
        r"every = 0.15 ms is not a whole multiple of dt = 0.1 ms",
    ),
    (
        "run shorter than half a step",
        lambda: _small().run(0.04),
        ValueError,
        r"duration = 0.04 ms is shorter than half a step",
    ),
    (
        "tau_m = True",
        lambda: _small().add_population("x", 1, "lif", params={"tau_m": True}),
        TypeError,
        r"'tau_m' must be a number, got True",
    ),
    (
        "negative conductance",
        lambda: setattr(_small().populations["c"], "g_e", -5.0),
        ValueError,
        r"c.g_e is a conductance and must be >= 0 nS",
    ),
    (
        "state from text",
        lambda: setattr(_small().populations["a"], "v", "abc"),
        TypeError,
        r"a.v must be a number or numbers, got 'abc'",
    ),
    (
        "1e13 neurons",
        lambda: _small().add_population("huge", 10**13, "lif"),
        MemoryError,
        r"population 'huge': 10000000000000 neurons .* GiB",
    ),
    (
        "record unknown projection",
        lambda: _small().record_weights("x"),
        ValueError,
        r"no projection 'x'; projections: \[\]",
    ),
    ("assign dt", lambda: setattr(_small(), "dt", 0.2), AttributeError, r"Network.dt is read-only"),
    (
        "assign population size",
        lambda: setattr(_small().populations["a"], "n", 5),
        AttributeError,
        r"population 'a': attribute 'n' is read-only",
    ),
    (
        "assign delay",
        lambda: setattr(_proj(synapse=None), "delay", 2.0),
        AttributeError,
        r"projection 'p': attribute 'delay' is read-only",
    ),
    (
        "weight above STDP w_max",
        lambda: _proj().set("weight", 5.0),
        ValueError,
        r"\[w_min, w_max\] = \[0.0, 1.0\]",
    ),
    (
        "weight from text",
        lambda: setattr(_proj(synapse=None), "weight", "abc"),
        TypeError,
        r"projection 'p': weight must be numbers",
    ),
    (
        "calcium weight above w_max",
        lambda: _proj(3.0, "graupner_brunel_2012_dp"),
        ValueError,
        r"weights must lie in \[w_min, w_max\] = \[0.0, 1.0\]",
    ),
    (
        "AdEx Euler dt >= tau_w",
        lambda: _small(1.0).add_population("x", 1, "adex", params={"tau_w": 0.5}),
        ValueError,
        r"adex: dt = 1 ms must be below tau_w = 0.5 ms",
    ),
    (
        "Euler LIF dt >= tau_m",
        lambda: _small(10.0).add_population(
            "x", 1, "lif_cond", params={"method": "euler", "g_L": 100.0}
        ),
        ValueError,
        r"tau_m = C/g_L = 2 ms",
    ),
    # fmt: on
]


@pytest.mark.parametrize("what, call, error, message", CASES, ids=[c[0] for c in CASES])
def test_bad_input_raises_a_clear_error(what, call, error, message):
    with pytest.raises(error, match=message):
        call()
