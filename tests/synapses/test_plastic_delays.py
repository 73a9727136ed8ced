"""Per-synapse delays on plastic projections: synapse order, exact arrival times,
spikes in flight across a rebuild, pair STDP by hand and against Brian2."""

from __future__ import annotations

import numpy as np
import pytest

import neurosim as ns
from neurosim.synapses import PairSTDP
from tests.synapses.reference import trace

DT = 0.1
#: Delays of 1 to 20 ms (Izhikevich 2007), on the grid of DT.
DELAYS = np.array([20.0, 1.0, 7.5, 1.0, 13.2, 20.0])


def test_synapse_order_with_one_and_several_delays():
    """One delay: the connectivity rule's order by presynaptic neuron, and the rule sees
    the projection's own arrays. Several: by neuron, then delay (stable), and the rule's
    presynaptic index is neuron * G + delay group."""
    net = ns.Network(dt=DT, seed=1)
    pre = net.add_spike_generator("pre", 2, [1.0], [0])
    post = net.add_population("post", 3, "lif")
    one = net.connect(pre, post, weight=1.0, delay=2.0, synapse=PairSTDP(), name="one")
    ref = net.connect(pre, post, weight=1.0, delay=2.0, name="ref")
    assert one.rule_pre is one.pre and one.rule_indptr is one.indptr
    np.testing.assert_array_equal(one.post, ref.post)
    np.testing.assert_array_equal(one.delay_groups, [20])
    mixed = net.connect(
        pre, post, weight=np.arange(6.0), delay=DELAYS, synapse=PairSTDP(w_max=10.0)
    )
    # all-to-all draws (pre, post) in row order: delays 20, 1, 7.5 | 1, 13.2, 20 ms
    np.testing.assert_array_equal(mixed.pre, [0, 0, 0, 1, 1, 1])
    np.testing.assert_array_equal(mixed.delay_steps, [10, 75, 200, 10, 132, 200])
    np.testing.assert_array_equal(mixed.post, [1, 2, 0, 0, 1, 2])
    np.testing.assert_array_equal(mixed.weight, [1.0, 2.0, 0.0, 3.0, 4.0, 5.0])
    np.testing.assert_array_equal(mixed.delay_groups, [10, 75, 132, 200])
    np.testing.assert_array_equal(mixed.rule_pre, [0, 1, 3, 4, 6, 7])
    np.testing.assert_array_equal(mixed.rule_indptr, [0, 1, 2, 2, 3, 4, 4, 5, 6])
    assert mixed.S_pre.shape == (2, 8)


def _arrivals(frozen: bool):
    """One presynaptic spike at 5 ms through six synapses with delays of 1-20 ms onto
    six LIF cells; returns the step at which each cell's I_syn_ex first jumps."""
    net = ns.Network(dt=DT, seed=2)
    pre = net.add_spike_generator("pre", 1, [5.0], [0])
    cells = net.add_population("cells", 6, "lif")
    proj = net.connect(pre, cells, weight=50.0, delay=DELAYS, synapse=PairSTDP(w_max=100.0))
    proj.plastic = not frozen
    current = net.record_state(cells, "I_syn_ex")
    net.run(30.0)
    first = np.argmax(current.I_syn_ex > 0, axis=0)
    return first[proj.post], proj


@pytest.mark.parametrize("frozen", [False, True])
def test_arrival_times_are_exact(frozen):
    """A spike at step s reaches each synapse's target in the state at s + d (d its
    delay in steps), plastic or frozen."""
    first, proj = _arrivals(frozen)
    np.testing.assert_array_equal(first, 50 + proj.delay_steps)


