"""
Dopamine-modulated STDP: weight change against reward delay
===========================================================

Izhikevich's (2007) answer to the distal reward problem: a pre-then-post pairing leaves
a slowly decaying eligibility trace ``c`` (τ_c = 1 s) and the weight changes only
while dopamine is present, ``ds/dt = k c d``. Eleven independent synapses each see one
pairing (post 5 ms after pre) and one reward (a dopamine release of 0.5 decaying with
τ_d = 200 ms) after a delay from 0 to 4 s; a modulator with one concentration per
postsynaptic neuron gives each synapse its own reward. The dots are the simulated
weight changes, the line the closed form

.. math:: \\Delta s = k\\, A_+ e^{-\\Delta t/\\tau_+}\\, e^{-T/\\tau_c}\\,
   0.5\\, \\tau_{cd} \\left(1 - e^{-L/\\tau_{cd}}\\right),
   \\qquad \\tau_{cd} = \\frac{\\tau_c \\tau_d}{\\tau_c + \\tau_d},

for a reward at delay ``T`` after the pairing and ``L`` ms of dopamine until the end:
the credit falls off as the eligibility decays, by ``e^{-1}`` per second.
"""

import numpy as np

import neurosim as ns
from neurosim.plotting import plt

n, dt, delta, end = 11, 0.1, 5.0, 6000.0
delays = np.linspace(0.0, 4000.0, n)  # ms after the pairing, on the grid
net = ns.Network(dt=dt, seed=0)
da = net.add_modulator("dopamine", n, tau_decay=200.0)  # one per postsynaptic neuron
pre = net.add_spike_generator("pre", n, np.full(n, 10.0), np.arange(n))
post = net.add_spike_generator("post", n, np.full(n, 10.0 + delta), np.arange(n))
reward = net.add_spike_generator("reward", n, 10.0 + delta + delays, np.arange(n))
net.connect(reward, da, ns.OneToOne(), weight=0.5, receptor="release")
rule = ns.synapses.StdpDopamine(rate=0.1)  # Izhikevich's update: once per 10 ms
syn = net.connect(pre, post, ns.OneToOne(), weight=1.0, receptor=None, synapse=rule, modulator=da)
net.run(end)
syn.synchronize()
change = syn.weight - 1.0


def closed_form(T):
    """Weight change for a reward T ms after the pairing (released one step later)."""
    p = rule.params
    tau_cd = 1.0 / (1.0 / p.tau_c + 1.0 / 200.0)
    c = p.A_plus * np.exp(-delta / p.tau_plus) * np.exp(-(T + dt) / p.tau_c)
    left = end - (10.0 + delta + T + dt)
    return p.rate * c * 0.5 * tau_cd * (1 - np.exp(-left / tau_cd))


grid = np.linspace(0.0, 4000.0, 200)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(grid / 1000, closed_form(grid), "k", lw=1, label="closed form")
ax.plot(delays / 1000, change, "o", color="C3", label="neurosim")
ax.set_xlabel("reward delay after the pairing (s)")
ax.set_ylabel("weight change (mV)")
ax.legend(frameon=False)
fig.tight_layout()
print("largest relative difference:", np.max(np.abs(change / closed_form(delays) - 1)))
