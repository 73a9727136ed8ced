"""Spike delivery kernels: a projection without a rule whose weights are all equal reads
one weight per row and gives the same sums, bit for bit; the flag follows the weights."""

import math

import numpy as np
import pytest

import neurosim as ns
from neurosim.kernels.delivery import (
    all_zero,
    propagate,
    propagate_delayed,
    propagate_static,
    same_weights,
)
from neurosim.kernels.prefetch import AHEAD
from neurosim.synapses.traces import TABLE_STEPS, decay_tables


def _csr(rng, n_pre, n_post, per_row):
    post = rng.integers(0, n_post, n_pre * per_row).astype(np.uint32)
    indptr = np.arange(0, n_pre * per_row + 1, per_row, dtype=np.int64)
    return indptr, post


@pytest.mark.parametrize("uniform", [0, 1])
def test_static_delivery_equals_the_general_kernel(uniform):
    rng = np.random.default_rng(4)
    indptr, post = _csr(rng, 50, 30, 7)  # repeated targets: order of the sums matters
    weight = np.full(post.size, 0.1) if uniform else rng.uniform(0, 1, post.size)
    spikes = np.array([3, 17, 17, 49, 0], dtype=np.int64)
    start = rng.uniform(-1, 1, 30)
    a, b = start.copy(), start.copy()
    events_a = propagate(indptr, post, weight, spikes, spikes.size, a)
    flag = np.array([int(same_weights(weight))], dtype=np.int64)
    assert flag[0] == uniform
    events_b = propagate_static(indptr, post, weight, flag, spikes, spikes.size, b)
    assert events_a == events_b == 35
    assert a.tobytes() == b.tobytes()


def test_same_weights_compares_bits():
    assert same_weights(np.full(5, 2.5))
    assert not same_weights(np.zeros(0))
    assert not same_weights(np.array([0.0, -0.0]))
    assert not same_weights(np.array([1.0, 1.0, 1.0 + 2**-52]))


def test_all_zero_compares_bits():
    assert all_zero(np.zeros(5)) and all_zero(np.zeros(0))
    assert not all_zero(np.array([0.0, -0.0]))
    assert not all_zero(np.array([0.0, 5e-324]))


@pytest.mark.parametrize("count", [0, 1, AHEAD, 2 * AHEAD + 3, 60])
def test_delivery_with_prefetch_equals_adding_in_order(count):
    """Rows of different lengths (empty ones, the last row ending the arrays) and
    spike lists shorter and longer than the prefetch distance: each kernel's sums are
    those of adding the weights one by one in row order (``np.add.at``)."""
    rng = np.random.default_rng(count)
    lengths = rng.integers(0, 12, 40)
    lengths[[0, 7, 39]] = 0, 0, 11
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    post = rng.integers(0, 25, indptr[-1]).astype(np.uint32)
    weight = rng.uniform(-1, 1, post.size)
    delay = rng.integers(1, 4, post.size).astype(np.int64)
    spikes = np.sort(rng.choice(40, min(count, 40), replace=False)).astype(np.int64)
    spikes = np.concatenate([spikes, [39] * (count - spikes.size)]).astype(np.int64)
    rows = [np.arange(indptr[i], indptr[i + 1]) for i in spikes]
    synapses = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    start = rng.uniform(-1, 1, 25)
    expected = start.copy()
    np.add.at(expected, post[synapses], weight[synapses])
    got = start.copy()
    assert propagate(indptr, post, weight, spikes, count, got) == synapses.size
    assert got.tobytes() == expected.tobytes()
    ring, n = np.zeros((4, 25)), 6
    ring_expected = ring.copy()
    np.add.at(ring_expected, ((n + delay[synapses]) % 4, post[synapses]), weight[synapses])
    assert propagate_delayed(indptr, post, weight, delay, spikes, count, ring, n) == synapses.size
    assert ring.tobytes() == ring_expected.tobytes()


def _currents(times, weights, change=None):
    """Synaptic currents of two LIF cells at 15 ms, both driven by one generator
    through equal ``weights`` (a list per cell); ``change``: "between" writes
    ``weight[1] = 300`` in place between two runs (5 ms + 10 ms), "operation" does it
    from an operation at 5 ms."""
    net = ns.Network(dt=0.1, seed=1)
    gen = net.add_spike_generator("gen", 1, times=times, indices=[0] * len(times))
    cells = net.add_population("cells", 2, "lif")
    proj = net.connect(gen, cells, ns.AllToAll(), weight=weights)
    if change == "operation":
        net.add_operation(lambda n: proj.weight.__setitem__(1, 300.0), every=100.0, start=5.0)
    net.run(5.0)
    if change == "between":
        proj.weight[1] = 300.0
    net.run(10.0)
    return cells.I_syn_ex.copy()


@pytest.mark.parametrize("change", ["between", "operation"])
def test_weights_written_in_place_are_delivered(change):
    """Equal weights (the loop reads one) until ``weight[1]`` is written in place:
    then the second spike reaches cell 1 with three times the weight. Cell 1's
    current is cell 0's plus twice what the second spike alone leaves at 100 pA."""
    after = _currents([1.0, 11.0], 100.0, change)
    second = _currents([11.0], 100.0)
    assert second[0] == second[1] > 0.0
    assert after[0] == _currents([1.0, 11.0], 100.0)[0]
    assert after[1] == pytest.approx(after[0] + 2.0 * second[0], rel=1e-12)


def test_decay_tables_are_the_c_library_exp():
    """The trace tables are ``math.exp`` bit for bit (NumPy's own exp differs by an
    ulp on some machines, which changed a seed's weights from machine to machine)."""
    table = decay_tables(0.1, 16.8, 33.7)
    expected = [math.exp(-k * 0.1 / tau) for tau in (16.8, 33.7) for k in range(TABLE_STEPS)]
    assert table.tolist() == expected


def _flags(net):
    engine = net._engine
    return [int(engine.args[engine.names.index(name)][0]) for name in ("Z1", "u0")]


def test_a_run_reads_no_more_values_than_its_steps_serve():
    """Before a run (or after an operation) the engine reads at most (steps until the
    next operation or the end) x (neurons) values to choose the fast paths: 10
    generators and 100 cells with 1000 equal weights are read in a run of 100 steps
    (11,000 values allowed) but in runs of 5 steps (550) only the 100 currents are;
    the weights then take the general path, which gives the same results bit for bit."""

    def build():
        net = ns.Network(dt=0.1, seed=1)
        gen = net.add_spike_generator("gen", 10, times=[0.5, 1.0, 2.0], indices=[0, 3, 9])
        cells = net.add_population("cells", 100, "lif")
        net.connect(gen, cells, ns.AllToAll(), weight=100.0)
        return net, cells

    long, cells_long = build()
    long.run(10.0)
    assert _flags(long) == [0, 1]  # no current row read, one weight read per row
    short, cells_short = build()
    for _ in range(20):
        short.run(0.5)
        assert _flags(short) == [0, 0]  # no current row read, every weight read
    assert cells_short.I_syn_ex.tobytes() == cells_long.I_syn_ex.tobytes()
    assert cells_short.v.tobytes() == cells_long.v.tobytes()
    assert cells_long.I_syn_ex.max() > 0.0
