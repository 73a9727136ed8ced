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


def _proj(weight=0.5, synapse="stdp_pair"):
    return _small().connect("a", "c", ns.OneToOne(), weight=weight, synapse=synapse, name="p")


def _delay(delay):
    return lambda: _net().connect("a", "b", ns.Explicit([0], [0]), delay=delay, name="slow")


def _call(method, *args, **kwargs):
    return lambda: getattr(_small(), method)(*args, **kwargs)


def _add(model, dt=0.1, n=1, **params):
    return lambda: _small(dt).add_population("x", n, model, params=params)


def _set(what, attr, value):
    """Assign ``attr`` of the network (None), population ``a``/``c``, a state monitor
    (``mon``) or a static projection (``p``)."""

    def assign():
        net = _small()
        target = {
            None: lambda: net,
            "mon": lambda: net.record_state("a", "v"),
            "p": lambda: net.connect("a", "c", ns.OneToOne(), name="p"),
        }.get(what, lambda: net.populations[what])()
        setattr(target, attr, value)

    return assign


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
    ("delay beyond int32 steps", _delay(3e8), ValueError, r"'slow' = 3e\+08 ms .* beyond the"),
    ("delay ring buffer too big", _delay(1e8), MemoryError, r"'slow' = 1e\+08 ms needs a ring"),
    ("delay off the grid", _delay(0.15), ValueError, r"0.15 ms is not a whole .* 0.1 and 0.2 ms"),
    ("every off the grid", _call("record_state", "a", "v", every=0.15), ValueError, r"= 0.15"),
    ("run under half a step", _call("run", 0.04), ValueError, r"0.04 ms is shorter than half a"),
    ("tau_m = True", _add("lif", tau_m=True), TypeError, r"'tau_m' must be a number, got True"),
    ("negative conductance", _set("c", "g_e", -5.0), ValueError, r"c.g_e is a conductance .* >= 0"),
    (
        "drawn negative conductance",
        _set("c", "g_i", ns.Normal(-9.0, 1.0)),
        ValueError,
        r"c.g_i is a conductance, but 3 of 3",
    ),
    ("state from text", _set("a", "v", "abc"), TypeError, r"a.v must be a number .* got 'abc'"),
    ("1e13 neurons", _add("lif", n=10**13), MemoryError, r"population 'x': 10000000000000 neu"),
    ("unknown projection", _call("record_weights", "x"), ValueError, r"no projection 'x'; pro"),
    ("assign dt", _set(None, "dt", 0.2), AttributeError, r"Network.dt is read-only"),
    ("rebind populations", _set(None, "populations", {}), AttributeError, r"populations is read-"),
    ("assign population size", _set("a", "n", 5), AttributeError, r"'a': attribute 'n' is read-"),
    ("assign monitor period", _set("mon", "every", 5), AttributeError, r"'every' is read-only"),
    ("assign delay", _set("p", "delay", 2.0), AttributeError, r"'p': attribute 'delay' is read-"),
    ("weight from text", _set("p", "weight", "abc"), TypeError, r"'p': weight must be numbers"),
    ("weight above w_max", lambda: _proj().set("weight", 5.0), ValueError, r"= \[0.0, 1.0\]"),
    ("calcium weight 3.0", lambda: _proj(3.0, "graupner_brunel_2012_dp"), ValueError, r"\[0.0, 1"),
    ("AdEx dt >= tau_w", _add("adex", 1.0, tau_w=0.5), ValueError, r"1 ms must be below tau_w ="),
    ("Euler dt >= C/g_L", _add("lif_cond", 20.0, method="euler"), ValueError, r"C/g_L = 20 ms"),
]


@pytest.mark.parametrize("what, call, error, message", CASES, ids=[c[0] for c in CASES])
def test_bad_input_raises_a_clear_error(what, call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_negative_conductance_draws_are_kept_only_when_asked_for():
    net = ns.Network(seed=3)
    pop = net.add_population("c", 2000, "lif_cond")
    pop.g_i = ns.Normal(200.0, 120.0, low=-math.inf)  # COBA's published draw
    assert 0.03 < (pop.g_i < 0).mean() < 0.08  # P(N(200, 120) < 0) = 0.048
    pop.g_i = ns.Normal(200.0, 120.0, low=0.0)
    assert pop.g_i.min() >= 0


def test_a_static_projection_has_no_rule_variables():
    net = _small()
    proj = net.connect("a", "c", ns.OneToOne())
    assert not hasattr(proj, "S_syn")
    with pytest.raises(AttributeError, match="has no rule, so no variable 'rho'"):
        proj.rho  # noqa: B018
