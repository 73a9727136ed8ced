r"""Synaptic tagging and capture: the two-pathway slice experiments of Frey & Morris 1997.

Two independent pathways S1 and S2 (``synapses`` fibres each, one synapse per fibre)
converge on the same ``synapses`` postsynaptic neurons (one S1 and one S2 synapse per
neuron, so that protein made by one pathway's tetanus is available to the other's
synapses on the same neuron), with the ``tagging_capture`` rule
(:mod:`neurosim.synapses.tagging`; default parameters
``luboeinski_tetzlaff_2021_slices``: the single-synapse calcium amplitudes, driven by
the presynaptic pulses alone). Protocols of Frey & Morris 1997 :cite:p:`frey1997`
(as restated by Sajikumar's laboratory, Commun. Biol. 2025, Fig. 1 legend):

- weak tetanus (WTET): one train of 21 pulses at 100 Hz;
- strong tetanus (STET): three trains of 100 pulses at 100 Hz, 10 min apart;
- protein-synthesis block (anisomycin): from 30 min before the STET's first train to
  3 h after it (Frey et al. 1988 :cite:p:`frey1988`: a 3-h treatment from the tetanisation on abolishes
  late LTP), with :func:`neurosim.synapses.block_protein_synthesis`.

Read-out, as the paper's test pulses: at each read-out time a single test pulse goes
through both pathways (calcium ``C_pre`` = 1 stays below :math:`\theta_d` = 1.2: it
changes nothing) and brings each synapse up to date; the pathway's change is
:math:`\langle h + h_0 z\rangle / h_0 - 1` (0 = baseline), the mean weight standing for
the fEPSP slope. The hours between pulses are crossed with
``run(..., fast_forward=True)``.

Parameters of ``tagging-capture`` (``--set NAME=VALUE``)
--------------------------------------------------------
protocol : str
    wtet, stet, stet_then_wtet or wtet_then_stet (weak tetanus on S2, strong on S1)
gap_h : float
    time from the end of the first tetanus to the start of the second (h)
protein_block : bool
    block protein synthesis around the strong tetanus (see above)
seeds : int or list of int
    a count n (seeds 0 .. n-1) or a list of seeds; values are means over them
synapses : int
    synapses per pathway (= postsynaptic neurons; count)
readout_h : list of float
    read-out times after the end of the last tetanus (h)
curve_min : float
    spacing of the test pulses drawn in the figure (min)
rule : str
    ``tagging_capture`` parameter set (see neurosim.synapses)
dt : float
    time step (ms)

JSON keys: ``readout_h``, ``s1_change``, ``s2_change`` (change of each pathway at
those times, mean over seeds), ``s1_early``, ``s2_early`` (each pathway's change 10 min
after the end of its own tetanus; ``null`` for an untetanised pathway), ``n_seeds``,
``protocol``, ``gap_h``, ``protein_block``.
"""

from __future__ import annotations

import numpy as np

import neurosim as ns
from neurosim.results import Result
from neurosim.synapses import block_protein_synthesis, synapse_model

PROTOCOLS = ("wtet", "stet", "stet_then_wtet", "wtet_then_stet")
MIN = 60_000.0
HOUR = 3_600_000.0
#: Weak and strong tetanus: (trains, pulses per train, frequency in Hz, train spacing ms).
WTET = (1, 21, 100.0, 0.0)
STET = (3, 100, 100.0, 10 * MIN)
#: Baseline before the first tetanus, and the protein block around the STET.
BASELINE = 30 * MIN
BLOCK_BEFORE, BLOCK_AFTER = 30 * MIN, 3 * HOUR
#: The early read-out: 10 min after the end of a tetanus.
EARLY = 10 * MIN
#: Test pulses this long before a read-out, so that their (delayed) calcium event has
#: brought the synapses up to date at the read-out time.
TEST_LEAD = 25.0