def _stdp_network(backend, rebuild=False):
    """Four presynaptic and three postsynaptic spike generators (plasticity only, and
    onto current-driven LIF cells), delays drawn per synapse from 1-20 ms."""
    rng = np.random.default_rng(5)
    n_steps = 8000
    pre_steps = np.concatenate(
        [rng.choice(np.arange(10, n_steps - 300), 50, replace=False) for _ in range(4)]
    )
    post_steps = np.concatenate(
        [rng.choice(np.arange(10, n_steps - 300), 40, replace=False) for _ in range(3)]
    )
    net = ns.Network(dt=DT, seed=3, backend=backend)
    pre = net.add_spike_generator("pre", 4, pre_steps * DT, np.repeat(np.arange(4), 50))
    gen = net.add_spike_generator("gen", 3, post_steps * DT, np.repeat(np.arange(3), 40))
    cells = net.add_population("cells", 3, "lif")
    net.add_current(cells, ns.CurrentInput([390.0, 420.0, 450.0]))
    rule = PairSTDP(w_max=100.0, A_plus=0.01, A_minus=0.006)
    projections = []
    for target, receptor in ((gen, None), (cells, "exc")):
        delay = rng.integers(10, 201, 12) * DT  # 1-20 ms
        weight = rng.uniform(30.0, 70.0, 12)
        proj = net.connect(
            pre,
            target,
            weight=weight,
            delay=delay,
            receptor=receptor,
            synapse=rule,
            name=f"to_{target.name}",
        )
        projections.append(proj)
    monitors = [net.record_state(cells, "I_syn_ex"), net.record_spikes(cells)]
    return net, projections, monitors, (pre_steps * DT, post_steps * DT)


def _by_hand(proj, w0, pre_steps, post_steps, end):
    """Additive pair STDP per synapse, spike by spike: presynaptic events at arrival
    (spike step + delay - 1), before postsynaptic spikes of the same step; events from
    ``end`` on are not reached."""
    p = proj.synapse.params
    out = []
    for s in range(len(proj)):
        i, j = int(proj.pre[s]), int(proj.post[s])
        arrivals = np.sort(pre_steps[i]) + int(proj.delay_steps[s]) - 1
        posts = np.sort(post_steps[j])
        events = sorted([(int(m), 0) for m in arrivals] + [(int(m), 1) for m in posts])
        w = w0[s]
        for step, side in events:
            if step >= end:
                continue
            if side == 0:
                y = trace(posts * DT, step * DT, p.tau_minus, include_t=False)
                w = max(p.w_min, w - p.w_max * p.A_minus * y)
            else:
                x = trace(arrivals[arrivals <= step] * DT, step * DT, p.tau_plus)
                w = min(p.w_max, w + p.w_max * p.A_plus * x)
        out.append(w)
    return np.array(out)


def test_stdp_with_delays_by_hand_and_across_a_rebuild():
    """Final weights equal the pair rule evaluated spike by spike at each synapse's
    arrival times (1e-9 relative), onto spike generators and onto LIF cells; a run
    with a monitor added mid-run (a rebuild with spikes in flight in the history)
    gives the same weights bit for bit."""
    net, projections, (_, spikes), (pre_t, post_t) = _stdp_network("numba")
    twin, twin_projections, _, _ = _stdp_network("numba")
    pre_steps = [np.rint(pre_t[i * 50 : (i + 1) * 50] / DT).astype(int) for i in range(4)]
    gen_steps = [np.rint(post_t[j * 40 : (j + 1) * 40] / DT).astype(int) for j in range(3)]
    initial = [p.weight.copy() for p in projections]
    net.run(1000.0)
    twin.run(403.7)
    twin.record_rate("cells")  # rebuild with spikes in flight
    twin.run(596.3)
    cell_steps = [np.rint(spikes.t[spikes.i == j] / DT).astype(int) for j in range(3)]
    assert min(len(c) for c in cell_steps) > 5
    for proj, other, w0, posts in zip(
        projections, twin_projections, initial, (gen_steps, cell_steps), strict=True
    ):
        np.testing.assert_array_equal(proj.weight, other.weight)
        expected = _by_hand(proj, w0, pre_steps, posts, net.step)
        assert np.abs(expected - w0).min() > 1e-3
        np.testing.assert_allclose(proj.weight, expected, rtol=1e-9)


def _pre_traces_now(proj):
    """The presynaptic trace of each (neuron, delay) element that has synapses, brought
    to the present step."""
    used = np.unique(proj.rule_pre)
    gap = proj.network.step - proj.S_pre[1, used]
    return proj.S_pre[0, used] * np.exp(-gap * DT / proj.synapse.params.tau_plus)


