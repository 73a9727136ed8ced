"""
Short-term depression and facilitation
======================================

A presynaptic neuron fires 8 spikes at 20 Hz and, 500 ms later, one recovery spike.
Each spike opens the postsynaptic conductance by ``w * u * x`` (Tsodyks–Markram
model): with the depressing set (U = 0.5, τ_d = 800 ms) the responses shrink as the
resources x run out; with the facilitating set (U = 0.04, τ_f = 1 s) they grow as the
utilisation u builds up. The dots are the iterated map of the model, computed here
from its equations: the peaks of the simulated conductance (weight 1 nS) reach them.
"""

import numpy as np

import neurosim as ns
from neurosim.plotting import plt

times = np.r_[100.0 + 50.0 * np.arange(8), 950.0]  # ms
net = ns.Network(dt=0.1, seed=0)
pre = net.add_spike_generator("pre", 1, times, np.zeros(times.size, dtype=int))
post = net.add_population("post", 2, "lif_cond", params={"V_th": 1000.0})  # never fires
for k, rule in enumerate(["tsodyks_markram_1998_depressing", "tsodyks_markram_1998_facilitating"]):
    net.connect(pre, post, ns.Explicit([0], [k]), weight=1.0, synapse=rule, name=rule)
g = net.record_state(post, "g_e")
net.run(1100.0)


def released(times, U, tau_d, tau_f):
    """The fraction u*x released at each spike (NEST's tsodyks2_synapse map)."""
    x, u, last, out = 1.0, 0.0, None, []
    for t in times:
        if last is not None:
            gap = t - last
            x = 1 + (x - 1) * np.exp(-gap / tau_d)
            u = U + u * (1 - U) * np.exp(-gap / tau_f) if tau_f > 0 else U
        else:
            u = U
        out.append(u * x)
        x -= u * x
        last = t
    return np.array(out)


fig, axes = plt.subplots(2, 1, figsize=(8, 4.5), sharex=True)
sets = {"depressing": (0.5, 800.0, 0.0), "facilitating": (0.04, 100.0, 1000.0)}
for k, (ax, (name, (U, tau_d, tau_f))) in enumerate(zip(axes, sets.items(), strict=True)):
    ax.plot(g.t, g.g_e[:, k], "k", lw=0.8, label="g_e (nS)")
    peaks = [g.g_e[(g.t >= t) & (g.t < t + 3.0), k].max() for t in times]
    ax.plot(times, released(times, U, tau_d, tau_f), "o", color="C3", label="u x (map)")
    ax.set_title(f"{name}: U = {U}, τ_d = {tau_d:g} ms, τ_f = {tau_f:g} ms", fontsize=9)
    ax.legend(frameon=False, fontsize=8)
    print(
        name,
        "peaks of g_e:",
        np.round(peaks, 4),
        "map:",
        np.round(released(times, U, tau_d, tau_f), 4),
    )
axes[1].set_xlabel("time (ms)")
fig.tight_layout()
