"""Operations between chunks (``Network.add_operation``): call times on the step grid,
bit-identity with runs without operations, writes that reach the loop, errors."""

from __future__ import annotations

import numpy as np
import pytest

import neurosim as ns
from neurosim.errors import SimulationError

DT = 0.1
#: Presynaptic spikes (ms) of the weight test: one every 2 ms.
SPIKES = np.arange(1.0, 40.0, 2.0)


def _network(backend="numba"):
    """A spike generator onto two current-based LIF cells (weights 100 pA, 1 ms delay)
    plus a Poisson-driven cell, with spikes and the synaptic current recorded."""
    net = ns.Network(dt=DT, seed=7, backend=backend)
    gen = net.add_spike_generator("gen", 1, SPIKES, np.zeros(SPIKES.size, dtype=int))
    cells = net.add_population("cells", 2, "lif")
    noise = net.add_poisson("noise", 20, rate=800.0)
    proj = net.connect(gen, cells, weight=100.0, delay=1.0, name="syn")
    net.connect(noise, cells, ns.FixedProbability(0.5), weight=60.0)
    current = net.record_state(cells, "I_syn_ex")
    spikes = net.record_spikes(cells)
    return net, proj, current, spikes


def test_operation_times_on_the_grid_as_brian2():
    """Called before the steps at start + k * every (ms) inside each run window; a time
    at the end of a run is called at the start of the next run, once."""
    net, _, _, _ = _network()
    seen = []
    op = net.add_operation(lambda n: seen.append(n.step), every=2.5, start=1.0, sync=False)
    net.run(10.0)
    assert seen == [10, 35, 60, 85]
    net.run(1.5)  # 10.0 .. 11.5: the time 11.0 ms
    net.run(2.5)  # 11.5 .. 14.0: the time 13.5 ms
    assert seen == [10, 35, 60, 85, 110, 135]
    assert op.calls == 6
    end = []
    net.add_operation(lambda n: end.append(n.step), every=1.0)
    net.run(1.0)  # 14.0 .. 15.0: 14.0 is due, 15.0 belongs to the next run
    assert end == [140]
    net.run(0.5)
    assert end == [140, 150]
    op.remove()
    net.run(5.0)
    assert op.calls == 6 and op not in net.operations


def test_operations_leave_results_bit_identical():
    """Chunks split at operation times (an operation that writes nothing) give the same
    spikes and samples, bit for bit, as one uninterrupted run."""
    results = []
    for every in (None, 0.7):
        net, _, current, spikes = _network()
        if every is not None:
            net.add_operation(lambda n: None, every=every)
        net.run(60.0)
        results.append((spikes.t.copy(), spikes.i.copy(), current.I_syn_ex.copy()))
    (t0, i0, v0), (t1, i1, v1) = results
    assert t0.size > 10
    np.testing.assert_array_equal(t0, t1)
    np.testing.assert_array_equal(i0, i1)
    np.testing.assert_array_equal(v0, v1)


def test_weights_written_by_an_operation_reach_the_loop():
    """``proj.weight[...] =`` and ``proj.weight = `` inside an operation change what the
    following spikes deliver: each jump of I_syn_ex, 1 ms after a presynaptic spike of
    step s, equals the weight in force before step s (the Poisson input's weights are
    set to 0 so that the generator's current is alone)."""
    net, proj, current, _ = _network()
    net.projections["noise_to_cells_exc"].weight = 0.0

    def rewire(n):
        if n.step == 100:
            proj.weight[0] = 250.0  # cell 0 only, in place
        elif n.step == 200:
            proj.weight = 40.0  # validated assignment, both cells

    net.add_operation(rewire, every=10.0, start=10.0)
    net.run(40.0)
    decay = np.exp(-DT / net.populations["cells"].model.params.tau_syn_ex)
    values = current.I_syn_ex  # (samples, neurons), sample k at step k
    jumps = values[1:] - values[:-1] * decay  # jumps[m - 1]: what arrived at step m
    arrivals = np.flatnonzero(np.abs(jumps[:, 1]) > 1e-6) + 1
    steps = np.rint(SPIKES / DT).astype(int)
    steps = steps[steps + 10 < values.shape[0]]
    np.testing.assert_array_equal(arrivals, steps + 10)
    for s in steps:
        expected = [100.0, 100.0] if s < 100 else [250.0, 100.0] if s < 200 else [40.0, 40.0]
        np.testing.assert_allclose(jumps[s + 9], expected, rtol=1e-12)


