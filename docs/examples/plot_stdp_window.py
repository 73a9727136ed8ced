"""
The STDP window of the calcium-based rule
=========================================

Synaptic change after 60 pre-post pairings at 1 Hz against the spike timing
:math:`\\Delta t = t_{post} - t_{pre}`, for the Graupner & Brunel 2012 DP parameter set,
beside the curve of the paper: the ``stdp-window`` experiment with 400 synapses instead
of its default 1000 (so each point has a sampling s.d. of about 0.02).
"""

from neurosim.experiments import stdp_protocols

result = stdp_protocols.stdp_window(
    rule="graupner_brunel_2012_dp",
    delta_t_ms=[-50, -30, -20, -10, -5, 0, 5, 10, 20, 30, 50],
    synapses=400,
)
for dt, change in zip(result.summary["delta_t_ms"], result.summary["synaptic_change"], strict=True):
    print(f"{dt:+5.0f} ms: {change:.3f}")
result.figures["stdp_window"]
