"""Spike delivery kernels: a projection without a rule whose weights are all equal reads
one weight per row and gives the same sums, bit for bit; the flag follows the weights."""

import math

import numpy as np
import pytest

import neurosim as ns
from neurosim.kernels.delivery import propagate, propagate_static, same_weights
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