def test_exception_stops_the_run_keeping_records():
    """An exception in the function stops the run at its time with SimulationError
    naming the operation and the time; records up to then are kept."""
    net, _, current, _ = _network()

    def broken(n):
        if n.t >= 20.0:
            raise RuntimeError("model exploded")

    net.add_operation(broken, every=5.0)
    with pytest.raises(SimulationError, match=r"operation 'broken'.*t = 20 ms.*model exploded"):
        net.run(50.0)
    assert net.step == 200
    assert current.I_syn_ex.shape[0] == 200


def test_structural_change_inside_a_run_is_refused():
    net, _, _, _ = _network()
    net.add_operation(lambda n: n.record_rate("cells"), every=5.0, start=5.0, name="grow")
    with pytest.raises(SimulationError, match=r"operation 'grow' changed the network's structure"):
        net.run(10.0)
    assert net.step == 50


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"fn": 3, "every": 1.0}, TypeError, r"fn = 3 must be callable"),
        ({"fn": print, "every": 0.25}, ValueError, r"every = 0.25 ms is not a whole multiple"),
        ({"fn": print, "every": None}, ValueError, r"every = None"),
        ({"fn": print, "every": -1.0}, ValueError, r"every = -1.0 ms must be a positive"),
        ({"fn": print, "every": 1.0, "start": -2.0}, ValueError, r"start = -2.0 ms must be"),
        ({"fn": print, "every": 1.0, "start": 0.05}, ValueError, r"start = 0.05 ms is not"),
        ({"fn": print, "every": 1.0, "sync": 1}, TypeError, r"sync = 1 must be True or False"),
        ({"fn": print, "every": 1.0, "name": ""}, ValueError, r"name = '' must be"),
    ],
)
def test_bad_operation_arguments(kwargs, error, match):
    net = ns.Network(dt=0.2)
    with pytest.raises(error, match=match):
        net.add_operation(**kwargs)


def test_sync_brings_lazy_rule_state_to_the_present():
    """With ``sync=True`` every Graupner–Brunel synapse is current (its ``last_step`` is
    the present step) when the function runs; without, it is not."""
    net = ns.Network(dt=DT, seed=2)
    pre = net.add_spike_generator("pre", 2, [1.0, 2.0], [0, 1])
    post = net.add_spike_generator("post", 2, [1.5], [0])
    proj = net.connect(pre, post, receptor=None, synapse="graupner_brunel", weight=0.5)
    stamps = {}
    net.add_operation(
        lambda n: stamps.setdefault("sync", proj.last_step.copy()), every=5.0, start=5.0
    )
    net.run(6.0)
    np.testing.assert_array_equal(stamps["sync"], np.full(len(proj), 50.0))
    net.add_operation(
        lambda n: stamps.setdefault("lazy", proj.last_step.copy()),
        every=5.0,
        start=10.0,
        sync=False,
    )
    net.operations.pop(0)
    net.run(5.0)
    assert stamps["lazy"].max() < 100.0


@pytest.mark.brian2
def test_operations_in_the_brian2_backend():
    """The same operation (weights rewritten at 10 and 20 ms, times recorded) on both
    backends: the same call times and the same synaptic current (1e-9 relative)."""
    pytest.importorskip("brian2")
    out = {}
    for backend in ("numba", "brian2"):
        net, proj, current, _ = _network(backend)
        net.projections["noise_to_cells_exc"].weight = 0.0
        seen = []

        def rewire(n, proj=proj, seen=seen):
            seen.append(n.step)
            if n.step == 100:
                proj.weight[0] = 250.0
            elif n.step == 200:
                proj.weight = 40.0

        net.add_operation(rewire, every=10.0, start=10.0)
        net.run(40.0)
        out[backend] = (seen, current.I_syn_ex.copy(), proj.weight.copy())
    (s_a, c_a, w_a), (s_b, c_b, w_b) = out["numba"], out["brian2"]
    assert s_a == s_b == [100, 200, 300]
    np.testing.assert_array_equal(w_a, w_b)
    np.testing.assert_allclose(c_a, c_b, rtol=1e-9, atol=1e-9 * np.abs(c_b).max())
    assert np.abs(c_a).max() > 200.0
