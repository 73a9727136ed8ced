"""The f-I curve near the rheobase: monotonic, and equal to the steady state of a long run."""

import numpy as np

from neurosim.experiments.fi_curve import run


def test_adex_curve_near_rheobase_is_monotonic_and_steady():
    currents = np.arange(624.0, 634.0, 1.0)  # the AdEx default rheobase lies at 627-628 pA
    rate = np.array(run(model="adex", currents=currents).summary["rate_hz"])
    assert np.all(np.diff(rate) >= 0), rate
    assert rate[0] == 0 and rate[-1] > 0
    # the steady state of a run ten times as long (periods of 300-700 ms reach it)
    steady = np.array(
        run(model="adex", currents=currents, duration=20000.0, transient=10000.0).summary["rate_hz"]
    )
    np.testing.assert_allclose(rate, steady, rtol=5e-3)
