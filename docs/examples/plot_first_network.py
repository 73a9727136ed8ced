"""
A first network and its raster
==============================

800 excitatory and 200 inhibitory conductance-based LIF neurons (``lif_cond``), driven
by 400 Poisson inputs at 20 Hz, with recurrent excitation and inhibition: the network
of :doc:`/tutorials/01-first-network`, run for 500 ms.
"""

import neurosim as ns
from neurosim.plotting import plt, raster, rates

net = ns.Network(dt=0.1, seed=1)  # ms; one seed -> identical runs
exc = net.add_population("exc", 800, "lif_cond")
inh = net.add_population("inh", 200, "lif_cond")
noise = net.add_poisson("noise", 400, rate=20.0)  # Hz
exc.v = ns.Uniform(-60.0, -50.0)  # mV
net.connect(noise, exc, ns.FixedProbability(0.1), weight=3.0)  # nS
net.connect(noise, inh, ns.FixedProbability(0.1), weight=3.0)
net.connect(exc, inh, ns.FixedProbability(0.1), weight=3.0, delay=1.5)  # ms
net.connect(inh, exc, ns.FixedProbability(0.1), weight=30.0, receptor="inh")
spikes = net.record_spikes(exc)
rate = net.record_rate(exc)
net.run(500.0)  # ms of biological time

print(f"{len(spikes.t)} spikes, mean rate {len(spikes.t) / (800 * 0.5):.1f} Hz")

# %%
# Each dot is one spike: time on the x axis, neuron index on the y axis. Below it, the
# population rate smoothed with a 5 ms Gaussian window.
fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8, 5), sharex=True)
raster(spikes, ax=ax1)
rates(rate, ax=ax2)
ax2.set_xlabel("time (ms)")
fig.tight_layout()
