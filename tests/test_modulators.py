"""Neuromodulators and per-neuron plasticity rows.

References: the exact solutions of the modulator's linear equations (module docstring
of :mod:`neurosim.neurons.modulator`), the closed-form integral of an exponential
eligibility trace times an exponentially decaying concentration (checked also by
numerical quadrature), the engine's own recorded state, and Brian2 running the same
equations.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.integrate import quad

import neurosim as ns
from neurosim.neurons.modulator import Modulator, peak_time, step_modulator
from tests.synapses.modulated_rule import EligibilityProbe

DT = 0.1


def _release_net(backend="numba", dt=DT, every=None, **params):
    """A modulator receiving releases of weight 2 at 1.0 ms and 1.5 at 4.0 ms."""
    net = ns.Network(dt=dt, seed=3, backend=backend)
    da = net.add_modulator("da", **params)
    gen = net.add_spike_generator("reward", 1, times=[1.0, 4.0], indices=[0, 0])
    net.connect(gen, da, ns.AllToAll(), weight=2.0, receptor="release", name="reward_da")
    gen2 = net.add_spike_generator("reward2", 1, times=[4.0], indices=[0])
    net.connect(gen2, da, ns.AllToAll(), weight=-0.5, receptor="release", name="reward2_da")
    mon = net.record_state(da, ["c", "r"], every=every)
    return net, da, mon


def _analytic(t, releases, baseline, tau_d, tau_r):
    """Concentration at times ``t`` (ms) after releases ``(time, weight)``."""
    c = np.full_like(t, baseline)
    h = 1.0
    if tau_r > 0:
        tp = peak_time(tau_d, tau_r)
        h = math.exp(-tp / tau_d) - math.exp(-tp / tau_r)
    for t0, w in releases:
        s = t - t0
        on = s >= -1e-9
        s = np.where(on, s, 0.0)
        shape = np.exp(-s / tau_d) - (np.exp(-s / tau_r) if tau_r > 0 else 0.0)
        c += np.where(on, w / h * shape, 0.0)
    return c


# a spike of step k (time k dt) is delivered in step k and is in the state at t_{k+1}
RELEASES = [(1.1, 2.0), (4.1, 2.0 - 0.5)]


def test_instant_release_decays_exactly():
    net, da, mon = _release_net(tau_decay=20.0, baseline=0.5)
    net.run(30.0)
    expected = _analytic(mon.t, RELEASES, 0.5, 20.0, 0.0)
    assert np.allclose(mon.c[:, 0], expected, rtol=1e-12, atol=0)
    assert np.all(mon.r == 0.0)
    # one release of weight w raises c by exactly w above its value
    k = int(round(1.1 / DT))
    assert mon.c[k, 0] - mon.c[k - 1, 0] == pytest.approx(2.0, rel=1e-12)


def test_rise_follows_the_difference_of_exponentials():
    net, da, mon = _release_net(tau_decay=40.0, tau_rise=8.0, baseline=0.2)
    net.run(80.0)
    expected = _analytic(mon.t, RELEASES, 0.2, 40.0, 8.0)
    assert np.allclose(mon.c[:, 0], expected, rtol=1e-12, atol=1e-14)


def test_rise_peaks_at_the_documented_time_minutes_after_the_cause():
    # illness signal: tau_decay 30 min, tau_rise 6 min, injection at 1 s; dt 1 ms
    minute = 60_000.0
    net = ns.Network(dt=1.0, seed=1)
    ill = net.add_modulator("illness", tau_decay=30 * minute, tau_rise=6 * minute)
    inj = net.add_spike_generator("injection", 1, times=[1000.0], indices=[0])
    net.connect(inj, ill, weight=1.0, receptor="release")
    mon = net.record_state(ill, "c", every=1000.0)
    net.run(25 * minute)
    t_peak = 6 * 30 / 24 * math.log(5) * minute  # tau_r tau_d / (tau_d - tau_r) ln(tau_d/tau_r)
    assert ill.model.peak_time() == pytest.approx(t_peak, rel=1e-14)
    assert t_peak / minute == pytest.approx(12.07, abs=0.01)
    # the sampled maximum is the sample nearest the release (1001 ms) + t_peak, at 1.0
    k = int(np.argmax(mon.c[:, 0]))
    assert abs(mon.t[k] - (1001.0 + t_peak)) <= 500.0
    assert mon.c[k, 0] == pytest.approx(1.0, abs=1e-6)


def test_advance_quiet_equals_stepping():
    model = Modulator(tau_decay=35.0, tau_rise=7.0, baseline=0.3)
    P = model.constants(DT)
    start = np.array([[1.7, -0.4, 0.3], [0.9, 2.5, 0.0]])
    stepped = start.copy()
    A, B, R = np.zeros((0, 0)), np.zeros(0, np.int64), np.zeros(4, np.uint64)
    spikes, current = np.zeros(3, np.int64), np.zeros(3)
    for n in range(2000):
        assert step_modulator(stepped, P, A, B, R, current, n, spikes) == 0
    jumped = start.copy()
    assert model.advance_quiet(jumped, P, DT, 2000) is True
    assert np.allclose(jumped, stepped, rtol=1e-12, atol=1e-15)
    instant = Modulator(tau_decay=35.0)
    S = start.copy()
    S[1] = 0.0
    instant.advance_quiet(S, instant.constants(DT), DT, 500)
    assert np.allclose(S[0], 0.0 + start[0] * math.exp(-500 * DT / 35.0), rtol=1e-13)


def test_releases_are_counted_as_modulator_events():
    net, da, mon = _release_net(tau_decay=20.0)
    net.run(10.0)
    counts = net.counters()
    assert counts["modulator_events/reward_da"] == 2
    assert counts["modulator_events/reward2_da"] == 1
    assert "synaptic_events/reward_da" not in counts
    assert counts["spikes/da"] == 0


def _reader_net(n_mod):
    """Three presynaptic neurons firing one-to-one onto three cells through two
    plastic projections (per-neuron rows shared), reading a modulator of ``n_mod``."""
    net = ns.Network(dt=DT, seed=2)
    cells = net.add_population("cells", 3, "lif")
    cells.v = [-60.0, -65.0, -68.0]
    da = net.add_modulator("da", n_mod, tau_decay=25.0)
    rel = net.add_spike_generator("rel", n_mod, times=[1.0] * n_mod, indices=range(n_mod))
    weights = [1.0, 2.0, 3.0][:n_mod]
    net.connect(rel, da, ns.OneToOne(), weight=weights, receptor="release")
    pre = net.add_spike_generator("pre", 3, times=[3.0, 3.0, 5.0, 6.0], indices=[0, 1, 2, 0])
    rule = EligibilityProbe(tau_e=20.0, tau_m=25.0)
    a = net.connect(pre, cells, ns.OneToOne(), weight=0.0, synapse=rule, modulator=da, name="a")
    b = net.connect(pre, cells, ns.OneToOne(), weight=0.0, synapse=rule, modulator="da", name="b")
    return net, cells, da, a, b


@pytest.mark.parametrize("n_mod", [1, 3])
def test_rule_kernels_read_modulator_post_state_and_shared_rows(n_mod):
    net, cells, da, a, b = _reader_net(n_mod)
    v = net.record_state(cells, "v")
    protein = net.record_state(cells, "protein")
    net.run(8.0)
    # last presynaptic event of each synapse (pre j -> cell j): 6.0, 3.0, 5.0 ms
    last = np.array([6.0, 3.0, 5.0])
    steps = np.rint(last / DT).astype(int)
    amplitude = np.array([1.0, 2.0, 3.0]) if n_mod == 3 else np.ones(3)
    # the kernel runs after the update of its step: it sees the state at t_{n+1}
    seen_m = amplitude * np.exp(-(steps + 1 - 11) * DT / 25.0)
    for proj in (a, b):
        assert np.allclose(proj.m_seen, seen_m, rtol=1e-12)
        assert np.array_equal(proj.v_seen, v.v[steps + 1, [0, 1, 2]])
    # both projections add 1 per presynaptic event into the one shared row
    assert cells.neuron_row_names == ("protein",)
    assert np.array_equal(cells.protein, [4.0, 2.0, 2.0])
    assert cells.protein is not None and np.shares_memory(cells.protein, cells.neuron_rows)
    k = np.rint(protein.t / DT).astype(int)
    assert np.array_equal(protein.protein[:, 0], np.where(k > 60, 4.0, np.where(k > 30, 2.0, 0.0)))
    assert np.array_equal(protein.protein[:, 2], np.where(k > 50, 2.0, 0.0))


def test_modulator_handler_closes_the_integral_exactly():
    tau_e, tau_m, w1, w2 = 20.0, 25.0, 1.5, 0.7
    net = ns.Network(dt=DT, seed=5)
    cells = net.add_population("cells", 2, "lif")
    da = net.add_modulator("da", tau_decay=tau_m)
    rel = net.add_spike_generator("rel", 1, times=[4.0, 9.0], indices=[0, 0])
    feed = net.connect(rel, da, weight=w1, receptor="release", name="feed")
    pre = net.add_spike_generator("pre", 2, times=[1.0, 2.0], indices=[0, 1])
    rule = EligibilityProbe(tau_e=tau_e, tau_m=tau_m)
    proj = net.connect(pre, cells, ns.OneToOne(), weight=0.0, synapse=rule, modulator=da)
    net.run(6.0)
    feed.weight = [w2]  # the second release has another weight
    net.run(7.0)
    # e jumps at 1.0 / 2.0 ms (steps 10, 20); releases are in the state at 4.1 and 9.1 ms;
    # the first handler call closes nothing (m = 0), the second closes [4.1, 9.1] ms
    t_e = np.array([1.0, 2.0])
    t1, t2 = 4.1, 9.1
    tau = 1.0 / (1.0 / tau_e + 1.0 / tau_m)
    e1 = np.exp(-(t1 - t_e) / tau_e)
    closed = e1 * w1 * tau * (1.0 - math.exp(-(t2 - t1) / tau))
    assert np.allclose(proj.weight, closed, rtol=1e-12)
    for s in range(2):
        numeric, _ = quad(
            lambda t, s=s: math.exp(-(t - t_e[s]) / tau_e) * w1 * math.exp(-(t - t1) / tau_m),
            t1,
            t2,
        )
        assert proj.weight[s] == pytest.approx(numeric, rel=1e-10)
    # the handler saw the concentration just before the second release
    assert np.allclose(proj.m_before, w1 * math.exp(-(t2 - t1) / tau_m), rtol=1e-12)
    assert np.allclose(proj.m_last, w1 * math.exp(-(t2 - t1) / tau_m) + w2, rtol=1e-12)
    counts = net.counters()
    assert counts["modulator_events/feed"] == 2
    # two presynaptic events, two handler calls over both synapses
    assert counts[f"plasticity_updates/{proj.name}"] == 2 + 2 * 2


@pytest.mark.brian2
def test_brian2_runs_the_same_modulator():
    pytest.importorskip("brian2")
    traces = {}
    for backend in ("numba", "brian2"):
        net, da, mon = _release_net(backend, tau_decay=40.0, tau_rise=8.0, baseline=0.2)
        net.run(30.0)
        traces[backend] = (mon.t.copy(), mon.c.copy(), mon.r.copy())
    (t0, c0, r0), (t1, c1, r1) = traces["numba"], traces["brian2"]
    assert np.array_equal(t0, t1)
    # both exact solutions of one linear system, differing by rounding only
    assert np.max(np.abs(c0 - c1)) < 1e-12
    assert np.max(np.abs(r0 - r1)) < 1e-12
    assert np.max(np.abs(c0 - 0.2)) > 1.0  # the releases arrived


@pytest.mark.brian2
def test_brian2_shares_per_neuron_rows():
    pytest.importorskip("brian2")
    recorded = {}
    for backend in ("numba", "brian2"):
        net = ns.Network(dt=DT, seed=4, backend=backend)
        cells = net.add_population("cells", 3, "lif")
        pre = net.add_spike_generator("pre", 3, times=[1.0, 1.0, 2.5, 3.0], indices=[0, 1, 2, 0])
        for name in ("a", "b"):
            net.connect(
                pre, cells, ns.OneToOne(), weight=0.0, synapse=EligibilityProbe(), name=name
            )
        mon = net.record_state(cells, "protein")
        net.run(5.0)
        recorded[backend] = (mon.t.copy(), mon.protein.copy(), cells.protein.copy())
    (t0, p0, end0), (t1, p1, end1) = recorded["numba"], recorded["brian2"]
    assert np.array_equal(t0, t1) and np.array_equal(p0, p1)
    assert np.array_equal(end0, [4.0, 2.0, 2.0]) and np.array_equal(end1, end0)


@pytest.mark.brian2
def test_brian2_refuses_a_rule_reading_a_modulator():
    pytest.importorskip("brian2")
    net = ns.Network(dt=DT, backend="brian2")
    cells = net.add_population("cells", 1, "lif")
    da = net.add_modulator("da")
    pre = net.add_spike_generator("pre", 1, times=[1.0], indices=[0])
    net.connect(pre, cells, synapse=EligibilityProbe(), modulator=da, name="reads")
    with pytest.raises(NotImplementedError, match="'reads' reads modulator 'da'"):
        net.run(1.0)


def test_bad_modulator_parameters():
    net = ns.Network(dt=DT)
    with pytest.raises(ValueError, match="'tau_decay' = 0.0"):
        net.add_modulator("a", tau_decay=0.0)
    with pytest.raises(ValueError, match="'tau_rise' = -1.0"):
        net.add_modulator("a", tau_rise=-1.0)
    with pytest.raises(ValueError, match="'tau_rise' = 300.0 ms must be 0 or below tau_decay"):
        net.add_modulator("a", tau_decay=200.0, tau_rise=300.0)
    with pytest.raises(ValueError, match="'baseline' = nan"):
        net.add_modulator("a", baseline=float("nan"))
    with pytest.raises(TypeError, match="unknown parameter"):
        net.add_modulator("a", tau=1.0)
    with pytest.raises(ValueError, match="population size n = 0"):
        net.add_modulator("a", n=0)


def test_bad_modulator_references():
    net = ns.Network(dt=DT)
    cells = net.add_population("cells", 3, "lif")
    pre = net.add_spike_generator("pre", 3, times=[1.0], indices=[0])
    rule = EligibilityProbe()
    with pytest.raises(TypeError, match="modulator = .*cells.* must be a modulator population"):
        net.connect(pre, cells, synapse=rule, modulator=cells)
    other = ns.Network(dt=DT).add_modulator("da")
    with pytest.raises(TypeError, match="must be a modulator population of this network"):
        net.connect(pre, cells, synapse=rule, modulator=other)
    da2 = net.add_modulator("da2", n=2)
    with pytest.raises(ValueError, match=r"n = 2 .* n = 1 \(global\) or n = 3"):
        net.connect(pre, cells, synapse=rule, modulator=da2)
    da = net.add_modulator("da")
    with pytest.raises(ValueError, match="needs a plasticity rule"):
        net.connect(pre, cells, modulator=da)
    with pytest.raises(ValueError, match="no population 'dopamine'"):
        net.connect(pre, cells, synapse=rule, modulator="dopamine")


def test_handled_releases_must_arrive_in_one_step():
    net = ns.Network(dt=DT)
    cells = net.add_population("cells", 1, "lif")
    da = net.add_modulator("da")
    rel = net.add_spike_generator("rel", 1, times=[1.0], indices=[0])
    net.connect(rel, da, receptor="release", delay=0.5, name="late")
    pre = net.add_spike_generator("pre", 1, times=[1.0], indices=[0])
    net.connect(pre, cells, synapse=EligibilityProbe(), modulator=da)
    with pytest.raises(ValueError, match="'late' releases into modulator 'da'.*delay = dt"):
        net.run(1.0)


def test_bad_rows():
    net = ns.Network(dt=DT)
    cells = net.add_population("cells", 2, "lif")
    pre = net.add_spike_generator("pre", 2, times=[1.0], indices=[0])
    net.connect(pre, cells, synapse=EligibilityProbe())
    cells.protein = [0.5, 1.5]
    assert np.array_equal(cells.neuron_rows, [[0.5, 1.5]])
    with pytest.raises(ValueError, match=r"cells.protein needs a finite scalar or 2 values"):
        cells.protein = [1.0, np.inf]
    with pytest.raises(ValueError, match="mixes per-neuron rows"):
        net.record_state(cells, ["v", "protein"])
    with pytest.raises(ValueError, match="no state variable 'proteins'"):
        net.record_state(cells, "proteins")

    class Clash(EligibilityProbe):
        neuron_vars = (("protein", "current"),)

    with pytest.raises(ValueError, match="row 'protein' .* dimension '1' .* got 'current'"):
        net.connect(pre, cells, synapse=Clash())

    class OnState(EligibilityProbe):
        neuron_vars = (("v", "1"),)

    with pytest.raises(ValueError, match="row 'v' clashes with a state variable"):
        net.connect(pre, cells, synapse=OnState())
