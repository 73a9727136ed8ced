import math

import numpy as np
import pytest
from numba import njit

from neurosim.kernels import rng
from neurosim.kernels.rng import kernel_state, next_uint64, normal, uniform, ziggurat_tables


@njit
def _draw_normals(s, n):
    out = np.empty(n)
    for k in range(n):
        out[k] = normal(s)
    return out


@njit
def _draw_buffered(R, n, block):
    # consumed in blocks of 100 (so refills discard the last 48 of each buffer)
    out = np.empty(n)
    k = 0
    while k < n:
        m = min(block, n - k)
        off = rng.take_normals(R, m)
        out[k : k + m] = R[off : off + m].view(np.float64)
        k += m
    return out


def _sample(kind):
    if kind == "scalar":
        return _draw_normals(kernel_state(7, "normal-test"), 1_000_000)
    return _draw_buffered(rng.buffered_state(7, "normal-test"), 1_000_000, 100)


def test_xoshiro256starstar_reference_outputs():
    # Reference outputs of xoshiro256** from state {1, 2, 3, 4} (Blackman & Vigna's
    # reference C implementation).
    s = np.array([1, 2, 3, 4], dtype=np.uint64)
    out = [int(next_uint64(s)) for _ in range(4)]
    assert out == [11520, 0, 1509978240, 1215971899390074240]


def test_uniform_moments_and_stream_independence():
    s = kernel_state(1, "a")
    x = np.array([uniform(s) for _ in range(200_000)])
    assert abs(x.mean() - 0.5) < 4 * np.sqrt(1 / 12 / x.size)
    assert 0.0 <= x.min() and x.max() < 1.0
    assert not np.array_equal(kernel_state(1, "a"), kernel_state(1, "b"))
    assert np.array_equal(kernel_state(1, "a"), kernel_state(1, "a"))


def test_ziggurat_tables_close_and_have_equal_areas():
    # Each layer i >= 1 is the rectangle [0, x_i] x [f(x_i), f(x_{i+1})]; all 256
    # layers (the base strip included) must have the same area v, and the top edge
    # must be exactly 0 (Marsaglia & Tsang 2000).
    x, f = ziggurat_tables()
    v = x[0] * f[1]
    areas = x[1:-1] * (f[2:] - f[1:-1])
    assert np.allclose(areas, v, rtol=1e-12, atol=0)
    assert x[-1] == 0.0 and f[-1] == 1.0
    # the base strip: rectangle [0, r] x [0, f(r)] plus the tail integral
    assert abs(v - (x[1] * f[1] + np.sqrt(np.pi / 2) * math.erfc(x[1] / np.sqrt(2)))) < 1e-17


@pytest.mark.parametrize("kind", ["scalar", "buffered"])
def test_normal_matches_the_standard_normal_distribution(kind):
    # 10^6 draws: Kolmogorov-Smirnov against the exact CDF, the first four moments
    # within 5 standard errors, and the tail beyond r = 3.654 (drawn by the separate
    # tail method) with its exact probability 2.58e-4 within 5 standard errors.
    # "buffered": the vectorised generator, whose rejected fast tests finish with the
    # scalar stream.
    from scipy import stats

    x = _sample(kind)
    n = x.size
    assert stats.kstest(x, "norm").pvalue > 1e-3
    assert abs(x.mean()) < 5 / np.sqrt(n)
    assert abs(x.var() - 1.0) < 5 * np.sqrt(2 / n)
    assert abs(stats.skew(x)) < 5 * np.sqrt(6 / n)
    assert abs(stats.kurtosis(x)) < 5 * np.sqrt(24 / n)
    p_tail = 2 * stats.norm.sf(3.6541528853610088)
    tail = np.mean(np.abs(x) > 3.6541528853610088)
    assert abs(tail - p_tail) < 5 * np.sqrt(p_tail / n)
    # beyond the tail boundary the shape too: P(|x| > 4.5) / P(|x| > r)
    far = np.mean(np.abs(x) > 4.5)
    assert abs(far - 2 * stats.norm.sf(4.5)) < 5 * np.sqrt(2 * stats.norm.sf(4.5) / n) + 1e-7


def test_buffered_normals_are_uncorrelated_across_lanes_and_refills():
    # Neighbouring values come from different lanes, values 64 apart from one lane's
    # successive outputs: neither may be correlated (|r| < 5 / sqrt(n)); seeds and
    # component names give different streams, the same ones the same stream.
    x = _sample("buffered")
    n = x.size
    for lag in (1, 2, 7, 8, rng.LANES, rng.NORMAL_BUFFER):
        r = np.corrcoef(x[:-lag], x[lag:])[0, 1]
        assert abs(r) < 5 / np.sqrt(n), (lag, r)
    a = _draw_buffered(rng.buffered_state(7, "a"), 5000, 100)
    assert np.array_equal(a, _draw_buffered(rng.buffered_state(7, "a"), 5000, 100))
    assert not np.array_equal(a, _draw_buffered(rng.buffered_state(7, "b"), 5000, 100))
    assert not np.array_equal(a, _draw_buffered(rng.buffered_state(8, "a"), 5000, 100))
