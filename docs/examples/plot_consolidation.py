"""
One-shot memory, recalled after 10 s and after 8 h
==================================================

A cell assembly learned from three 0.1 s pulses in a recurrent network whose
excitatory synapses tag and capture (Luboeinski & Tetzlaff 2021), recalled by
stimulating half of it 10 s and 8 h later, with and without protein synthesis: the
``consolidation`` experiment at a quarter of the paper's size, one seed. The 8 h are
crossed by the approximate fast-forward (``net.advance(..., approximate=True)``).
"""

from neurosim.experiments import consolidation

result = consolidation.run(seeds=1, n_exc=400)
for key in ("recall_10s", "recall_8h", "recall_8h_protein_block"):
    print(f"{key:24s} Q = {result.summary[key]:.3f} +- {result.summary[key + '_sem']:.3f}")
result.figures["recall"]
