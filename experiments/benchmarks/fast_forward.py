r"""Fast-forward benchmark: 24 h of quiet time crossed by ``Network.advance``.

The network: 1000 conductance-based LIF neurons (``lif_cond`` defaults, at rest),
connected with probability 0.1 (about 100 000 synapses, delay 1 ms) by Graupner &
Brunel 2012 synapses (``graupner_brunel_2012_dp``, w_min 0.024 nS, w_max 0.12 nS as in
the ``calcium`` benchmark) whose efficacies start uniform in (0, 1). Nothing comes in,
so that no neuron fires; but the efficacies evolve all the while: with the calcium
below both thresholds, :math:`\rho` follows the cubic flow towards 0 or 1, of which
:math:`x = \rho - 1/2` has the exact solution

.. math:: x(t) = x_0 / \sqrt{e^{-t/(2\tau)} + 4x_0^2 (1 - e^{-t/(2\tau)})}

(:math:`\tau` = 150 s). The benchmark crosses ``hours`` of this (default 24) with
``net.advance`` and brings every synapse to the end (``projection.synchronize()``),
and compares the efficacies with the exact solution (``rho_max_abs_error``).

What is measured: ``build_s`` is the construction plus a first ``net.run(dt)`` (loading
or compiling the loop); ``run_s`` the ``advance`` and the ``synchronize`` (the median
over ``--repeats`` networks built in this process); ``wall_s_per_24h`` is ``run_s``
scaled to 24 h (the jump's cost does not grow with its length). The same network is
then stepped at 0.1 ms for ``--stepped-ms`` (default one hour; measured once, after a
first run that compiles) and its time extrapolated to 24 h
(``stepped_s_per_24h``); ``ratio_stepped_vs_fast_forward`` is the quotient.

The rows (keys of :data:`~neurosim.experiments.benchmarks.common.KEYS`, mode
``fast_forward`` and ``stepped``) are printed as JSON lines, then one line with the
summary.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np

from neurosim.experiments.benchmarks.common import NEUROSIM, result_row

N_NEURON, P_CONNECT = 1000, 0.1
RULE = "graupner_brunel_2012_dp"
W_MIN, W_MAX = 0.024, 0.12  # nS
DT_MS = 0.1
DAY_MS = 24 * 3600e3


def build(n: int = N_NEURON, seed: int = 1):
    """The network of the module docstring with ``n`` neurons: ``(net, projection)``,
    its loop loaded by a first step."""
    import neurosim as ns
    from neurosim.synapses import synapse_model

    net = ns.Network(dt=DT_MS, seed=seed)
    neurons = net.add_population("neurons", n, "lif_cond")
    proj = net.connect(
        neurons,
        neurons,
        ns.FixedProbability(P_CONNECT),
        weight=W_MIN,
        delay=1.0,
        synapse=synapse_model(RULE, w_min=W_MIN, w_max=W_MAX),
    )
    proj.rho = np.random.default_rng([seed, 24]).uniform(0.0, 1.0, proj.n_synapses)
    net.record_spikes(neurons)
    net.run(DT_MS)
    return net, proj


def exact_rho(rho0: np.ndarray, t_ms: float, tau_ms: float) -> np.ndarray:
    """Efficacies after ``t_ms`` of the cubic flow (calcium below both thresholds)."""
    x0 = rho0 - 0.5
    e = np.exp(-t_ms / (2.0 * tau_ms))
    return 0.5 + x0 / np.sqrt(e + 4.0 * x0 * x0 * (1.0 - e))


def measure_jump(hours: float, n: int = N_NEURON, seed: int = 1) -> tuple[dict, dict]:
    """Build, cross ``hours`` by ``advance`` and synchronize: (row, efficacy check)."""
    t0 = time.perf_counter()
    net, proj = build(n, seed)
    t1 = time.perf_counter()
    # the efficacies are current as of each synapse's last update (step 0 here)
    rho0, since = np.array(proj.rho), proj.S_syn[2] * DT_MS
    net.advance(hours * 3600e3 - DT_MS)
    proj.synchronize()
    t2 = time.perf_counter()
    spikes = sum(v for k, v in net.counters().items() if k.startswith("spikes/"))
    row = result_row("neurosim", "fast_forward", net.t, t2 - t1, t1 - t0, spikes, proj.n_synapses)
    expected = exact_rho(rho0, net.t - since, proj.synapse.params.tau)
    check = {
        "rho_mean_before": float(rho0.mean()),
        "rho_mean_after": float(np.mean(proj.rho)),
        "rho_max_abs_error": float(np.max(np.abs(proj.rho - expected))),
    }
    return row, check


def measure_stepped(stepped_ms: float, n: int = N_NEURON, seed: int = 1) -> dict:
    """Build and step ``stepped_ms`` (plus the synchronize): the row."""
    t0 = time.perf_counter()
    net, proj = build(n, seed)
    t1 = time.perf_counter()
    net.run(stepped_ms)
    proj.synchronize()
    t2 = time.perf_counter()
    spikes = sum(v for k, v in net.counters().items() if k.startswith("spikes/"))
    return result_row(*NEUROSIM, stepped_ms, t2 - t1, t1 - t0, spikes, proj.n_synapses)


def run(
    hours: float = 24.0, stepped_ms: float = 3600e3, repeats: int = 3, n: int = N_NEURON, seed=1
):
    """The measurements: ([jump row (medians), stepped row], summary)."""
    if not hours > 0 or not stepped_ms >= 2 * DT_MS or repeats < 1:
        raise ValueError(
            f"hours = {hours} must be > 0, stepped_ms = {stepped_ms} >= {2 * DT_MS} and "
            f"repeats = {repeats} >= 1"
        )
    jumps = [measure_jump(hours, n, seed) for _ in range(repeats)]
    row = dict(jumps[0][0])
    for key in ("run_s", "build_s"):
        row[key] = statistics.median(r[key] for r, _ in jumps)
    stepped = measure_stepped(stepped_ms, n, seed)
    per_day = row["run_s"] * DAY_MS / row["sim_ms"]
    stepped_per_day = stepped["run_s"] * DAY_MS / stepped["sim_ms"]
    summary = {
        "wall_s_per_24h": per_day,
        "stepped_s_per_24h": stepped_per_day,
        "ratio_stepped_vs_fast_forward": stepped_per_day / per_day,
        **jumps[0][1],
    }
    return [row, stepped], summary


def main(argv=None) -> int:
    """``neurosim bench fast-forward [--json] [--hours H] [--stepped-ms MS] [--repeats
    R] [--neurons N] [--seed S]``."""
    p = argparse.ArgumentParser(prog="neurosim bench fast-forward", description=__doc__)
    p.add_argument("--json", action="store_true", help="print only the JSON lines")
    p.add_argument("--hours", type=float, default=24.0, help="quiet time crossed (h)")
    p.add_argument("--stepped-ms", type=float, default=3600e3, help="time stepped (ms)")
    p.add_argument("--repeats", type=int, default=3, help="jumps measured (median)")
    p.add_argument("--neurons", type=int, default=N_NEURON, help="network size")
    p.add_argument("--seed", type=int, default=1, help="random seed")
    args = p.parse_args(argv)
    try:
        rows, summary = run(args.hours, args.stepped_ms, args.repeats, args.neurons, args.seed)
    except ValueError as err:
        raise SystemExit(f"{p.prog}: {err}") from None
    lines = [json.dumps(r) for r in rows] + [json.dumps(summary)]
    if not args.json:
        for key, value in summary.items():
            print(f"{key}: {value:.4g}")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
