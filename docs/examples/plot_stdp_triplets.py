"""
The triplet rule and the pairing-frequency protocol
===================================================

The Sjöström et al. 2001 protocol (60 pairs at ±10 ms, several frequencies) with the
triplet rule of Pfister & Gerstner 2006 (visual cortex, all-to-all, minimal set): the
``stdp-triplets`` experiment, at its default sizes (it is deterministic and cheap).
"""

from neurosim.experiments import stdp_protocols

result = stdp_protocols.stdp_triplets()
for delta, change in zip(
    result.summary["delta_t_ms"], result.summary["synaptic_change"], strict=True
):
    print(f"Δt = {delta:+g} ms:", [round(c, 3) for c in change])
next(iter(result.figures.values()))