@pytest.mark.brian2
def test_stdp_with_delays_matches_brian2():
    """The same network in Brian2 (per-synapse delays on the presynaptic pathway,
    per-synapse traces): weights, traces, postsynaptic currents and spikes agree to
    1e-9 relative after a continued run."""
    pytest.importorskip("brian2")
    out = {}
    for backend in ("numba", "brian2"):
        net, projections, (current, spikes), _ = _stdp_network(backend)
        net.run(400.0)
        net.run(600.0)
        out[backend] = (
            [p.weight.copy() for p in projections],
            [_pre_traces_now(p) for p in projections],
            current.I_syn_ex.copy(),
            spikes.t.copy(),
            spikes.i.copy(),
        )
    (w_a, pre_a, cur_a, t_a, i_a), (w_b, pre_b, cur_b, t_b, i_b) = out["numba"], out["brian2"]
    for a, b in zip(w_a, w_b, strict=True):
        assert not np.allclose(a, 0.0)
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9 * 100.0)
    for a, b in zip(pre_a, pre_b, strict=True):
        assert a.min() > 0.0  # every element has seen spikes (decayed since 770 ms)
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=0.0)
    np.testing.assert_allclose(cur_a, cur_b, rtol=1e-9, atol=1e-9 * np.abs(cur_b).max())
    np.testing.assert_array_equal(t_a, t_b)
    np.testing.assert_array_equal(i_a, i_b)
    assert t_a.size > 10


def test_history_keeps_past_steps_when_resized():
    """A history resized at a rebuild keeps the rows of the steps it still needs."""
    buffers = ns.Network().buffers
    old = buffers.history("history/p", 3, 2, 0)
    for m in range(5):  # steps 0..4; rows hold steps 3, 4, 2
        old[m % 3] = [1, 10 + m]
    new = buffers.history("history/p", 5, 2, 5)
    for m in (2, 3, 4):
        np.testing.assert_array_equal(new[m % 5], [1, 10 + m])
    np.testing.assert_array_equal(new[0], [0, 0])  # step 0 (or 5): nothing kept
    np.testing.assert_array_equal(new[1], [0, 0])
    assert buffers.history("history/p", 5, 2, 7) is new


@pytest.mark.brian2
def test_short_term_plasticity_with_delays_matches_brian2():
    """Tsodyks–Markram (a rule that transmits its state-dependent efficacy) with delays
    of 1-6 ms per synapse: the postsynaptic current agrees with Brian2 to 1e-9."""
    pytest.importorskip("brian2")
    from neurosim.synapses import synapse_model

    out = {}
    for backend in ("numba", "brian2"):
        rng = np.random.default_rng(1)
        net = ns.Network(dt=DT, seed=4, backend=backend)
        steps = np.arange(10, 2000, 7)[:60]
        pre = net.add_spike_generator("pre", 3, steps * DT, np.arange(60) % 3)
        cells = net.add_population("cells", 2, "lif")
        rule = synapse_model("tsodyks_markram_1998_depressing")
        delay = rng.integers(10, 61, 6) * DT
        net.connect(pre, cells, weight=rng.uniform(50.0, 100.0, 6), delay=delay, synapse=rule)
        current = net.record_state(cells, "I_syn_ex")
        net.run(120.0)
        net.run(100.0)
        out[backend] = current.I_syn_ex.copy()
    a, b = out["numba"], out["brian2"]
    assert np.abs(a).max() > 50.0
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9 * np.abs(b).max())


def test_number_of_delays_is_not_in_the_generated_loop():
    """Projections with 3 and 5 distinct delays share one generated loop (the delays are
    arguments), so drawing other delays never recompiles."""
    from neurosim.engine.loop import NumbaEngine

    sources = []
    for delays in ([1.0, 2.0, 3.0, 1.0, 2.0, 3.0], [1.0, 2.0, 3.0, 4.0, 5.0, 5.0]):
        net = ns.Network(dt=DT, seed=1)
        pre = net.add_spike_generator("pre", 2, [1.0], [0])
        post = net.add_population("post", 3, "lif")
        net.connect(pre, post, weight=1.0, delay=delays, synapse=PairSTDP(w_max=10.0))
        sources.append(NumbaEngine(net).source)
    assert "arrived(" in sources[0]
    assert sources[0] == sources[1]