def tetanus(kind: str, start: float) -> np.ndarray:
    """Pulse times (ms) of a weak (``"wtet"``) or strong (``"stet"``) tetanus from
    ``start``."""
    trains, pulses, rate, spacing = WTET if kind == "wtet" else STET
    one = np.arange(pulses) * 1000.0 / rate
    return np.concatenate([start + k * spacing + one for k in range(trains)])


def schedule(protocol: str, gap_h: float) -> dict:
    """The tetani of a protocol: ``{"s1": times, "s2": times}`` (ms; empty when a
    pathway is not tetanised), the end of each pathway's tetanus and the STET start."""
    if protocol not in PROTOCOLS:
        raise ValueError(f"protocol = {protocol!r} must be one of {PROTOCOLS}")
    if not np.isfinite(gap_h) or gap_h < 0:
        raise ValueError(f"gap_h = {gap_h!r} h must be a finite number >= 0")
    order = {
        "wtet": [("s2", "wtet")],
        "stet": [("s1", "stet")],
        "stet_then_wtet": [("s1", "stet"), ("s2", "wtet")],
        "wtet_then_stet": [("s2", "wtet"), ("s1", "stet")],
    }[protocol]
    out = {"s1": np.zeros(0), "s2": np.zeros(0), "end": {}, "stet": None}
    start = BASELINE
    for path, kind in order:
        times = tetanus(kind, start)
        out[path], out["end"][path] = times, times[-1]
        if kind == "stet":
            out["stet"] = start
        start = times[-1] + gap_h * HOUR
    return out


def _network(sched, readouts, synapses, rule, seed, dt, block):
    """The two pathways onto ``synapses`` neurons, with the tetani and the test pulses."""
    net = ns.Network(dt=dt, seed=seed)
    tests = np.asarray(readouts) - TEST_LEAD
    post = net.add_spike_generator("cells", synapses, np.zeros(0), np.zeros(0, dtype=int))
    projs = {}
    for path in ("s1", "s2"):
        times = np.sort(np.concatenate([sched[path], tests]))
        fibres = net.add_spike_generator(
            path, synapses, np.repeat(times, synapses), np.tile(np.arange(synapses), times.size)
        )
        wiring = ns.Explicit(np.arange(synapses), np.arange(synapses))
        model = synapse_model(rule) if isinstance(rule, str) else rule
        projs[path] = net.connect(
            fibres, post, wiring, weight=model.params.h0, receptor=None, synapse=model
        )
    if block and sched["stet"] is not None:
        start = max(0.0, sched["stet"] - BLOCK_BEFORE)
        block_protein_synthesis(net, post, start, sched["stet"] + BLOCK_AFTER)
    return net, projs


def simulate(
    sched,
    readouts,
    synapses=100,
    rule="luboeinski_tetzlaff_2021_slices",
    seed=0,
    dt=0.2,
    block=False,
) -> np.ndarray:
    """The change of S1 and S2 (rows) at each read-out time (ms, ascending); ``rule``
    is a parameter-set name or a ``tagging_capture`` model."""
    net, projs = _network(sched, readouts, synapses, rule, seed, dt, block)
    out = np.empty((2, len(readouts)))
    for k, t in enumerate(readouts):
        net.run(t - net.t, fast_forward=True)
        for row, path in enumerate(("s1", "s2")):
            proj = projs[path]
            h0 = proj.synapse.params.h0
            out[row, k] = np.mean(proj.h + h0 * proj.z) / h0 - 1.0
    return out


def _seeds(seeds):
    if isinstance(seeds, (int, np.integer)) and not isinstance(seeds, bool):
        if seeds < 1:
            raise ValueError(f"seeds = {seeds} must be >= 1 (a count) or a list of seeds")
        return list(range(int(seeds)))
    return [int(s) for s in np.atleast_1d(seeds)]


