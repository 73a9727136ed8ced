r"""One-shot memory consolidated over hours by synaptic tagging and capture.

After Luboeinski & Tetzlaff 2021 :cite:p:`luboeinski2021` (their code
``jlubo/memory-consolidation-stc``, run script ``run_binary_paper1/run_sizes`` and
``NetworkMain.cpp``): a recurrent network of leaky integrate-and-fire neurons, 1600
excitatory and 400 inhibitory, connection probability 0.1, membrane time constant
10 ms, membrane resistance 10 MOhm (C = 1 nF), rest -65 mV, reset -70 mV, threshold
-55 mV, refractory period 2 ms, exponential synaptic currents of 5 ms after a delay
of 3 ms, coupling
E->E = h0, E->I = 2 h0, I->E = I->I = 4 h0 (h0 = 0.420075 nA), background input of
mean I_0 = 0.15 nA and white-noise strength sigma_WN = 0.05 nA s^1/2 (an
Ornstein-Uhlenbeck current of 5 ms, standard deviation 0.5 nA). E->E synapses learn
by the synaptic tagging and capture rule ``tagging_capture``
(:mod:`neurosim.synapses.tagging`): calcium-driven early phase h, tags, per-neuron
protein synthesis and the late phase z.

Protocol (times of the paper): a cell assembly of 150 excitatory neurons receives the
learning stimulus, three pulses of 0.1 s at 10.0, 10.5 and 11.0 s, each neuron driven
by 25 Poisson inputs of 100 Hz (``N_stim = 25``, ``TRIPLETf100``). Recall
stimulates a fraction ``recall_fraction`` (0.5) of the assembly the same way for 0.1 s
(``F100D1``), 10 s after learning (at 20 s) or ``delay_h`` hours after it (at
10 s + delay_h h, 28 810 s for 8 h). Three conditions per seed, each a network built
from the seed (the same connectivity and learning): recall at 10 s; recall after the
delay; recall after the delay with protein synthesis blocked from the start.

Recall quality is the paper's pattern-completion coefficient (``analysis/calculateQ.py``)

.. math:: Q = \frac{\nu_{ans} - \nu_{ctrl}}{\nu_{as}}

with :math:`\nu_{as}` the mean rate of the assembly neurons that receive the recall
stimulus, :math:`\nu_{ans}` that of the assembly neurons that do not, and
:math:`\nu_{ctrl}` that of the excitatory neurons outside the assembly, each measured
over the 0.1 s of the recall stimulus (the paper reads rates from a 0.5 s sliding
window during recall).

Reductions and equivalents, stated:

- Size: ``n_exc`` excitatory neurons (default 400, a quarter), ``n_exc / 4`` inhibitory,
  an assembly of the same fraction (150 / 1600) and a connection probability scaled as
  0.1 * 1600 / n_exc (capped at 1), so that every neuron keeps the in-degree (160
  excitatory, 40 inhibitory inputs) and the intra-assembly in-degree (15) of the full
  network, and with them the per-neuron sums that drive tagging and protein synthesis.
  ``n_exc = 1600`` is the paper's network.
- Background: the OU current is replaced by Poisson shot noise of the same mean and
  variance: excitatory inputs of 230 Hz and inhibitory inputs of 170 Hz, each of
  +-500 pA through the 5 ms synaptic current (mean 60 Hz x 500 pA x 5 ms = 150 pA,
  variance 400 Hz x (500 pA)^2 x 5 ms / 2 = (0.5 nA)^2).
- Stimulus strength: each stimulating input has weight 2 h0 (mean drive 10.5 nA),
  which makes the assembly fire at about 120 Hz during the pulses; with h0 it fires at
  about 75 Hz under the network's inhibition, where the calcium of the rule (about
  48.8 ms x 0.765 x rate) stays mostly below the potentiation threshold 3.0 and the
  pulses depress instead of potentiate. (The paper's stimulus is an
  Ornstein-Uhlenbeck current whose amplitude is set in its code; its firing rates
  are not restated here.)
- Crossing the delay: as the paper's simulator does, the spiking dynamics are not
  computed for most of it: the network is simulated for 10 s after learning, then
  ``Network.advance(..., approximate=True)`` carries the plastic state across by its
  quiet dynamics (calcium set to zero, neurons reset to rest; see
  :mod:`neurosim.engine.approximate`), and the last 10 s before recall are simulated
  again with background. ``exact=True`` steps the whole delay instead (for the
  measurement of what the approximation changes).

Parameters of ``consolidation`` (``--set NAME=VALUE``)
------------------------------------------------------
seeds : int or list of int
    a count n (seeds 0 .. n-1) or a list of seeds; mean and s.e.m. over them
n_exc : int
    excitatory neurons (1600 in the paper; inhibitory: n_exc / 4)
delay_h : float
    hours from learning to the late recall (8 in the paper)
recall_fraction : float
    fraction of the assembly stimulated for recall (0.5 in the paper)
exact : bool
    step the whole delay with background instead of the approximate advance
dt : float
    time step (ms), 0.2 in the paper
"""

