import sys

import numpy as np
import pytest

import neurosim as ns


@pytest.fixture(autouse=True)
def _close_figures():
    """Close the figures a test opened: experiments return their figures open, and a
    worker that runs many test files would otherwise pass matplotlib's limit of 20
    open figures, whose warning fails whichever test opens the next one."""
    yield
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")


@pytest.fixture
def net():
    """A fresh network with dt = 0.1 ms and a fixed seed."""
    return ns.Network(dt=0.1, seed=1234)


def assert_close(actual, expected, atol, what=""):
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    err = np.max(np.abs(actual - expected)) if actual.size else 0.0
    assert err <= atol, f"{what}: max |difference| {err} > {atol}"
