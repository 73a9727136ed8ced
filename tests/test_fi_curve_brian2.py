"""The f-I curves of AdEx and Izhikevich against Brian2 running the same equations."""

import numpy as np
import pytest

from neurosim.experiments.fi_curve import run


@pytest.mark.brian2
@pytest.mark.parametrize(
    "model, currents",
    [("adex", [800.0, 1000.0, 1300.0, 1600.0]), ("izhikevich", [4.0, 8.0, 14.0, 20.0])],
)
def test_fi_curve_matches_brian2(model, currents):
    kw = dict(model=model, currents=currents, duration=800.0, transient=300.0)
    ours = np.array(run(**kw).summary["rate_hz"])
    ref = np.array(run(backend="brian2", **kw).summary["rate_hz"])
    assert np.all(ours > 0)
    # identical schemes give identical spike trains (differences at rounding level)
    np.testing.assert_allclose(ours, ref, rtol=1e-9)
