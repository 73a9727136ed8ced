import math

import numpy as np
from numba import njit

from neurosim.engine import vmath


@njit
def _apply(x, out):
    for i in range(x.shape[0]):
        out[i] = vmath.exp(x[i])


def _exp(x):
    out = np.empty_like(x)
    _apply(x, out)
    return out


def test_exp_within_one_ulp_of_the_c_library():
    # 3e6 arguments over the whole normal range, the small range of exponential-Euler
    # factors and |x| < 1; the C library's exp is itself within 1 ulp, so the two may
    # differ by up to 2 ulp of the true value but not more.
    rng = np.random.default_rng(0)
    x = np.concatenate(
        [rng.uniform(-708.39, 709.78, 10**6), rng.uniform(-1, 0, 10**6), rng.uniform(-1, 1, 10**6)]
    )
    got, ref = _exp(x), np.exp(x)
    ulp = np.spacing(ref)
    assert np.max(np.abs(got - ref) / ulp) <= 2.0
    assert np.mean(got == ref) > 0.8


def test_exp_special_values():
    x = np.array([0.0, -0.0, 1.0, -1.0, 709.78, 710.0, np.inf, -708.39, -709.0, -np.inf, np.nan])
    got = _exp(x)
    assert got[0] == 1.0 and got[1] == 1.0
    assert abs(got[2] - math.e) <= np.spacing(math.e) and abs(got[3] - 1 / math.e) < 1e-16
    assert np.isfinite(got[4]) and got[4] > 1.7e308
    assert got[5] == np.inf and got[6] == np.inf
    assert got[7] > 2.2e-308
    assert got[8] == 0.0 and got[9] == 0.0  # below the smallest normal: flushed to 0
    assert np.isnan(got[10])