from __future__ import annotations

import numbers
import time
from dataclasses import dataclass

import numpy as np

import neurosim as ns
from neurosim.experiments import seed_list
from neurosim.results import Result
from neurosim.synapses.protein import protein_at

#: Neuron parameters of the paper (``Neuron.cpp``: tau_mem 10 ms, R_mem 10 MOhm,
#: V_rev -65 mV, V_reset -70 mV, V_th -55 mV, t_ref 2 ms; ``tau_syn`` 5 ms).
NEURON = dict(
    C=1000.0, tau_m=10.0, E_L=-65.0, V_th=-55.0, V_reset=-70.0, t_ref=2.0,
    tau_syn_ex=5.0, tau_syn_in=5.0,
)  # fmt: skip
#: Initial/median early-phase weight h0 (pA), the unit of every coupling.
H0 = 420.075
#: Synaptic transmission delay (ms; ``t_syn_delay`` of ``Network.cpp``).
DELAY_MS = 3.0
#: Couplings in units of h0: E->E, E->I, I->E, I->I (``NetworkMain.cpp``).
W_EE, W_EI, W_IE, W_II = 1.0, 2.0, 4.0, 4.0
#: The paper's sizes: excitatory, inhibitory neurons, assembly; connection probability.
N_EXC, N_INH, N_ASSEMBLY, P_C = 1600, 400, 150, 0.1
#: Background: excitatory and inhibitory Poisson rates (Hz) and weight (pA), matching
#: the mean (150 pA) and standard deviation (0.5 nA) of the paper's OU current.
BG_EXC_HZ, BG_INH_HZ, BG_WEIGHT = 230.0, 170.0, 500.0
#: Stimulation: 25 Poisson inputs of 100 Hz per neuron (``N_stim``, ``f``), each of
#: weight STIM_WEIGHT h0 (see module docstring).
N_STIM, STIM_HZ, STIM_WEIGHT = 25, 100.0, 2.0
#: Learning pulses (s) and their length (s); the 10 s recall time (s).
LEARN_S, PULSE_S, RECALL_10S_S = (10.0, 10.5, 11.0), 0.1, 20.0
#: Simulated time after learning before, and before recall after, an approximate
#: advance (s).
SETTLE_S = 10.0


