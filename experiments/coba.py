"""The COBA network of Vogels & Abbott 2005 (J. Neurosci. 25:10786) in the benchmark
form of Brette et al. 2007 (J. Comput. Neurosci. 23:349): 4000 conductance-based LIF
neurons (80 % excitatory), connection probability 0.02, w_e 6 nS, w_i 67 nS, delay
one step. The network sustains asynchronous irregular activity at about 20 Hz.

Returns the spike count, the mean rates of both populations, the CV of inter-spike
intervals, and a raster plot. CLI: ``neurosim run coba --out out/``.

Sweeps: ``setup`` and ``measure`` make the experiment batchable
(``neurosim sweep coba --grid w_i=40,67,90 --seeds 5 --batched --out results/``).
"""

from __future__ import annotations

import math

import numpy as np

import neurosim as ns
from neurosim.results import Result


def build(
    n_exc: int = 3200,
    n_inh: int = 800,
    p: float = 0.02,
    w_e: float = 6.0,
    w_i: float = 67.0,
    dt: float = 0.1,
    seed: int = 1,
    method: str = "euler",
    backend: str = "numba",
    exc_synapse=None,
) -> ns.Network:
    """The COBA network with the published initial conditions (see module);
    ``exc_synapse`` is an optional plasticity rule for the excitatory synapses."""
    net = ns.Network(dt=dt, seed=seed, backend=backend)
    params = {"method": method}
    exc = net.add_population("exc", n_exc, "lif_cond", params=params)
    inh = net.add_population("inh", n_inh, "lif_cond", params=params)
    for pop in (exc, inh):
        pop.v = ns.Uniform(-60.0, -50.0)
        # the published draws are untruncated: about 5 % of g_i start negative
        pop.g_e = ns.Normal(40.0, 15.0, low=-math.inf)
        pop.g_i = ns.Normal(200.0, 120.0, low=-math.inf)
    for pre, receptor, w in ((exc, "exc", w_e), (inh, "inh", w_i)):
        for post in (exc, inh):
            rule = exc_synapse if pre is exc else None
            net.connect(
                pre, post, ns.FixedProbability(p), weight=w, receptor=receptor, synapse=rule
            )
    return net


def cv_isi(t: np.ndarray, i: np.ndarray) -> float:
    """Mean coefficient of variation of inter-spike intervals over neurons with >= 3 spikes."""
    order = np.lexsort((t, i))
    t, i = t[order], i[order]
    cvs = []
    for k in np.unique(i):
        isi = np.diff(t[i == k])
        if isi.size >= 2 and isi.mean() > 0:
            cvs.append(isi.std() / isi.mean())
    return float(np.mean(cvs)) if cvs else float("nan")


def setup(
    duration: float = 1000.0,
    seed: int = 1,
    dt: float = 0.1,
    method: str = "euler",
    n_exc: int = 3200,
    n_inh: int = 800,
    p: float = 0.02,
    w_e: float = 6.0,
    w_i: float = 67.0,
) -> tuple[ns.Network, float]:
    """The network of one run, recording the spikes of both populations, and its
    duration (ms): the sweep protocol (see :mod:`neurosim.sweep`)."""
    net = build(n_exc=n_exc, n_inh=n_inh, p=p, w_e=w_e, w_i=w_i, dt=dt, seed=seed, method=method)
    net.record_spikes("exc")
    net.record_spikes("inh")
    return net, duration


def _spike_monitors(net):
    return {m.target.name: m for m in net.monitors if m.kind == "spikes"}


def measure(net: ns.Network, duration: float | None = None, **params) -> Result:
    """Key numbers and spike arrays of a finished run of :func:`setup`'s network
    (``duration``: the simulated ms, default the network's present time)."""
    mons = _spike_monitors(net)
    mon_e, mon_i = mons["exc"], mons["inh"]
    duration = net.t if duration is None else duration
    seconds = duration / 1000.0
    summary = {
        "duration_ms": duration,
        "spikes": int(len(mon_e.t) + len(mon_i.t)),
        "rate_exc_hz": len(mon_e.t) / (mon_e.target.n * seconds),
        "rate_inh_hz": len(mon_i.t) / (mon_i.target.n * seconds),
        "cv_isi_exc": cv_isi(mon_e.t, mon_e.i),
        "synapses": int(sum(p.n_synapses for p in net.projections.values())),
    }
    arrays = {"exc_t": mon_e.t, "exc_i": mon_e.i, "inh_t": mon_i.t, "inh_i": mon_i.i}
    return Result("coba", summary, arrays)


def run(
    duration: float = 1000.0,
    seed: int = 1,
    dt: float = 0.1,
    method: str = "euler",
    progress: bool = False,
    n_exc: int = 3200,
    n_inh: int = 800,
    p: float = 0.02,
    w_e: float = 6.0,
    w_i: float = 67.0,
) -> Result:
    """Run the COBA network for ``duration`` ms (sizes, connection probability and
    weights in nS as in :func:`build`).

    Parameters
    ----------
    duration : float
        simulated time (ms)
    seed : int
        random seed (one seed gives identical runs)
    dt : float
        time step (ms)
    method : str
        integration of V: "euler" or "exponential_euler"
    progress : bool
        show a progress bar
    n_exc : int
        excitatory neurons (count)
    n_inh : int
        inhibitory neurons (count)
    p : float
        connection probability (0-1)
    w_e : float
        excitatory conductance increment per spike (nS)
    w_i : float
        inhibitory conductance increment per spike (nS)
    """
    net, duration = setup(duration, seed, dt, method, n_exc, n_inh, p, w_e, w_i)
    net.run(duration, progress=progress)
    result = measure(net, duration)
    rate_e, rate_i = result.summary["rate_exc_hz"], result.summary["rate_inh_hz"]
    from neurosim.plotting import plt, raster

    fig, ax = plt.subplots(figsize=(8, 4))
    raster(_spike_monitors(net)["exc"], ax=ax, markersize=0.5)
    ax.set_xlim(0, min(duration, 1000.0))
    ax.set_title(f"COBA: {rate_e:.1f} Hz excitatory, {rate_i:.1f} Hz inhibitory")
    result.figures["raster"] = fig
    return result
