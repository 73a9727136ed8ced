import numpy as np
import pytest

import neurosim as ns


@pytest.fixture
def net():
    """A fresh network with dt = 0.1 ms and a fixed seed."""
    return ns.Network(dt=0.1, seed=1234)


def assert_close(actual, expected, atol, what=""):
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    err = np.max(np.abs(actual - expected)) if actual.size else 0.0
    assert err <= atol, f"{what}: max |difference| {err} > {atol}"
