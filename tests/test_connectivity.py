"""Connection rules: counts, degrees, autapses, CSR and post index, distributions."""

import numpy as np
import pytest
from scipy.stats import chisquare, truncnorm

import neurosim as ns
from neurosim import connectivity as conn


def rng():
    return np.random.default_rng(0)


def test_all_to_all_with_and_without_autapses():
    pre, post = ns.AllToAll().pairs(4, 4, True, rng())
    assert len(pre) == 16
    pre, post = ns.AllToAll(autapses=False).pairs(4, 4, True, rng())
    assert len(pre) == 12 and not np.any(pre == post)
    pre, post = ns.AllToAll(autapses=False).pairs(4, 4, False, rng())
    assert len(pre) == 16  # different populations: no autapses to drop


def test_fixed_probability_count_within_four_sd():
    n, p = 1000, 0.05
    pre, post = ns.FixedProbability(p).pairs(n, n, False, rng())
    mean, sd = n * n * p, np.sqrt(n * n * p * (1 - p))
    assert abs(len(pre) - mean) < 4 * sd
    # in-degree distribution is binomial(n, p): variance within 10 % of n p (1-p)
    indeg = np.bincount(post, minlength=n)
    assert indeg.var() == pytest.approx(n * p * (1 - p), rel=0.1)


