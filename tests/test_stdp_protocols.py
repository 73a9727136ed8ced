"""The STDP protocol experiments with their defaults reproduce what the docs claim."""

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
