"""Spikes, weights and samples of the networks in ``tests/golden.py`` are bit-identical to
those saved before the engine was reshaped (``tests/data/golden.npz``)."""

from pathlib import Path

import numpy as np
import pytest

from tests import golden

SAVED = np.load(Path(__file__).parent / "data" / "golden.npz")


@pytest.mark.parametrize("name", list(golden.networks()))
def test_same_results_as_before(name):
    out = golden.outcome(name)
    saved = {k for k in SAVED.files if k.startswith(f"{name}/")}
    assert set(out) == saved
    assert sum(out[k].size for k in out if k.endswith("spike_i")) > 0
    for key in sorted(saved):
        np.testing.assert_array_equal(out[key], SAVED[key], err_msg=key)