@dataclass(frozen=True)
class Layout:
    """Sizes and neuron groups of one network: ``assembly`` (indices of the learned
    assembly), ``cue`` (its neurons stimulated at recall), ``rest`` (the assembly's
    other neurons), ``control`` (excitatory neurons outside it)."""

    n_exc: int
    n_inh: int
    p_c: float
    assembly: np.ndarray
    cue: np.ndarray
    rest: np.ndarray
    control: np.ndarray

    @classmethod
    def scaled(cls, n_exc: int, recall_fraction: float) -> Layout:
        """The paper's network reduced to ``n_exc`` excitatory neurons (see module)."""
        n_as = max(2, int(round(N_ASSEMBLY * n_exc / N_EXC)))
        n_cue = int(np.floor(recall_fraction * n_as))
        assembly = np.arange(n_as)
        return cls(
            n_exc=n_exc,
            n_inh=max(1, n_exc // 4),
            p_c=min(1.0, P_C * N_EXC / n_exc),
            assembly=assembly,
            cue=assembly[:n_cue],
            rest=assembly[n_cue:],
            control=np.arange(n_as, n_exc),
        )


#: The rule's voltage-valued parameters (mV, PSP amplitudes h) as the currents h / R
#: that the network's current-based synapses carry: R = 10 MOhm, 1 mV <-> 100 pA (the
#: paper's code likewise turns an amplitude h into the current h / R).
PA_PER_MV = 100.0
SCALED = ("h0", "h_max", "sigma", "theta_tag", "theta_pro")


def plasticity():
    """The E->E rule: ``tagging_capture`` with the network values of the paper
    (:class:`~neurosim.synapses.tagging.TaggingParams`), voltages as currents."""
    from neurosim.synapses.tagging import TaggingCapture

    defaults = TaggingCapture.Params()
    return TaggingCapture(**{k: getattr(defaults, k) * PA_PER_MV for k in SCALED})


def block_synthesis(exc) -> None:
    """Block protein synthesis in every excitatory neuron from now on (the rule's
    per-neuron row ``synthesis_block`` = 1, as a protein-synthesis inhibitor)."""
    exc.neuron_rows[exc.neuron_row_names.index("synthesis_block")] = 1.0


def _stimulus(net, name, targets, starts_s, exc):
    """Poisson drive of N_STIM x STIM_HZ onto ``targets`` of ``exc`` during pulses of
    PULSE_S starting at ``starts_s`` (s)."""
    times = np.ravel([[s * 1e3, (s + PULSE_S) * 1e3] for s in starts_s])
    rates = np.tile([N_STIM * STIM_HZ, 0.0], len(starts_s))
    src = net.add_poisson(name, targets.size, rate=rates, times=times)
    rule = ns.Explicit(np.arange(targets.size), targets)
    net.connect(src, exc, rule, weight=STIM_WEIGHT * H0)


def build(layout: Layout, seed: int, recall_s: float, block: bool, dt: float):
    """The network of one condition: populations, background, recurrent coupling,
    learning and recall stimuli; returns ``(net, exc, plastic projection)``."""
    net = ns.Network(dt=dt, seed=seed)
    exc = net.add_population("exc", layout.n_exc, "lif", NEURON)
    inh = net.add_population("inh", layout.n_inh, "lif", NEURON)
    for pop in (exc, inh):
        for sign, rate, receptor in ((1, BG_EXC_HZ, "exc"), (-1, BG_INH_HZ, "inh")):
            bg = net.add_poisson(f"bg_{receptor}_{pop.name}", pop.n, rate=rate)
            net.connect(bg, pop, ns.OneToOne(), weight=sign * BG_WEIGHT, receptor=receptor)
    p = ns.FixedProbability(layout.p_c, autapses=False)
    d = DELAY_MS
    ee = net.connect(exc, exc, p, weight=W_EE * H0, delay=d, synapse=plasticity(), name="ee")
    if block:
        block_synthesis(exc)
    net.connect(exc, inh, p, weight=W_EI * H0, delay=d)
    net.connect(inh, exc, p, weight=-W_IE * H0, delay=d, receptor="inh")
    net.connect(inh, inh, p, weight=-W_II * H0, delay=d, receptor="inh")
    _stimulus(net, "learn", layout.assembly, LEARN_S, exc)
    _stimulus(net, "recall", layout.cue, (recall_s,), exc)
    return net, exc, ee


def recall_quality(t, i, layout: Layout, start_ms: float) -> tuple[float, dict]:
    """Q of the paper from spike times ``t`` (ms) and indices ``i`` of the excitatory
    population in the recall window ``[start_ms, start_ms + PULSE_S s)``, and the
    three mean rates (Hz)."""
    length = PULSE_S * 1e3
    inside = (t >= start_ms) & (t < start_ms + length)
    counts = np.bincount(i[inside].astype(np.int64), minlength=layout.n_exc)
    rate = counts / (length * 1e-3)
    rates = {g: float(rate[getattr(layout, g)].mean()) for g in ("cue", "rest", "control")}
    q = (rates["rest"] - rates["control"]) / rates["cue"] if rates["cue"] > 0 else np.nan
    return float(q), rates


def condition(layout, seed, delay_h, block, exact, dt) -> dict:
    """One trial: learning, then recall after 10 s or after ``delay_h`` hours.

    Parameters
    ----------
    layout : Layout
        Sizes and groups (:meth:`Layout.scaled`).
    seed : int
        Root seed of the network (connectivity, background, stimuli).
    delay_h : float or None
        Hours from the first learning pulse to recall; None: recall at 20 s.
    block : bool
        Block protein synthesis in every excitatory neuron from the start.
    exact : bool
        Step the delay instead of the approximate advance.
    dt : float
        Time step (ms).

    Returns
    -------
    dict
        ``q`` (Q), ``rates`` (Hz of the groups ``cue``, ``rest``, ``control`` in the
        recall window), the E->E early weights ``h`` (mV, as of each synapse's last
        update) and late weights ``z`` with their ``pre`` and ``post`` neurons, the
        ``protein`` of each excitatory neuron at recall, and ``wall_s``, the wall time
        (s) from the end of learning to the end of recall.
    """
    learn_end = LEARN_S[-1] + PULSE_S
    recall_s = RECALL_10S_S if delay_h is None else LEARN_S[0] + delay_h * 3600.0
    net, exc, ee = build(layout, seed, recall_s, block, dt)
    spikes = net.record_spikes(exc)
    spikes.active = False  # only the recall window is read
    net.run(learn_end * 1e3)
    started = time.perf_counter()
    if delay_h is not None and not exact:
        net.run(SETTLE_S * 1e3)
        net.advance((recall_s - SETTLE_S) * 1e3 - net.t, approximate=True)
    net.run(recall_s * 1e3 - net.t)
    spikes.active = True
    net.run(PULSE_S * 1e3)
    wall = time.perf_counter() - started
    q, rates = recall_quality(spikes.t, spikes.i, layout, recall_s * 1e3)
    return {
        "q": q,
        "rates": rates,
        "h": ee.S_syn[ee.synapse.synapse_vars.index(("h", "voltage"))] / PA_PER_MV,
        "z": ee.S_syn[ee.synapse.synapse_vars.index(("z", "1"))].copy(),
        "protein": protein_at(exc, net.step, ee.synapse.params.tau_p),
        "pre": ee.pre,
        "post": ee.post,
        "wall_s": wall,
    }


def assembly_weight(out: dict, layout: Layout) -> float:
    """Mean total weight (h + h0 z) / h0 of the E->E synapses within the assembly, from
    the result of :func:`condition`."""
    inside = np.isin(out["pre"], layout.assembly) & np.isin(out["post"], layout.assembly)
    h0 = H0 / PA_PER_MV
    return float(np.mean(out["h"][inside] / h0 + out["z"][inside]))


def _check(n_exc, delay_h, recall_fraction, dt) -> None:
    if isinstance(n_exc, bool) or not isinstance(n_exc, numbers.Integral) or n_exc < 40:
        raise ValueError(f"n_exc = {n_exc!r} must be an integer >= 40 (1600 in the paper)")
    if not isinstance(delay_h, numbers.Real) or not 0.01 <= delay_h <= 48.0:
        raise ValueError(f"delay_h = {delay_h!r} hours must lie in [0.01, 48]")
    if not isinstance(recall_fraction, numbers.Real) or not 0.0 < recall_fraction < 1.0:
        raise ValueError(f"recall_fraction = {recall_fraction!r} must lie in (0, 1)")
    if not isinstance(dt, numbers.Real) or not 0.0 < dt <= 0.5:
        raise ValueError(f"dt = {dt!r} ms must lie in (0, 0.5]")


def _stats(values) -> tuple[float, float]:
    v = np.asarray(values, dtype=float)
    sem = float(v.std(ddof=1) / np.sqrt(v.size)) if v.size > 1 else 0.0
    return float(np.nanmean(v)), sem


#: JSON key of each condition: (delay in hours or None for 10 s, protein synthesis blocked).
CONDITIONS = {
    "recall_10s": (None, False),
    "recall_8h": ("delay", False),
    "recall_8h_protein_block": ("delay", True),
}


def run(
    seeds=4,
    n_exc: int = 400,
    delay_h: float = 8.0,
    recall_fraction: float = 0.5,
    exact: bool = False,
    dt: float = 0.2,
) -> Result:
    """Learn an assembly in one shot, recall it after 10 s and after ``delay_h`` hours,
    with and without protein synthesis (Luboeinski & Tetzlaff 2021; see module
    docstring). Summary: ``recall_10s``, ``recall_8h``, ``recall_8h_protein_block`` (mean
    Q over seeds), their s.e.m. (``*_sem``), the mean weight within the assembly at each
    recall (``weight_<key>``, in h0), ``n_seeds``, ``n_exc``, ``delay_h``, ``exact`` and the
    mean wall time of a delay condition (``wall_delay_s``)."""
    seeds = seed_list(seeds)
    _check(n_exc, delay_h, recall_fraction, dt)
    layout = Layout.scaled(int(n_exc), float(recall_fraction))
    q = {key: [] for key in CONDITIONS}
    weight = {key: [] for key in CONDITIONS}
    walls = []
    for seed in seeds:
        for key, (delay, block) in CONDITIONS.items():
            out = condition(layout, seed, None if delay is None else delay_h, block, exact, dt)
            q[key].append(out["q"])
            weight[key].append(assembly_weight(out, layout))
            if delay is not None:
                walls.append(out["wall_s"])
    summary = {"n_seeds": len(seeds), "n_exc": int(n_exc), "delay_h": float(delay_h)}
    for key, values in q.items():
        summary[key], summary[f"{key}_sem"] = _stats(values)
    for key, values in weight.items():
        summary[f"weight_{key}"] = float(np.mean(values))
    summary["exact"] = bool(exact)
    summary["wall_delay_s"] = float(np.mean(walls))
    arrays = {f"q_{key}": np.asarray(v) for key, v in q.items()}
    return Result("consolidation", summary, arrays, {"recall": figure(q, delay_h)})


def figure(q: dict, delay_h: float):
    """Bars of the mean Q of each condition (s.e.m. whiskers, one dot per seed)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.2, 3.2))
    labels = ["10 s", f"{delay_h:g} h", f"{delay_h:g} h,\nsynthesis blocked"]
    colors = ["0.6", "tab:blue", "tab:red"]
    for k, values in enumerate(q.values()):
        mean, sem = _stats(values)
        ax.bar(k, mean, yerr=sem, color=colors[k], capsize=4, width=0.6)
        ax.plot(np.full(len(values), k) + 0.12, values, "k.", ms=4)
    ax.axhline(0.0, color="k", lw=0.5)
    ax.set_xticks(range(3), labels)
    ax.set_ylabel("recall quality Q")
    ax.set_title("one-shot memory after 10 s and hours")
    fig.tight_layout()
    return fig