@pytest.mark.parametrize("p", [0.003, 0.05, 0.5])
def test_skip_ahead_draws_independent_bernoulli_pairs(p):
    """Geometric skip-ahead: every candidate pair with probability p, independently.
    Total count within 4 s.d. of n_pre n_post p; out- and in-degree variances those of
    Binomial; the targets uniform (chi-square over blocks of targets, p > 0.001); pairs
    sorted by presynaptic neuron, distinct, in range."""
    n_pre, n_post = 1500, 1300
    pre, post = ns.FixedProbability(p, method="skip").pairs(n_pre, n_post, False, rng())
    mean = n_pre * n_post * p
    assert abs(len(pre) - mean) < 4 * np.sqrt(mean * (1 - p))
    assert np.all(np.diff(pre) >= 0) and pre.max() < n_pre and post.max() < n_post
    index = pre * n_post + post
    assert np.all(np.diff(index) > 0)  # distinct pairs in row-major order
    for deg, n in ((np.bincount(pre, minlength=n_pre), n_post),
                   (np.bincount(post, minlength=n_post), n_pre)):  # fmt: skip
        assert deg.mean() == pytest.approx(n * p, rel=0.05)
        assert deg.var() == pytest.approx(n * p * (1 - p), rel=0.15)
    counts = np.bincount(post * 20 // n_post, minlength=20)
    assert chisquare(counts).pvalue > 0.001
    # the first and the last pair index are not favoured: a pair's chance is p everywhere
    halves = np.bincount(index * 2 // (n_pre * n_post), minlength=2)
    assert abs(halves[0] - halves[1]) < 4 * np.sqrt(len(index))


def test_skip_ahead_edges_and_autapses():
    empty = ns.FixedProbability(0.0, method="skip").pairs(50, 40, False, rng())
    assert len(empty[0]) == 0
    pre, post = ns.FixedProbability(1.0, method="skip").pairs(5, 4, False, rng())
    assert len(pre) == 20 and np.array_equal(pre * 4 + post, np.arange(20))
    pre, post = ns.FixedProbability(0.3, autapses=False, method="skip").pairs(300, 300, True, rng())
    assert len(pre) and not np.any(pre == post)
    with pytest.raises(ValueError, match="method"):
        ns.FixedProbability(0.1, method="fast")


def test_auto_keeps_the_dense_draw_below_the_threshold_and_skips_above(monkeypatch):
    """Below SKIP_AHEAD_PAIRS candidate pairs ``auto`` is the dense draw (every seed's
    connectivity unchanged); above, skip-ahead."""
    auto = ns.FixedProbability(0.1).pairs(300, 200, False, rng())
    dense = ns.FixedProbability(0.1, method="dense").pairs(300, 200, False, rng())
    skip = ns.FixedProbability(0.1, method="skip").pairs(300, 200, False, rng())
    assert all(np.array_equal(a, b) for a, b in zip(auto, dense, strict=True))
    monkeypatch.setattr(conn, "SKIP_AHEAD_PAIRS", 300 * 200 - 1)
    above = ns.FixedProbability(0.1).pairs(300, 200, False, rng())
    assert all(np.array_equal(a, b) for a, b in zip(above, skip, strict=True))


def test_fixed_in_and_out_degree_exact_and_distinct():
    pre, post = ns.FixedInDegree(7, autapses=False).pairs(20, 20, True, rng())
    assert np.all(np.bincount(post, minlength=20) == 7)
    assert not np.any(pre == post)
    assert len(set(zip(pre.tolist(), post.tolist(), strict=True))) == len(pre)
    pre, post = ns.FixedOutDegree(5).pairs(10, 30, False, rng())
    assert np.all(np.bincount(pre, minlength=10) == 5)
    with pytest.raises(ValueError, match="exceeds"):
        ns.FixedInDegree(20, autapses=False).pairs(20, 20, True, rng())


@pytest.mark.parametrize("method", ["loop", "batch"])
def test_fixed_degree_samplers_draw_uniform_subsets(method):
    """Both samplers: exactly k distinct partners per neuron; each partner with
    probability k / n (chi-square over 4000 neurons' draws); the overlap of a neuron's
    partners with a fixed set of m candidates hypergeometric (mean k m / n, variance
    k (m/n)(1 - m/n)(n - k)/(n - 1); within 4 standard errors), which a sampler
    favouring neighbouring or repeated values would break; within one population
    without autapses, never itself and every other neuron equally often."""
    n, k, owners = 60, 7, 4000
    pre, post = ns.FixedInDegree(k, method=method).pairs(n, owners, False, rng())
    assert np.all(np.bincount(post, minlength=owners) == k)
    rows = pre.reshape(owners, k)
    assert np.all(np.diff(rows, axis=1) > 0)  # distinct (and sorted)
    assert chisquare(np.bincount(pre, minlength=n)).pvalue > 1e-3
    m = 20
    overlap = (rows < m).sum(axis=1)
    mean = k * m / n
    var = k * (m / n) * (1 - m / n) * (n - k) / (n - 1)
    assert abs(overlap.mean() - mean) < 4 * np.sqrt(var / owners)
    assert abs(overlap.var() - var) < 4 * var * np.sqrt(2 / owners)
    n = 2000
    pre, post = ns.FixedInDegree(k, autapses=False, method=method).pairs(n, n, True, rng())
    assert not np.any(pre == post)
    assert chisquare(np.bincount(pre, minlength=n)).pvalue > 1e-3


def test_fixed_degree_auto_switches_to_batch_above_the_threshold(monkeypatch):
    """Up to BATCH_DEGREE_SYNAPSES ``auto`` draws neuron by neuron (every seed's
    connectivity unchanged); above, all at once where k * k fits the partners; the
    out-degree rule gives its pairs sorted by presynaptic neuron either way."""
    rule = ns.FixedOutDegree(5)
    loop = ns.FixedOutDegree(5, method="loop").pairs(300, 200, False, rng())
    batch = ns.FixedOutDegree(5, method="batch").pairs(300, 200, False, rng())
    auto = rule.pairs(300, 200, False, rng())
    assert all(np.array_equal(a, b) for a, b in zip(auto, loop, strict=True))
    assert not np.array_equal(loop[1], batch[1])
    monkeypatch.setattr(conn, "BATCH_DEGREE_SYNAPSES", 300 * 5 - 1)
    above = rule.pairs(300, 200, False, rng())
    assert all(np.array_equal(a, b) for a, b in zip(above, batch, strict=True))
    assert np.all(np.diff(above[0]) >= 0)
    dense = ns.FixedOutDegree(50).pairs(300, 200, False, rng())  # 50 * 50 > 200: loop
    looped = ns.FixedOutDegree(50, method="loop").pairs(300, 200, False, rng())
    assert all(np.array_equal(a, b) for a, b in zip(dense, looped, strict=True))
    with pytest.raises(ValueError, match="method"):
        ns.FixedInDegree(3, method="fast")
    with pytest.raises(ValueError, match="exceeds"):
        ns.FixedInDegree(20, autapses=False, method="batch").pairs(20, 20, True, rng())


def test_one_to_one_and_explicit():
    pre, post = ns.OneToOne().pairs(5, 5, False, rng())
    assert np.array_equal(pre, post)
    with pytest.raises(ValueError, match="equal sizes"):
        ns.OneToOne().pairs(5, 6, False, rng())
    pre, post = ns.Explicit([0, 2, 1], [1, 1, 0]).pairs(3, 2, False, rng())
    assert pre.tolist() == [0, 2, 1] and post.tolist() == [1, 1, 0]
    with pytest.raises(ValueError, match=r"post indices must be in \[0, 1\]"):
        ns.Explicit([0], [2]).pairs(3, 2, False, rng())
    with pytest.raises(ValueError, match="probability"):
        ns.FixedProbability(1.5)


def test_csr_layout_and_post_index(net):
    a = net.add_population("a", 4, "lif")
    b = net.add_population("b", 3, "lif")
    pre, post = [3, 0, 0, 2, 3], [0, 2, 1, 1, 1]
    w = [1.0, 2.0, 3.0, 4.0, 5.0]
    proj = net.connect(a, b, ns.Explicit(pre, post), weight=w, delay=[0.1, 0.2, 0.3, 0.4, 0.5])
    assert proj.indptr.tolist() == [0, 2, 2, 3, 5]
    assert proj.pre.tolist() == [0, 0, 2, 3, 3]
    assert proj.post.tolist() == [2, 1, 1, 0, 1]
    assert proj.weight.tolist() == [2.0, 3.0, 4.0, 1.0, 5.0]
    assert np.allclose(proj.delay, [0.2, 0.3, 0.4, 0.1, 0.5])
    ptr, syn = proj.post_index()
    for j in range(3):
        assert sorted(proj.post[syn[ptr[j] : ptr[j + 1]]].tolist()) == [j] * (ptr[j + 1] - ptr[j])
    assert ptr.tolist() == [0, 1, 4, 5]


def test_weight_and_delay_distributions(net):
    a = net.add_population("a", 200, "lif")
    proj = net.connect(
        a, a, ns.AllToAll(), weight=ns.Normal(10.0, 2.0, low=5.0), delay=ns.Uniform(0.1, 2.0)
    )
    w = proj.weight
    assert w.min() >= 5.0
    # mean of a normal truncated below at 2.5 s.d. (redrawn), 4 standard errors
    expected = truncnorm.mean(-2.5, np.inf, loc=10.0, scale=2.0)
    assert abs(w.mean() - expected) < 4 * truncnorm.std(-2.5, np.inf, scale=2.0) / np.sqrt(w.size)
    assert proj.delay.min() >= 0.1 and proj.delay.max() <= 2.0
    # delays are whole steps
    assert np.allclose(proj.delay / 0.1, np.round(proj.delay / 0.1))
    lw = conn.LogNormal(0.0, 0.5).draw(rng(), 100_000, "current", "w")
    assert np.median(lw) == pytest.approx(1.0, rel=0.02)


def test_peak_memory_of_a_large_build_is_close_to_what_it_keeps():
    """Skip-ahead pairs already in CSR order, one delay: the build's peak (NumPy's
    allocations, traced) stays below 40 bytes per synapse, against the 20 it keeps
    (4 + 4 indices, 8 weight, 4 delay) and the bound BYTES_PER_SYNAPSE that the
    memory check assumes."""
    import tracemalloc

    net = ns.Network(dt=0.1, seed=1)
    a = net.add_population("a", 20_000, "lif_cond")
    tracemalloc.start()
    try:
        proj = net.connect(a, a, ns.FixedProbability(0.004, method="skip"), weight=0.5)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    n = proj.n_synapses
    assert abs(n - 1.6e6) < 4 * np.sqrt(1.6e6)
    memory = proj.memory()
    assert memory["synapses"] == 20 * n + 8 * (20_000 + 1) == memory["total"]
    assert memory["total"] / n <= peak / n < 40 <= conn.BYTES_PER_SYNAPSE
