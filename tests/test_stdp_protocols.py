"""The STDP protocol experiments with their defaults reproduce what the docs claim."""

import numpy as np

from neurosim.experiments.stdp_protocols import SJOSTROM_2001, stdp_frequency


def test_stdp_frequency_defaults_lie_within_two_sem_of_the_data():
    # docs/rules/calcium.md: with the defaults (cortical set, 75 pairs, 4000 synapses,
    # one seed) every +10 ms point lies within 2 s.e.m. of Sjöström et al. 2001
    data = SJOSTROM_2001[10.0]
    result = stdp_frequency(frequencies=sorted(data))
    assert result.summary["sem"] is None  # one seed: no estimate, not 0
    for f, change in zip(sorted(data), result.summary["synaptic_change"], strict=True):
        mean, sem = data[f]
        assert abs(change - mean) <= 2 * sem, (f, change, mean, sem)


def test_song_miller_abbott_set_gives_the_published_window():
    # Song, Miller & Abbott 2000: one pair changes g by A+ g_max exp(-dt/20 ms) (pre
    # first) or -1.05 A+ g_max exp(dt/20 ms); run_patterns starts at w = g_max / 2
    import math

    from neurosim.experiments.stdp_protocols import run_patterns

    change = run_patterns(
        "stdp_song_miller_abbott_2000", [([0.0], [10.0]), ([0.0], [-10.0])], 1, 1.0, synapses=2
    )
    expected = [1 + 2 * 0.005 * math.exp(-0.5), 1 - 2 * 1.05 * 0.005 * math.exp(-0.5)]
    np.testing.assert_allclose(change, expected, rtol=1e-12)