def _plot(protocol, t_h, curve, sched, last):
    from neurosim.plotting import plt

    fig, ax = plt.subplots(figsize=(6.0, 3.5))
    ax.axhline(100.0, color="0.7", lw=0.8)
    for row, (path, colour) in enumerate((("s1", "C3"), ("s2", "C0"))):
        ax.plot(t_h, 100.0 * (1.0 + curve[row]), "o", ms=2.5, color=colour, label=path.upper())
        for t in sched[path][:: STET[1] if path == "s1" else WTET[1]]:
            ax.annotate(
                "",
                ((t - last) / HOUR, 100.0),
                ((t - last) / HOUR, 88.0),
                arrowprops={"arrowstyle": "->", "color": colour},
            )
    first = min(t_h.min(), min((sched[p][0] - last) / HOUR for p in sched["end"]))
    ax.set_xlim(left=first - 0.2)
    ax.set_xlabel("time after the last tetanus (h)")
    ax.set_ylabel("mean weight (% of baseline)")
    ax.set_title(f"tagging and capture: {protocol}", fontsize=9)
    ax.legend(frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def run(
    protocol: str = "stet_then_wtet",
    gap_h: float = 1.0,
    protein_block: bool = False,
    seeds=3,
    synapses: int = 100,
    readout_h=(0.17, 0.5, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0),
    curve_min: float = 15.0,
    rule: str = "luboeinski_tetzlaff_2021_slices",
    dt: float = 0.2,
) -> Result:
    """Synaptic tagging and capture in the two-pathway protocols of Frey & Morris 1997
    (see module docstring)."""
    if not isinstance(protein_block, bool):
        raise TypeError(f"protein_block = {protein_block!r} must be true or false")
    if not isinstance(synapses, (int, np.integer)) or synapses < 1:
        raise ValueError(f"synapses = {synapses!r} must be an integer >= 1")
    readout_h = np.atleast_1d(np.asarray(readout_h, dtype=float))
    if readout_h.size == 0 or np.any(readout_h < 0.01) or not np.all(np.isfinite(readout_h)):
        raise ValueError(f"readout_h = {readout_h.tolist()} must be times >= 0.01 h")
    if not curve_min > 0:
        raise ValueError(f"curve_min = {curve_min!r} min must be > 0")
    sched = schedule(protocol, float(gap_h))
    last = max(sched["end"].values())
    early = {p: e + EARLY for p, e in sched["end"].items()}
    grid = np.arange(curve_min * MIN, last + readout_h.max() * HOUR + 1.0, curve_min * MIN)
    pulses = np.sort(np.concatenate([sched["s1"], sched["s2"]]))
    near = np.abs(pulses[np.clip(np.searchsorted(pulses, grid), 0, pulses.size - 1)] - grid)
    before = np.abs(pulses[np.clip(np.searchsorted(pulses, grid) - 1, 0, None)] - grid)
    grid = grid[np.minimum(near, before) > 2000.0]  # no test pulse within 2 s of a tetanus
    baseline = [BASELINE / 2]  # one read-out before the first tetanus, whatever the grid
    wanted = [last + readout_h * HOUR, grid, np.array([*early.values(), *baseline])]
    times = np.unique(np.round(np.concatenate(wanted) / dt) * dt)
    times = times[times > TEST_LEAD + 1.0]
    runs = [simulate(sched, times, synapses, rule, s, dt, protein_block) for s in _seeds(seeds)]
    mean = np.mean(runs, axis=0)

    def at(t):
        return int(np.argmin(np.abs(times - t)))

    idx = [at(t) for t in last + readout_h * HOUR]
    summary = {
        "protocol": protocol,
        "gap_h": float(gap_h),
        "protein_block": protein_block,
        "readout_h": readout_h.tolist(),
        "s1_change": mean[0, idx].tolist(),
        "s2_change": mean[1, idx].tolist(),
        "s1_early": float(mean[0, at(early["s1"])]) if "s1" in early else None,
        "s2_early": float(mean[1, at(early["s2"])]) if "s2" in early else None,
        "n_seeds": len(runs),
    }
    t_h = (times - last) / HOUR
    fig = _plot(protocol, t_h, mean, sched, last)
    arrays = {"t_h": t_h, "s1_change": mean[0], "s2_change": mean[1]}
    return Result("tagging-capture", summary, arrays, {f"tagging_{protocol}": fig})
