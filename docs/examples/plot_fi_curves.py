"""
f-I curves of the three neuron models
=====================================

The firing rate of one neuron against a constant injected current, for the LIF (with
its analytic curve), AdEx and Izhikevich models: the ``fi-curve`` experiment
(``neurosim run fi-curve --set model=...``) at a reduced duration.
"""

import numpy as np

from neurosim import model as make_model
from neurosim.experiments import fi_curve
from neurosim.plotting import plt

fig, axes = plt.subplots(1, 3, figsize=(10, 3.2))
for ax, model, currents in [
    (axes[0], "lif", [0, 200, 400, 600, 800, 1000]),  # pA
    (axes[1], "adex", [0, 300, 500, 700, 900, 1200]),  # pA
    (axes[2], "izhikevich", [0, 4, 8, 12, 16, 20]),  # dimensionless I of the model
]:
    result = fi_curve.run(model=model, currents=currents, duration=700.0, transient=200.0)
    print(model, result.summary["rate_hz"])
    plt.close(result.figures["fi_curve"])  # the experiment draws its own figure: not shown here
    ax.plot(result.arrays["current_pA"], result.arrays["rate_hz"], "o-", label="simulated")
    if model == "lif":
        fine = np.linspace(0, 1000, 300)
        analytic = fi_curve.lif_rate_analytic(fine, make_model("lif").params)
        ax.plot(fine, analytic, "--", label="analytic")
        ax.legend(frameon=False)
    ax.set_title(model)
    ax.set_xlabel("current (pA)" if model != "izhikevich" else "I")
axes[0].set_ylabel("rate (Hz)")
fig.tight_layout()
