"""
A parameter sweep and its table
===============================

The LIF f-I curve for three membrane time constants, run by :func:`neurosim.sweep.sweep`
in this process (``executor="serial"``; on a laptop leave ``executor`` out to use one
process per core, on a cluster give a Dask client): one table row per run, written to a
resumable results folder, then read back with :func:`neurosim.sweep.load_results`.
"""

import tempfile
from pathlib import Path

import numpy as np

from neurosim.plotting import plt
from neurosim.sweep import load_results, sweep

folder = tempfile.mkdtemp() + "/fi-taum"
sweep(
    "neurosim.experiments.fi_curve:run",
    grid={"tau_m": [5.0, 10.0, 20.0]},  # ms
    params={"currents": [0.0, 200.0, 400.0, 600.0, 800.0], "duration": 600.0, "transient": 100.0},
    out=folder,
    executor="serial",
    progress=False,
)
df = load_results(folder)
df[["run_id", "tau_m", "status", "wall_s"]]

# %%
# The table holds the scalars of each run; its arrays (here the currents and the rates)
# are kept in ``runs/<run_id>/arrays.npz`` of the results folder:
fig, ax = plt.subplots(figsize=(5, 3.5))
for row in df.sort_values("tau_m").itertuples():
    arrays = np.load(Path(folder) / "runs" / row.run_id / "arrays.npz")
    ax.plot(arrays["current_pA"], arrays["rate_hz"], "o-", label=f"τ_m = {row.tau_m:g} ms")
ax.set_xlabel("current (pA)")
ax.set_ylabel("rate (Hz)")
ax.legend(frameon=False)
fig.tight_layout()
