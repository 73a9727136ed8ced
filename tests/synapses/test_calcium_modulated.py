"""``calcium_modulated``: the exact event-driven scheme against an independent ODE
integration (scipy, tests/synapses/calcium_modulated_reference.py), the role of the
modulator's timing, fast-forward and checkpoints bit for bit, and bad input."""

import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest

import neurosim as ns
from neurosim.synapses import CalciumModulated
from neurosim.synapses.calcium_modulated import M_BASE, M_RATE_D, M_RATE_R
from tests.synapses.calcium_modulated_reference import reference_weight

DT = 0.1
#: Five pre-post pairs (+10 ms) at 5 Hz: calcium above both thresholds after each.
PRE = [100.0 + 200.0 * k for k in range(5)]
POST = [t + 10.0 for t in PRE]
#: Release times (ms): one per postsynaptic neuron (a per-neuron modulator), from
#: 6 s before the pairing to 20 s after it.
RELEASES = [-5900.0, 1000.0, 3000.0, 6000.0, 12000.0, 20000.0]
T_END = 40000.0


def pairing_network(rule, releases=RELEASES, amount=1.0, w0=0.5, **mod):
    """One presynaptic neuron onto len(releases) postsynaptic spike sources paired with
    it; postsynaptic neuron j reads its own modulator column, released at releases[j]
    (shifted so that the first pairing is at PRE[0] + 6000 ms)."""
    n = len(releases)
    shift = 6000.0
    net = ns.Network(dt=DT, seed=3)
    pre = net.add_spike_generator("pre", 1, [t + shift for t in PRE], [0] * len(PRE))
    post = net.add_spike_generator(
        "post", n, np.repeat([t + shift for t in POST], n), np.tile(np.arange(n), len(POST))
    )
    da = net.add_modulator("da", n=n, **mod)
    times = np.array(releases) + shift
    rel = net.add_spike_generator("rel", n, times[times >= 0], np.arange(n)[times >= 0])
    net.connect(rel, da, ns.OneToOne(), weight=amount, receptor="release", name="feed")
    proj = net.connect(
        pre, post, receptor=None, synapse=rule, modulator=da, weight=w0, name="plastic"
    )
    return net, proj, shift


def _params(proj):
    """The rule's parameters of ``proj`` with the time constants and baseline of the
    modulator it reads (as ``mod_tau_decay``, ``mod_tau_rise``, ``mod_baseline``), the
    parameters of the reference."""
    rule, mod = proj.synapse.params, proj.modulator.model.params
    values = {f.name: getattr(rule, f.name) for f in dataclasses.fields(rule)}
    for name in ("tau_decay", "tau_rise", "baseline"):
        values[f"mod_{name}"] = getattr(mod, name)
    return SimpleNamespace(**values)


def reference(proj, releases, shift, amount=1.0, w0=0.5, t_end=T_END):
    """The reference weight of each synapse of :func:`pairing_network`."""
    p = _params(proj)
    calcium = [(t + shift + p.D, p.C_pre) for t in PRE] + [(t + shift, p.C_post) for t in POST]
    # a release delivered in the step of its spike is in the modulator one step later
    return np.array(
        [
            reference_weight(
                p, calcium, [(r + shift + DT, amount)] if r + shift >= 0 else [], w0, t_end
            )
            for r in releases
        ]
    )


@pytest.mark.parametrize("tau_rise", [0.0, 300.0])
def test_weight_change_vs_release_delay_matches_ode_reference(tau_rise):
    rule = CalciumModulated()
    net, proj, shift = pairing_network(rule, tau_decay=1000.0, tau_rise=tau_rise)
    net.run(T_END)
    proj.synchronize()
    ref = reference(proj, RELEASES, shift)
    change = proj.weight - 0.5
    # measured: agreement to 1e-11 of the change (6e-13 to 9e-13 in w)
    assert np.allclose(change, ref - 0.5, rtol=1e-9, atol=1e-12), (change, ref - 0.5)
    # release long before the pairing: (almost) nothing; within seconds after it:
    # potentiation (the LTP trace dominates); later: depression (the slower LTD trace
    # outlives it), fading as both traces decay
    assert abs(change[0]) < 0.01 * np.max(np.abs(change))
    assert change[1] > change[2] > 0.01
    assert change[3] < 0 and change[4] < -0.01 and change[4] < change[5] < 0


def test_no_release_no_change_and_baseline_converts_slowly():
    rule = CalciumModulated()
    net, proj, shift = pairing_network(rule, releases=[-1e9, -1e9])
    net.run(9000.0)
    proj.synchronize()
    assert np.array_equal(proj.weight, [0.5, 0.5])
    assert proj.x_p.max() > 0.01 and proj.x_d.max() > 0.01  # the traces were there
    # a tonic baseline converts the traces without any release, as the reference says
    rule = CalciumModulated()
    net, proj, shift = pairing_network(rule, releases=[-1e9], baseline=0.2)
    net.run(9000.0)
    proj.synchronize()
    ref = reference(proj, [-1e9], shift, t_end=9000.0)
    assert proj.weight[0] != 0.5
    assert proj.weight == pytest.approx(ref, rel=1e-9)


