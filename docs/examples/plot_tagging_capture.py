"""
Synaptic tagging and capture: a weak tetanus captures a strong one's proteins
=============================================================================

The two-pathway slice experiment of Frey & Morris 1997 with the ``tagging_capture``
rule (Luboeinski & Tetzlaff 2021): a strong tetanus (3 x 100 pulses at 100 Hz, 10 min
apart) on pathway S1, then a weak tetanus (21 pulses at 100 Hz) on S2 one hour later.
Alone, the weak tetanus gives early LTP that decays within about 3 h; after the strong
one, its tagged synapses capture the protein the strong tetanus made and keep late
LTP for 8 h. The ``tagging-capture`` experiment with 10 synapses per pathway and one
seed instead of 100 and 3; the hours are crossed by fast-forward.
"""

from neurosim.experiments import tagging_capture

result = tagging_capture.run(
    protocol="stet_then_wtet", gap_h=1.0, seeds=1, synapses=10, curve_min=30.0
)
s = result.summary
for h, c1, c2 in zip(s["readout_h"], s["s1_change"], s["s2_change"], strict=True):
    print(f"{h:4.2f} h after the weak tetanus: S1 {c1:+.2f}, S2 {c2:+.2f}")
result.figures["tagging_stet_then_wtet"]
