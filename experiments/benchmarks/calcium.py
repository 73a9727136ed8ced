"""Calcium-plasticity benchmark: Graupner–Brunel synapses in neurosim against Brian2.

The network is feed-forward: 1000 Poisson inputs at 5 Hz onto 100 conductance-based
LIF neurons (``lif_cond`` defaults, the COBA neuron of Vogels & Abbott 2005: C 200 pF,
g_L 10 nS, E_L -60 mV, threshold -50 mV, reset -60 mV, refractory 5 ms, g_e decaying
with tau_e 5 ms to E_e 0 mV), connected all to all (100 000 synapses) onto the
excitatory conductance with a transmission delay of one step (dt 0.1 ms). Membrane
potentials start uniform in [-60, -50] mV. V is advanced by exponential Euler in both
simulators (neurosim ``method="exponential_euler"``, Brian2 ``method="exponential_euler"``):
with the conductance decaying exactly in both, the neuron dynamics are the same
discrete map, so that the weight distributions can be compared.

Every synapse follows the Graupner & Brunel 2012 rule (PNAS 109:3991) with the
published DP parameter set (``synapse="graupner_brunel_2012_dp"``: tau_Ca 20 ms,
C_pre 1, C_post 2, theta_d 1, theta_p 1.3, gamma_d 200, gamma_p 321.808,
sigma 2.8284, tau 150 s, rho_star 1/2, presynaptic calcium delay D 13.7 ms). The
transmitted weight is ``w = w_min + (w_max - w_min) rho`` (clipped to the bounds) with
**w_min = 0.024 nS and w_max = 0.12 nS** (w_max / w_min = b = 5, the DP set's UP/DOWN
strength ratio); with these the neurons fire at about 4-5 Hz. **Initial
efficacies**: every synapse independently DOWN (rho = 0) or UP (rho = 1) with
probability 1/2 (the DP set's beta = 1/2), drawn by each simulator (neurosim: NumPy
from the seed, the same draw in the static network; Brian2: ``rand()``).

neurosim (mode ``numba``) updates each synapse only at its events (the delayed
presynaptic calcium transient, the postsynaptic spikes; see
:mod:`neurosim.synapses.calcium`), and at the end brings every synapse to the final
time (``projection.synchronize()``, counted in ``run_s``). Mode ``numba_static`` is the
same network with static weights (the initial ones), to measure what plasticity costs.

The Brian2 version (mode ``cpp_standalone``) is written as a Brian2 user would, with
per-synapse **clock-driven** calcium and efficacy::

    dc/dt = -c/tau_Ca : 1 (clock-driven)
    drho/dt = (-rho*(1 - rho)*(rho_star - rho) + gamma_p*(1 - rho)*int(c > theta_p)
               - gamma_d*rho*int(c > theta_d))/tau
              + sigma*sqrt((int(c > theta_d) + int(c > theta_p))/tau)*xi : 1 (clock-driven)
    w = clip(w_min + (w_max - w_min)*rho, w_min, w_max) : siemens

with ``method="heun"`` (Brian2's ``euler`` refuses this equation: its noise amplitude
depends on the state variable c, i.e. the noise is multiplicative in Brian2's sense),
two presynaptic pathways, ``pre: ge_post += w`` (no delay) and
``calcium: c += C_pre`` with its own delay D = 13.7 ms, and ``on_post: c += C_post``.
Its per-step cost is dominated by the integration (and one Gaussian draw) of every
one of the 100 000 synapses in every step, about 17 s per simulated second here.

Measurements
------------
As in :mod:`neurosim.experiments.benchmarks.coba`: every measurement runs in a fresh Python
process (``python -m neurosim.experiments.benchmarks.calcium --worker ...``) in a temporary
directory; timers start after ``import neurosim`` / ``import brian2``.
neurosim: ``build_s`` from the start of network construction through a first
``net.run(dt)`` (which loads the cached compiled loop, or compiles it), ``run_s`` the
following ``net.run(T - dt)`` plus the final ``synchronize()`` (plastic mode).
Brian2 C++ standalone: ``run_s`` is ``device._last_run_time`` (the compiled
program's simulation loop), ``build_s`` the rest of the wall time from construction to
the return of ``device.build`` (code generation, compilation, start-up, synapse
creation, writing results). Everything single-threaded.

``spikes`` counts the spikes of the 100 LIF neurons (the inputs are not recorded) in
``sim_ms``; ``synapses`` the synapses created. With ``repeats > 1`` the neurosim
measurements are repeated (round-robin) and medians reported; the Brian2 run, about
17 s per simulated second plus 20-40 s of build, is made ``brian2_repeats`` times
(default **once** per duration), since its run time varies little relative to its
length.

Weight distributions: the final efficacies of the plastic neurosim run and of the
Brian2 run at the shortest duration both made (1 s by default; from the first
repeat) are compared: their means and a two-sample Kolmogorov–Smirnov test
(``scipy.stats.ks_2samp``: ``ks_pvalue``, and ``ks_statistic`` D, the largest
distance between the two empirical distribution functions). Both simulators draw
their own Poisson inputs, initial efficacies and noise, so only the distributions can
agree. **The p-value is not a calibrated test here**: it treats the 100 000
efficacies as independent samples, but all synapses onto one neuron share its spikes
and all neurons share the same 1000 inputs, so the whole distribution moves with the
network's spike counts, which vary by about +-15 % between seeds. Two neurosim runs
that differ only in the seed give D of 0.01-0.07 and p-values of 1e-9 to 1e-200.
The calibrated comparison is therefore D against ``ks_statistic_between_seeds``: the
median D between the neurosim run and ``ks_seeds`` (default 4) further neurosim runs
with seeds ``seed + 1, ...`` (not timed). A Brian2 D of the same size as these is
what two runs of one correct simulator show. The neurons are mean-driven close to
threshold, where the rate is steep in the mean weight (about 1 Hz per 1 % of it), so
spike counts of long runs are sensitive to small differences in the mean efficacy.

Output: one JSON line per simulator and duration with the keys ``simulator``,
``mode``, ``sim_ms``, ``run_s``, ``build_s``, ``spikes``, ``synapses``; then
``{"rho_mean_neurosim", "rho_mean_brian2", "ks_pvalue", "ks_statistic",
"ks_statistic_between_seeds"}`` (``null`` where not run); then
``{"ratio_vs_brian2_standalone": r}`` with r = neurosim plastic ``run_s`` / Brian2
``run_s`` at the longest duration both were run for; finally
``{"plastic_vs_static": q}`` with q = neurosim plastic ``run_s`` / static ``run_s`` at
the longest duration both were run for (``null`` if not run).

CLI::

    neurosim bench calcium [--json] [--durations 1000,10000] [--repeats N]
                           [--brian2-repeats N] [--ks-seeds N]
                           [--only neurosim|neurosim_static|brian2_standalone ...]
    python -m neurosim.experiments.benchmarks.calcium ...      (the same)
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from neurosim.experiments.benchmarks.common import (
    BRIAN2_STANDALONE,
    NEUROSIM,
    brian2_cond_neurons,
    ratio_vs_brian2_standalone,
    run_s_ratio,
)
from neurosim.experiments.benchmarks.driver import Benchmark, round_robin

#: CLI name -> (value of "simulator", value of "mode")
SIMULATORS = {
    "neurosim": NEUROSIM,
    "neurosim_static": ("neurosim", "numba_static"),
    "brian2_standalone": BRIAN2_STANDALONE,
}

N_INPUT, N_NEURON = 1000, 100
RATE_HZ = 5.0
RULE = "graupner_brunel_2012_dp"
W_MIN, W_MAX = 0.024, 0.12  # nS
DT_MS = 0.1
BENCHMARK = Benchmark(
    "calcium", "neurosim.experiments.benchmarks.calcium", SIMULATORS, N_NEURON, DT_MS
)


def initial_rho(n_synapses: int, seed: int) -> np.ndarray:
    """Each synapse DOWN (0) or UP (1) with probability 1/2, independently."""
    rng = np.random.default_rng([seed, 2012])
    return (rng.random(n_synapses) < 0.5).astype(float)


def weight_of(rho: np.ndarray) -> np.ndarray:
    """Transmitted weight (nS) of efficacy ``rho``."""
    return np.clip(W_MIN + (W_MAX - W_MIN) * rho, W_MIN, W_MAX)


# -- the measurements (run inside a worker process) --------------------------------------
def _measure_neurosim(name: str, duration_ms: float, seed: int, plastic: bool):
    import neurosim as ns

    def network():
        net = ns.Network(dt=DT_MS, seed=seed)
        inputs = net.add_poisson("inputs", N_INPUT, rate=RATE_HZ)
        neurons = net.add_population(
            "neurons", N_NEURON, "lif_cond", params={"method": "exponential_euler"}
        )
        neurons.v = ns.Uniform(-60.0, -50.0)
        synapse = None
        if plastic:
            from neurosim.synapses import synapse_model

            synapse = synapse_model(RULE, w_min=W_MIN, w_max=W_MAX)
        proj = net.connect(
            inputs,
            neurons,
            ns.AllToAll(),
            weight=W_MIN,
            delay=DT_MS,
            receptor="exc",
            synapse=synapse,
        )
        rho0 = initial_rho(proj.n_synapses, seed)
        if plastic:
            proj.rho = rho0
        proj.weight = weight_of(rho0)
        net.record_spikes(neurons)
        return net

    row, net = BENCHMARK.measure_neurosim(name, duration_ms, network)
    (proj,) = net.projections.values()
    return row, (np.array(proj.rho) if plastic else None)


def measure_neurosim(duration_ms: float, seed: int = 1):
    """neurosim with Graupner–Brunel synapses: (row, final rho)."""
    return _measure_neurosim("neurosim", duration_ms, seed, plastic=True)


def measure_neurosim_static(duration_ms: float, seed: int = 1):
    """neurosim with static synapses (the initial weights): (row, None)."""
    return _measure_neurosim("neurosim_static", duration_ms, seed, plastic=False)


def _brian2_network(b2, seed: int):
    """The network written as a Brian2 user would (in the current device)."""
    from brian2 import Hz, ms, nS

    from neurosim.synapses import synapse_model

    gb = synapse_model(RULE).params  # the published DP values, in ms where timed
    eqs = """
    dv/dt = (gl*(El - v) + ge*(Ee - v))/Cm : volt (unless refractory)
    dge/dt = -ge/taue : siemens
    """
    rule = {
        "tau_Ca": gb.tau_Ca * ms,
        "C_pre": gb.C_pre,
        "C_post": gb.C_post,
        "theta_d": gb.theta_d,
        "theta_p": gb.theta_p,
        "gamma_d": gb.gamma_d,
        "gamma_p": gb.gamma_p,
        "sigma": gb.sigma,
        "tau": gb.tau * ms,
        "rho_star": gb.rho_star,
        "w_min": W_MIN * nS,
        "w_max": W_MAX * nS,
    }
    neurons, namespace = brian2_cond_neurons(
        b2, N_NEURON, eqs, "exponential_euler", seed, DT_MS, **rule
    )
    inputs = b2.PoissonGroup(N_INPUT, RATE_HZ * Hz)
    syn = b2.Synapses(
        inputs,
        neurons,
        model="""
        dc/dt = -c/tau_Ca : 1 (clock-driven)
        drho/dt = (-rho*(1 - rho)*(rho_star - rho) + gamma_p*(1 - rho)*int(c > theta_p)
                   - gamma_d*rho*int(c > theta_d))/tau
                  + sigma*sqrt((int(c > theta_d) + int(c > theta_p))/tau)*xi : 1 (clock-driven)
        w = clip(w_min + (w_max - w_min)*rho, w_min, w_max) : siemens
        """,
        on_pre={"pre": "ge_post += w", "calcium": "c += C_pre"},
        on_post="c += C_post",
        delay={"calcium": gb.D * ms},
        method="heun",
        namespace=namespace,
    )
    syn.connect()
    syn.rho = "int(rand() < 0.5)"
    mon = b2.SpikeMonitor(neurons)
    net = b2.Network(inputs, neurons, syn, mon)
    return net, mon, (syn,)


def measure_brian2_standalone(duration_ms: float, seed: int = 1):
    """Brian2 C++ standalone, built and executed in a temporary directory (deleted
    afterwards): (row, final rho)."""
    return BENCHMARK.measure_brian2_standalone(
        duration_ms,
        lambda b2: _brian2_network(b2, seed),
        read=lambda syns: np.array(syns[0].rho[:]),
    )


MEASURE = {
    "neurosim": measure_neurosim,
    "neurosim_static": measure_neurosim_static,
    "brian2_standalone": measure_brian2_standalone,
}


# -- driving the workers ----------------------------------------------------------------
def measure_in_subprocess(name: str, duration_ms: float, seed: int = 1, keep_rho: bool = False):
    """One measurement of simulator ``name`` in a fresh Python process: (row, final
    rho if ``keep_rho`` and the simulator is plastic, else None)."""
    return BENCHMARK.measure(
        name, duration_ms, seed, array_option="--rho-out" if keep_rho else None
    )


def run(
    durations_ms=(1000.0, 10000.0),
    simulators=tuple(SIMULATORS),
    seed: int = 1,
    repeats: int = 1,
    brian2_repeats: int = 1,
    ks_seeds: int = 4,
) -> tuple[list[dict], dict]:
    """Measure every simulator at every duration (ms), every measurement in a fresh
    process; neurosim ``repeats`` times, Brian2 ``min(repeats, brian2_repeats)`` times.

    Returns the rows (medians; in the order of ``durations_ms`` then ``simulators``)
    and the final efficacies ``{"sim_ms": d, "neurosim": rho, "brian2": rho,
    "neurosim_seeds": [rho, ...]}`` at the shortest duration ``d`` (``None`` where not
    run); ``neurosim_seeds`` holds ``ks_seeds`` untimed neurosim runs with seeds
    ``seed + 1, ...`` when the plastic neurosim was run. See the module docstring.
    """
    durations = BENCHMARK.check(durations_ms, simulators)
    if int(repeats) < 1 or int(brian2_repeats) < 1 or int(ks_seeds) < 0:
        raise ValueError(
            f"repeats = {repeats}, brian2_repeats = {brian2_repeats} must be >= 1 and "
            f"ks_seeds = {ks_seeds} >= 0"
        )
    plastic = [s for s in ("neurosim", "brian2_standalone") if s in simulators]
    d_ks = min(durations) if plastic else None
    rho = {"sim_ms": d_ks, "neurosim": None, "brian2": None, "neurosim_seeds": []}

    def measure(r: int, d: float, s: str) -> dict | None:
        if s == "brian2_standalone" and r >= int(brian2_repeats):
            return None
        keep = r == 0 and s in plastic and d == d_ks
        row, final = measure_in_subprocess(s, d, seed, keep_rho=keep)
        if keep:
            rho["neurosim" if s == "neurosim" else "brian2"] = final
        return row

    rows = round_robin(durations, simulators, repeats, measure)
    if "neurosim" in simulators:
        for k in range(1, int(ks_seeds) + 1):
            rho["neurosim_seeds"].append(
                measure_in_subprocess("neurosim", d_ks, seed + k, keep_rho=True)[1]
            )
    return rows, rho


def weight_comparison(rho: dict) -> dict:
    """Means of the final efficacies, the two-sample KS test between simulators and
    the median KS statistic between neurosim seeds (see module docstring)."""
    from scipy.stats import ks_2samp

    out = dict.fromkeys(
        (
            "rho_mean_neurosim",
            "rho_mean_brian2",
            "ks_pvalue",
            "ks_statistic",
            "ks_statistic_between_seeds",
        )
    )
    a, b = rho.get("neurosim"), rho.get("brian2")
    if a is not None:
        out["rho_mean_neurosim"] = float(np.mean(a))
        others = rho.get("neurosim_seeds") or []
        if others:
            out["ks_statistic_between_seeds"] = float(
                np.median([ks_2samp(a, o).statistic for o in others])
            )
    if b is not None:
        out["rho_mean_brian2"] = float(np.mean(b))
    if a is not None and b is not None:
        test = ks_2samp(a, b)
        out["ks_pvalue"] = float(test.pvalue)
        out["ks_statistic"] = float(test.statistic)
    return out


def plastic_vs_static(rows: list[dict]) -> float | None:
    """neurosim plastic ``run_s`` / neurosim static ``run_s``."""
    return run_s_ratio(rows, "numba", "numba_static")


def _parser():
    p = BENCHMARK.parser(
        "1000 Poisson inputs onto 100 LIF neurons through 100 000 Graupner-Brunel "
        "synapses: neurosim (plastic and static) vs Brian2 C++ standalone.",
        "neurosim measurements each; medians reported",
    )
    p.add_argument(
        "--brian2-repeats",
        type=int,
        default=1,
        help="Brian2 measurements each, at most --repeats (default 1: Brian2 is slow)",
    )
    p.add_argument(
        "--ks-seeds",
        type=int,
        default=4,
        help="untimed neurosim runs with other seeds, the reference for the KS statistic",
    )
    p.add_argument("--rho-out", help=argparse.SUPPRESS)
    return p


def _worker(args) -> dict:
    row, rho = MEASURE[args.worker](args.duration, args.seed)
    if args.rho_out and rho is not None:
        np.save(args.rho_out, rho)
    return row


def _measure_all(args, durations, simulators):
    rows, rho = run(
        durations,
        simulators,
        seed=args.seed,
        repeats=args.repeats,
        brian2_repeats=args.brian2_repeats,
        ks_seeds=args.ks_seeds,
    )
    summaries = [
        weight_comparison(rho),
        {"ratio_vs_brian2_standalone": ratio_vs_brian2_standalone(rows)},
        {"plastic_vs_static": plastic_vs_static(rows)},
    ]
    return rows, summaries


def main(argv=None) -> int:
    """``neurosim bench calcium``: see the module docstring."""
    return BENCHMARK.main(_parser(), argv, _worker, _measure_all)


if __name__ == "__main__":
    sys.exit(main())
