r"""f-I curve: the firing rate of one neuron against a constant injected current.

Each current drives its own neuron of the chosen model (``lif``, ``lif_cond``, ``adex``
or ``izhikevich``, default parameters unless overridden) for ``duration`` ms; the rate
is the steady-state rate :math:`1000 / T` (Hz), with :math:`T` the last inter-spike
interval of the run, provided its second spike falls after ``transient`` ms, and at
least the time from the last spike to the end of the run (a neuron that has stopped
firing is slower than its last interval says). A neuron with no spike after
``transient`` ms, or with only one spike in the whole run, has rate 0. Near the
rheobase, where the period exceeds the window after the transient, the spike before the
window gives the interval, so the curve stays monotonic.

For ``lif`` the curve follows the analytic relation for a constant current I
(membrane resistance :math:`R = \tau_m / C`):

.. math:: f(I) = \left[t_{ref} + \tau_m \ln\frac{RI + E_L - V_{reset}}{RI + E_L - V_{th}}\right]^{-1}
   \quad (RI > V_{th} - E_L), \qquad 0 \text{ otherwise},

discretised by the time grid (see :func:`lif_rate_analytic`).

CLI: ``neurosim run fi-curve --set model=adex --set currents=0,200,400 --json``.
Sweeps (``setup``/``measure`` make it batchable; no seed, the runs are deterministic):
``neurosim sweep fi-curve --grid model=lif,adex --grid duration=1000,2000 --out results/``.
"""

from __future__ import annotations

import inspect
import math

import numpy as np

import neurosim as ns
from neurosim.monitors import SpikeMonitor
from neurosim.neurons.base import refractory_steps
from neurosim.results import Result

DEFAULT_CURRENTS = {
    "lif": np.arange(0.0, 1001.0, 50.0),
    "lif_cond": np.arange(0.0, 1001.0, 50.0),
    "adex": np.arange(0.0, 2001.0, 100.0),
    "izhikevich": np.arange(0.0, 20.5, 1.0),
}


def lif_rate_analytic(current, params, dt: float | None = None) -> np.ndarray:
    """Steady-state rate (Hz) of the ``lif`` model for constant currents (pA).

    With ``dt`` given, the period is counted on the time grid of the simulation:
    the neuron is clamped for ``n_ref - 1`` steps after the spike step (``n_ref`` the
    refractory period in steps, Brian2's count), then
    integrates (exactly) for ``floor(T/dt) + 1`` steps until ``V > V_th``, where
    :math:`T` is the continuous free-flight time.
    """
    p = params
    current = np.atleast_1d(np.asarray(current, dtype=float))
    rates = np.zeros_like(current)
    for k, i_ext in enumerate(current):
        v_inf = p.E_L + i_ext * p.tau_m / p.C
        if v_inf <= p.V_th:
            continue
        free = p.tau_m * math.log((v_inf - p.V_reset) / (v_inf - p.V_th))
        if dt is None:
            period = p.t_ref + free
        else:
            n_ref = int(refractory_steps(p.t_ref, dt))
            period = (max(n_ref - 1, 0) + math.floor(free / dt) + 1) * dt
        rates[k] = 1000.0 / period
    return rates


def _currents(model: str, currents) -> np.ndarray:
    if model not in ns.MODELS:
        raise ValueError(f"model = {model!r} is not one of {sorted(ns.MODELS)}")
    currents = (
        DEFAULT_CURRENTS[model]
        if currents is None
        else np.atleast_1d(np.asarray(currents, dtype=float))
    )
    if currents.ndim != 1 or currents.size == 0 or not np.all(np.isfinite(currents)):
        raise ValueError(f"currents must be a non-empty list of finite values, got {currents}")
    return currents


def check_params(**params) -> None:
    """Refuse, before a sweep starts, model parameters that the model would refuse
    (those passed on through ``**params``): only the parameter set is built."""
    own = inspect.signature(run).parameters
    model_params = {k: v for k, v in params.items() if k not in own}
    ns.model(params.get("model", "lif"), **model_params)


def setup(
    model: str = "lif",
    currents=None,
    duration: float = 2000.0,
    transient: float = 1000.0,
    dt: float = 0.1,
    backend: str = "numba",
    **params,
) -> tuple[ns.Network, float]:
    """One neuron per current, recording spikes, and the duration (ms): the sweep
    protocol (see :mod:`neurosim.sweep`)."""
    currents = _currents(model, currents)
    if not 0 <= transient < duration:
        raise ValueError(f"transient = {transient} ms must be in [0, duration = {duration} ms)")
    net = ns.Network(dt=dt, seed=0, backend=backend)
    pop = net.add_population("neuron", currents.size, model, params=params)
    net.add_current(pop, ns.CurrentInput(currents))
    net.record_spikes(pop)
    return net, duration


def measure(net: ns.Network, model: str = "lif", currents=None, transient: float = 1000.0, **_):
    """Steady-state rate (Hz) of each neuron of :func:`setup`'s network after
    ``transient`` ms."""
    currents = _currents(model, currents)
    (spikes,) = [m for m in net.monitors if isinstance(m, SpikeMonitor)]
    t, i = spikes.t, spikes.i
    rate = np.zeros(currents.size)
    for k in range(currents.size):
        tk = t[i == k]
        if tk.size >= 2 and tk[-1] >= transient:
            period = max(tk[-1] - tk[-2], net.t - tk[-1])
            rate[k] = 1000.0 / period
    summary = {
        "model": model,
        "params": net.populations["neuron"].model.params.as_dict(),
        "current_pA": currents.tolist(),
        "rate_hz": rate.tolist(),
    }
    return Result("fi-curve", summary, {"current_pA": currents, "rate_hz": rate})


def run(
    model: str = "lif",
    currents=None,
    duration: float = 2000.0,
    transient: float = 1000.0,
    dt: float = 0.1,
    backend: str = "numba",
    **params,
) -> Result:
    """Simulate the f-I curve of ``model`` (model parameters overridable by name).

    Parameters
    ----------
    model : str
        neuron model: lif, lif_cond, adex or izhikevich
    currents : list of float
        injected currents, one neuron each (pA; izhikevich: its dimensionless I)
    duration : float
        simulated time (ms)
    transient : float
        time before the rate is measured (ms)
    dt : float
        time step (ms)
    backend : str
        "numba" or "brian2"
    """
    net, duration = setup(model, currents, duration, transient, dt, backend, **params)
    net.run(duration)
    result = measure(net, model, currents, transient)
    currents, rate = result.arrays["current_pA"], result.arrays["rate_hz"]
    pop = net.populations["neuron"]
    from neurosim.plotting import plt

    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.plot(currents, rate, "o-", label=f"{model} (simulated)")
    if model == "lif":
        fine = np.linspace(currents.min(), currents.max(), 400)
        ax.plot(fine, lif_rate_analytic(fine, pop.model.params), "--", label="analytic")
    ax.set_xlabel("injected current (pA)")
    ax.set_ylabel("rate (Hz)")
    ax.legend(frameon=False)
    result.figures["fi_curve"] = fig
    return result