def test_hard_bound_matches_the_reflected_reference():
    # starting near w_max, an early release converts the LTP trace up to the bound, then
    # (the LTD trace outliving it, modulator still present) takes the weight down again:
    # the bound must hold the weight while it presses on it, not cut the net change
    rule = CalciumModulated(w_max=0.6)
    net, proj, shift = pairing_network(rule, releases=[1000.0], tau_decay=20000.0, w0=0.55)
    net.run(80000.0)
    proj.synchronize()
    free = reference(proj, [1000.0], shift, w0=0.55, t_end=80000.0)[0]
    p = _params(proj)
    calcium = [(t + shift + p.D, p.C_pre) for t in PRE] + [(t + shift, p.C_post) for t in POST]
    releases = [(1000.0 + shift + DT, 1.0)]
    bounded = reference_weight(p, calcium, releases, 0.55, 80000.0, bounded=True)
    assert free < 0.6 and bounded < free - 0.01  # the bound was reached, and it matters
    assert proj.weight[0] == pytest.approx(bounded, abs=1e-9)
    # a modulator present during the pairing: the bound is reached within the parts
    # above a threshold, where it is applied at each part's end (measured: 2e-11)
    rule = CalciumModulated(w_max=0.6)
    net, proj, shift = pairing_network(
        rule, releases=[-50.0], tau_decay=1000.0, w0=0.59, amount=3.0
    )
    net.run(80000.0)
    proj.synchronize()
    releases = [(-50.0 + shift + DT, 3.0)]
    bounded = reference_weight(_params(proj), calcium, releases, 0.59, 80000.0, bounded=True)
    free = reference_weight(_params(proj), calcium, releases, 0.59, 80000.0)
    assert free > 1.0 and 0.59 < bounded < 0.6
    assert proj.weight[0] == pytest.approx(bounded, abs=1e-9)
    # and a weight pushed far beyond the bound stays at it
    rule = CalciumModulated(A_d=0.0, w_max=0.6)
    net, proj, _ = pairing_network(rule, releases=[1000.0], amount=50.0)
    net.run(11000.0)
    proj.synchronize()
    assert proj.weight[0] == 0.6


def _quiet_protocol(jump):
    rule = CalciumModulated()
    net, proj, shift = pairing_network(rule, releases=[1000.0, 60000.0 + 500.0], tau_decay=1000.0)
    net.run(9000.0)
    if jump:
        net.advance(55000.0)
    else:
        net.run(55000.0)
    proj.synchronize()
    early = (proj.weight.copy(), proj.S_syn.copy())
    net.run(10000.0)
    proj.synchronize()
    return early, (proj.weight.copy(), proj.S_syn.copy())


def test_fast_forward_equals_stepping():
    (w_run, s_run), (w_run2, s_run2) = _quiet_protocol(False)
    (w_ff, s_ff), (w_ff2, s_ff2) = _quiet_protocol(True)
    assert np.array_equal(w_run, w_ff) and np.array_equal(s_run, s_ff)
    # a later release reads the modulator, which the jump advanced by its own exact
    # solution (not the rounding of stepping)
    assert np.allclose(w_run2, w_ff2, rtol=1e-12, atol=0)
    assert np.allclose(s_run2, s_ff2, rtol=1e-12, atol=1e-300)
    assert w_run2[1] != w_run[1]  # the late release changed the weight


def test_checkpoint_round_trip_bit_for_bit(tmp_path):
    rule = CalciumModulated()
    net, proj, _ = pairing_network(rule, tau_decay=1000.0, tau_rise=300.0)
    net.run(6400.0)  # in the middle of the pairing
    net.save(tmp_path / "cm.ckpt")
    later = ns.Network.load(tmp_path / "cm.ckpt")
    net.run(8000.0)
    later.run(8000.0)
    other = later.projections["plastic"]
    assert np.array_equal(proj.weight, other.weight)
    assert np.array_equal(proj.S_syn, other.S_syn)
    assert np.any(proj.weight != 0.5)


def test_bad_input():
    net = ns.Network(dt=DT)
    pre = net.add_spike_generator("pre", 1, [1.0], [0])
    post = net.add_spike_generator("post", 1, [2.0], [0])
    with pytest.raises(ValueError, match="must read a modulator"):
        net.connect(pre, post, receptor=None, synapse="calcium_modulated")
    da = net.add_modulator("da", tau_decay=500.0)
    proj = net.connect(pre, post, receptor=None, synapse="calcium_modulated", modulator=da)
    # the rule integrates the modulator with the modulator's own values, also after a change
    P = proj.rule_constants()
    assert (P[M_RATE_D], P[M_BASE], P[M_RATE_R]) == (1 / 500.0, 0.0, 0.0)
    da.set_params(tau_decay=800.0, tau_rise=100.0, baseline=0.1)
    P = proj.rule_constants()
    assert (P[M_RATE_D], P[M_BASE], P[M_RATE_R]) == (1 / 800.0, 0.1, 1 / 100.0)
    with pytest.raises(ValueError, match=r"initial weights must lie in \[w_min, w_max\]"):
        net.connect(
            pre,
            post,
            receptor=None,
            synapse=CalciumModulated(),
            modulator=da,
            weight=2.0,
        )
    with pytest.raises(ValueError, match="theta_d = 1.5 must be below theta_p = 1.3"):
        CalciumModulated(theta_d=1.5)
    with pytest.raises(ValueError, match="w_min = 2.0 must not exceed w_max = 1.0"):
        CalciumModulated(w_min=2.0)
    with pytest.raises(ValueError, match="tau_p"):
        CalciumModulated(tau_p=0.0)
    with pytest.raises(ValueError, match="A_d"):
        CalciumModulated(A_d=-1.0)


def test_published_set_loads():
    rule = ns.synapses.synapse_model("calcium_modulated_gb2012_dp")
    assert isinstance(rule, CalciumModulated)
    assert (rule.params.C_pre, rule.params.C_post, rule.params.D) == (1.0, 2.0, 13.7)
