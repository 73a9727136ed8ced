"""Parameters changed between runs (``set_params``) without recompiling, and frozen
plasticity (``projection.plastic``)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import neurosim as ns
from neurosim.synapses import GraupnerBrunel, PairSTDP
from tests.synapses.reference import trace

DT = 0.1


def _decaying_lif():
    net = ns.Network(dt=DT, seed=1)
    pop = net.add_population("cells", 3, "lif")
    other = net.add_population("others", 3, pop.model)  # shares the model object
    pop.v = -60.0
    other.v = -60.0
    return net, pop, other


def test_population_set_params_takes_effect_without_rebuild():
    """A LIF's tau_m changed between runs gives the exact new decay of V towards E_L,
    with the same engine and compiled kernel; a population sharing the model object
    keeps its own value."""
    net, pop, other = _decaying_lif()
    net.run(1.0)
    engine, kernel = net._engine, net._engine.kernel
    pop.set_params(tau_m=20.0)
    net.run(1.0)
    assert net._engine is engine and net._engine.kernel is kernel
    e_l = pop.model.params.E_L
    expected = e_l + 10.0 * math.exp(-1.0 / 10.0) * math.exp(-1.0 / 20.0)
    np.testing.assert_allclose(pop.v, expected, rtol=1e-12)
    np.testing.assert_allclose(other.v, e_l + 10.0 * math.exp(-2.0 / 10.0), rtol=1e-12)
    assert pop.model.params.tau_m == 20.0 and other.model.params.tau_m == 10.0


def test_population_I_e_moves_the_current():
    net, pop, _ = _decaying_lif()
    pop.I[0] += 5.0  # e.g. what a current input added
    pop.set_params(I_e=30.0)
    np.testing.assert_array_equal(pop.I, [35.0, 30.0, 30.0])


@pytest.mark.parametrize(
    ("values", "error", "match"),
    [
        ({"tau_m": -1.0}, ValueError, r"parameter 'tau_m' = -1.0 is outside the accepted range"),
        ({"tau_x": 1.0}, TypeError, r"unknown parameter\(s\) \['tau_x'\]"),
        ({}, ValueError, r"population 'cells': set_params needs at least one parameter"),
        ({"C": "big"}, TypeError, r"parameter 'C' must be a number"),
    ],
)
def test_population_set_params_validates(values, error, match):
    net, pop, _ = _decaying_lif()
    before = pop.model.params
    with pytest.raises(error, match=match):
        pop.set_params(**values)
    assert pop.model.params is before


def _pairing(delay=DT):
    """One presynaptic and one postsynaptic spike generator (plasticity only) and a
    current-based LIF target, both through pair STDP (w_max 100 pA), with given spikes."""
    pre_t = np.array([10.0, 50.0, 150.0])
    post_t = np.array([15.0, 55.0, 155.0])
    net = ns.Network(dt=DT, seed=4)
    pre = net.add_spike_generator("pre", 1, pre_t, [0, 0, 0])
    post = net.add_spike_generator("post", 1, post_t, [0, 0, 0])
    rule = PairSTDP(w_max=100.0, A_plus=0.05, A_minus=0.04)
    proj = net.connect(pre, post, weight=50.0, delay=delay, receptor=None, synapse=rule)
    return net, proj, pre_t, post_t


def _pair_weight(w, pre_t, post_t, p, w_max=100.0):
    """Additive pair STDP, all-to-all, spike by spike (pre events before post ones)."""
    events = sorted([(t, 0) for t in pre_t] + [(t, 1) for t in post_t])
    for t, side in events:
        if side == 0:
            w = max(0.0, w - w_max * p.A_minus * trace(post_t, t, p.tau_minus, include_t=False))
        else:
            w = min(w_max, w + w_max * p.A_plus * trace(pre_t, t, p.tau_plus))
    return w


def test_projection_set_params_and_freezing_match_the_rule_by_hand():
    """A_plus changed between runs acts from then on; while frozen, weight and rule
    state stay bit-identical and the spikes of the frozen period are not seen by the
    rule (its traces skip them) after learning resumes."""
    net, proj, pre_t, post_t = _pairing()
    p = proj.synapse.params
    net.run(30.0)
    w1 = _pair_weight(50.0, pre_t[:1], post_t[:1], p)
    np.testing.assert_allclose(proj.weight, w1, rtol=1e-12)
    proj.plastic = False
    state = (proj.weight.copy(), proj.S_pre.copy(), proj.S_post.copy())
    net.run(70.0)  # the pair at 50/55 ms is not seen
    assert not proj.plastic
    for before, after in zip(state, (proj.weight, proj.S_pre, proj.S_post), strict=True):
        np.testing.assert_array_equal(before, after)
    proj.set_params(A_plus=0.02)
    proj.plastic = True
    net.run(100.0)
    seen = [0, 2]
    p2 = proj.synapse.params
    assert p2.A_plus == 0.02 and p.A_plus == 0.05
    # the later pair interacts with the first pair's traces, not with the frozen pair
    x = trace(pre_t[seen], 155.0, p.tau_plus)
    y = trace(post_t[seen], 150.0, p.tau_minus, include_t=False)
    expected = w1 - 100.0 * p2.A_minus * y
    expected = expected + 100.0 * p2.A_plus * x
    np.testing.assert_allclose(proj.weight, expected, rtol=1e-12)


def test_frozen_projection_transmits_as_a_static_one():
    """A frozen STDP projection (delays of 1 step and 2 ms) delivers to its target
    exactly what static projections with the same weights deliver to a twin target
    (bit for bit); weights and rule state stay bit-identical over a run with pre and
    post spikes; unfreezing resumes learning."""
    rng = np.random.default_rng(0)
    times = np.concatenate([np.arange(1.0, 50.0, 2.3), np.arange(60.0, 250.0, 1.7)])
    times = np.round(times + rng.uniform(0, 0.5, times.size), 1)
    net = ns.Network(dt=DT, seed=5)
    pre = net.add_spike_generator("pre", 1, times, np.zeros(times.size, dtype=int))
    cells = net.add_population("cells", 4, "lif")
    twins = net.add_population("twins", 4, "lif")
    net.add_current(cells, ns.CurrentInput(380.0))
    net.add_current(twins, ns.CurrentInput(380.0))
    rule = PairSTDP(w_max=300.0)
    plastic, static = [], []
    for d in (DT, 2.0):
        w = rng.uniform(100.0, 200.0, 4)
        plastic.append(
            net.connect(pre, cells, weight=w, delay=d, synapse=rule, name=f"p{round(d / DT)}")
        )
        static.append(net.connect(pre, twins, weight=w, delay=d, name=f"s{round(d / DT)}"))
    a = net.record_state(cells, ["I_syn_ex", "v"])
    b = net.record_state(twins, ["I_syn_ex", "v"])
    net.run(50.0)  # learning
    assert not np.array_equal(plastic[0].weight, static[0].weight)
    for proj, twin in zip(plastic, static, strict=True):
        proj.plastic = False
        twin.weight = proj.weight
    net.run(5.0)  # no spike in flight from 52 ms on
    cells.S[:] = twins.S
    state = [(p.weight.copy(), p.S_pre.copy(), p.S_post.copy()) for p in plastic]
    start = a.t.size
    net.run(200.0)
    np.testing.assert_array_equal(a.I_syn_ex[start:], b.I_syn_ex[start:])
    np.testing.assert_array_equal(a.v[start:], b.v[start:])
    assert np.any(twins.last_spike_step > start)  # post spikes in the frozen period
    for proj, (w, s_pre, s_post) in zip(plastic, state, strict=True):
        np.testing.assert_array_equal(proj.weight, w)
        np.testing.assert_array_equal(proj.S_pre, s_pre)
        np.testing.assert_array_equal(proj.S_post, s_post)
    plastic[1].plastic = True
    net.run(50.0)
    assert not np.array_equal(plastic[1].weight, state[1][0])  # learning resumed
    np.testing.assert_array_equal(plastic[0].weight, state[0][0])


def test_projection_set_params_refusals():
    net, proj, _, _ = _pairing()
    with pytest.raises(ValueError, match=r"parameter 'tau_plus' = 0.0 is outside"):
        proj.set_params(tau_plus=0.0)
    with pytest.raises(ValueError, match=r"w_min = 60.0 must be below w_max = 50.0"):
        proj.set_params(w_min=60.0, w_max=50.0)
    with pytest.raises(ValueError, match=r"initial weights must lie in \[w_min, w_max\]"):
        proj.set_params(w_max=40.0)
    with pytest.raises(TypeError, match=r"plastic = 0 must be True or False"):
        proj.plastic = 0
    gen = net.populations["pre"]
    static = net.connect(gen, net.add_population("cells", 1, "lif"))
    with pytest.raises(AttributeError, match=r"has no plasticity rule"):
        static.plastic = False
    with pytest.raises(ValueError, match=r"has no plasticity rule to set parameters of"):
        static.set_params(tau_plus=10.0)
    gb = net.connect(gen, net.populations["post"], receptor=None, synapse=GraupnerBrunel())
    with pytest.raises(ValueError, match=r"would change the rule's presynaptic lag"):
        gb.set_params(D=10.0)
    gb.set_params(gamma_p=300.0)
    assert gb.synapse.params.gamma_p == 300.0


@pytest.mark.brian2
def test_set_params_in_the_brian2_backend():
    """Between runs the Brian2 objects are rebuilt with the new value (the same exact
    decay as the numba engine); during a run (from an operation) it is refused."""
    pytest.importorskip("brian2")
    net = ns.Network(dt=DT, seed=1, backend="brian2")
    pop = net.add_population("cells", 3, "lif")
    pop.v = -60.0
    net.run(1.0)
    pop.set_params(tau_m=20.0)
    net.run(1.0)
    e_l = pop.model.params.E_L
    expected = e_l + 10.0 * math.exp(-1.0 / 10.0) * math.exp(-1.0 / 20.0)
    np.testing.assert_allclose(pop.v, expected, rtol=1e-9)
    net.add_operation(lambda n: pop.set_params(tau_m=30.0), every=1.0, name="retune")
    with pytest.raises(ns.SimulationError, match=r"'retune'.*only on the numba backend"):
        net.run(1.0)
    assert pop.model.params.tau_m == 20.0
