"""
Checking a model against Brian2
===============================

The same description run by neurosim's compiled loop and by Brian2
(``backend="brian2"``): five AdEx neurons, each with its own constant current, for
300 ms. The spike times agree to within a time step, and the membrane traces overlap.
"""

import numpy as np

import neurosim as ns
from neurosim.plotting import plt

results = {}
for backend in ("numba", "brian2"):
    net = ns.Network(dt=0.1, seed=1, backend=backend)
    cells = net.add_population("cells", 5, "adex")
    net.add_current(cells, ns.CurrentInput([400.0, 600.0, 800.0, 1000.0, 1200.0]))  # pA
    spikes = net.record_spikes(cells)
    v = net.record_state(cells, "v", neurons=[4])
    net.run(300.0)
    results[backend] = (spikes.t.copy(), spikes.i.copy(), v.t.copy(), v.v[:, 0].copy())
    print(f"{backend}: spikes per neuron {spikes.count}")

(t_a, i_a, vt, v_a), (t_b, i_b, _, v_b) = results["numba"], results["brian2"]
for n in range(5):
    a, b = t_a[i_a == n], t_b[i_b == n]
    if a.size != b.size:
        print(f"neuron {n}: {a.size} vs {b.size} spikes")
    elif a.size:
        print(
            f"neuron {n}: {a.size} spikes, largest timing difference {np.abs(a - b).max():.2f} ms"
        )
    else:
        print(f"neuron {n}: no spike in either (below rheobase)")

fig, ax = plt.subplots(figsize=(8, 3))
ax.plot(vt, v_a, "k", lw=1.5, label="neurosim")
ax.plot(vt, v_b, "C1--", lw=1, label="Brian2")
ax.set_xlabel("time (ms)")
ax.set_ylabel("V (mV) of the 1200 pA neuron")
ax.legend(frameon=False)
fig.tight_layout()
