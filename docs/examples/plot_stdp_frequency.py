"""
Frequency dependence of plasticity against data
===============================================

Synaptic change after 75 pairings at +10 ms against the pairing frequency, for the
cortical parameter set of the Graupner–Brunel rule, beside the data of Sjöström et al.
2001 (mean ± s.e.m.): the ``stdp-frequency`` experiment with 800 synapses and four
frequencies (its defaults: 4000 synapses, eight frequencies).
"""

from neurosim.experiments import stdp_protocols

result = stdp_protocols.stdp_frequency(
    rule="graupner_brunel_2012_cortical",
    delta_t_ms=10.0,
    frequencies=(1.0, 10.0, 20.0, 50.0),
    synapses=800,
)
print(dict(zip(result.summary["frequency_hz"], result.summary["synaptic_change"], strict=True)))
result.figures["stdp_frequency"]
