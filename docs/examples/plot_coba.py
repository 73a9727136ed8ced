"""
The COBA network of Vogels & Abbott
===================================

The ``coba`` experiment (``neurosim run coba``): a conductance-based network of 4000
LIF neurons with self-sustained irregular activity, here at a quarter of its size
(800 excitatory, 200 inhibitory, connection probability raised to 0.08 to keep the
number of inputs per neuron) for 300 ms.
"""

from neurosim.experiments import coba
from neurosim.plotting import plt

result = coba.run(duration=300.0, n_exc=800, n_inh=200, p=0.08)
print({k: result.summary[k] for k in ("rate_exc_hz", "rate_inh_hz", "cv_isi_exc")})

fig, ax = plt.subplots(figsize=(8, 3))
ax.plot(result.arrays["exc_t"], result.arrays["exc_i"], ",k")
ax.set_xlabel("time (ms)")
ax.set_ylabel("excitatory neuron")
fig.tight_layout()
