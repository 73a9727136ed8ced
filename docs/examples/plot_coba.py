"""
The COBA network of Vogels & Abbott
===================================

The ``coba`` experiment (``neurosim run coba``): a conductance-based network of 4000
LIF neurons with self-sustained irregular activity, here at a quarter of its size
(800 excitatory, 200 inhibitory, connection probability raised to 0.08 to keep the
number of inputs per neuron) for 300 ms.
"""

from neurosim.experiments import coba

result = coba.run(duration=300.0, n_exc=800, n_inh=200, p=0.08)
print({k: result.summary[k] for k in ("rate_exc_hz", "rate_inh_hz", "cv_isi_exc")})
result.figures["raster"]  # the experiment's own figure: the raster of both populations
