"""Sweep benchmark: many runs of a small plastic network, three ways.

The network: 160 excitatory and 40 inhibitory conductance-based LIF neurons (the COBA
model of Vogels & Abbott 2005 at 1/20 scale, connection probability 0.1), driven by
100 Poisson sources at ``rate`` Hz; the recurrent excitatory synapses learn by pair
STDP (additive, ``neurosim.synapses.stdp``). 1024 runs of 2 s simulated over a grid
of ``w_e`` and ``rate`` times seeds, run

- ``loop``: a plain Python loop of single runs in this process;
- ``processes``: :func:`neurosim.sweep.sweep` on local processes (one per core);
- ``batched``: :func:`neurosim.sweep.sweep` with ``batched=True`` (instances advanced
  together in one compiled call, parallel over instances).

Both sweeps write their full results folders (a Parquet row per run), the loop keeps
its results in memory; compiled kernels are warmed up (and cached on disk) in this
process before the clocks start; worker processes load them when they start.

``neurosim bench sweep [--runs 1024] [--duration 2000] [--json]``; with ``--json`` one
line per mode with the keys

- ``mode``, ``runs`` (the sweep length), ``wall_s``, ``runs_per_s`` (runs / wall_s);
- ``steady_runs_per_s``: runs per second once every worker runs, from the rows'
  ``finished_at``: the last three quarters of the runs over the time they took
  (batched rows arrive 64 at a time: it needs a sweep of several batches, 256 runs
  or more);
- ``startup_s``: the time lost before that rate is reached (starting the worker
  processes, importing, loading the compiled kernels), the time to finish the
  first quarter less what it takes at the steady rate;
- ``cores``: cores this process may use; ``efficiency``: ``steady_runs_per_s`` /
  (``cores`` x the loop's runs per second), 1 for a sweep that uses every core as
  fully as the loop uses one;
- ``cpu_s``: processor seconds of this process and its workers; ``cpu_efficiency``:
  the loop's processor seconds per run / this mode's, the share of the work that is
  the runs themselves (the rest: storage, messages, start-up), which other jobs on
  the machine do not disturb as they disturb throughput;
- ``startup_cpu_s``: processor seconds of starting the workers, measured by a sweep
  of four 1 ms runs per worker (0 for the modes without workers);
  ``steady_cpu_efficiency``: ``cpu_efficiency`` without them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import tempfile
import time

import neurosim as ns
from neurosim.synapses import synapse_model

#: The learning rule of the recurrent excitatory synapses (``None``: static weights).
PLASTICITY = "stdp_pair"


def setup(
    w_e: float = 0.5,
    w_i: float = 5.0,
    rate: float = 8.0,
    duration: float = 2000.0,
    seed: int = 0,
) -> tuple[ns.Network, float]:
    """The benchmark network (weights in nS, rate in Hz), recording excitatory spikes."""
    net = ns.Network(dt=0.1, seed=seed)
    exc = net.add_population("exc", 160, "lif_cond")
    inh = net.add_population("inh", 40, "lif_cond")
    inp = net.add_poisson("input", 100, rate=rate)
    for pop in (exc, inh):
        pop.v = ns.Uniform(-60.0, -50.0)
        net.connect(inp, pop, ns.FixedProbability(0.2), weight=2.0, receptor="exc")
        net.connect(inh, pop, ns.FixedProbability(0.1), weight=w_i, receptor="inh", delay=0.8)
    net.connect(exc, inh, ns.FixedProbability(0.1), weight=w_e, receptor="exc", delay=1.5)
    rule = None if PLASTICITY is None else synapse_model(PLASTICITY, w_max=2 * w_e)
    net.connect(exc, exc, ns.FixedProbability(0.1), weight=w_e, delay=1.5, synapse=rule)
    net.record_spikes(exc)
    return net, duration


def measure(network, **params) -> dict:
    """Mean excitatory rate (Hz) and mean final recurrent weight (nS)."""
    (spikes,) = [m for m in network.monitors if m.kind == "spikes"]
    w = network.projections["exc_to_exc_exc"].weight
    return {
        "rate_exc_hz": len(spikes.t) / (spikes.target.n * network.t * 1e-3),
        "w_ee_mean": float(w.mean()),
    }


def run(
    w_e: float = 0.5, w_i: float = 5.0, rate: float = 8.0, duration: float = 2000.0, seed: int = 0
) -> dict:
    """One run: set up, simulate, measure."""
    net, duration = setup(w_e, w_i, rate, duration, seed)
    net.run(duration)
    return measure(net)


def grid(runs: int) -> tuple[dict, int]:
    """A 4 x 4 grid of ``w_e`` and ``rate`` and ``runs / 16`` seeds."""
    seeds = max(1, runs // 16)
    return {"w_e": [0.3, 0.4, 0.5, 0.6], "rate": [6.0, 8.0, 10.0, 12.0]}, seeds


def _cpu_s() -> float:
    """Processor seconds of this process and of its children that have ended."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _steady(started: float, finished_at, n: int) -> tuple[float, float]:
    """(steady runs per second, start-up seconds) from the rows' finish times (see the
    module docstring); ``started``: wall-clock time of the call."""
    t = sorted(dt.datetime.fromisoformat(s).timestamp() for s in finished_at)
    m = max(1, n // 4)
    rate = (n - m) / max(t[-1] - t[m - 1], 1e-9)
    return rate, max(t[m - 1] - started - m / rate, 0.0)


def _measure(fn, n: int) -> dict:
    """Run ``fn`` (which returns the finish times of its rows, or None) and time it."""
    cpu, started, clock = _cpu_s(), time.time(), time.perf_counter()
    finished_at = fn()
    wall, cpu = time.perf_counter() - clock, _cpu_s() - cpu
    rate, startup = (n / wall, 0.0) if finished_at is None else _steady(started, finished_at, n)
    return {
        "runs": n,
        "wall_s": round(wall, 3),
        "runs_per_s": round(n / wall, 2),
        "steady_runs_per_s": round(rate, 2),
        "startup_s": round(startup, 3),
        "cpu_s": round(cpu, 3),
    }


def _modes(values: dict, seeds: int, fixed: dict, workers: int | None) -> dict:
    """The benchmarked modes: name -> function returning the rows' finish times."""
    import neurosim.experiments.benchmarks.sweep as model
    from neurosim.sweep import grid_points, sweep

    def loop():
        for point in grid_points(values):
            for seed in range(seeds):
                run(**fixed, **point, seed=seed)

    def swept(**options):
        with tempfile.TemporaryDirectory() as out:
            df = sweep(
                model, grid=values, seeds=seeds, params=fixed, out=out, progress=False, **options
            )
            if (df.status != "ok").any():
                raise RuntimeError(f"benchmark runs failed: {df.error.dropna().unique()}")
            return list(df.finished_at)

    return {
        "loop": loop,
        "processes": lambda: swept(executor="processes", max_workers=workers),
        "batched": lambda: swept(batched=True),
    }


def _startup_cpu(mode: str, workers: int) -> float:
    """Processor seconds of starting ``workers`` worker processes for ``mode``."""
    import neurosim.experiments.benchmarks.sweep as model
    from neurosim.sweep import sweep

    if mode != "processes":
        return 0.0
    cpu = _cpu_s()
    with tempfile.TemporaryDirectory() as out:
        grid = {"w_e": [0.3 + 0.01 * k for k in range(4 * workers)]}
        sweep(
            model, grid=grid, params={"duration": 1.0}, out=out, max_workers=workers, progress=False
        )
    return _cpu_s() - cpu


def _warm_up(fixed: dict) -> None:
    """Compile (or load) the single and the batched kernel in this process."""
    import neurosim.experiments.benchmarks.sweep as model
    from neurosim.sweep import sweep

    run(**fixed, w_e=0.5, seed=0)
    sweep(
        model,
        grid={"w_e": [0.5, 0.6]},
        params={**fixed, "duration": 1.0},
        batched=True,
        progress=False,
    )


def _print_table(results: dict, cores: int) -> None:
    for r in results.values():
        print(
            f"{r['mode']:10s} {r['runs']} runs in {r['wall_s']:.2f} s: "
            f"{r['runs_per_s']:.1f} runs/s; steady {r['steady_runs_per_s']:.1f} runs/s after "
            f"{r['startup_s']:.2f} s start-up; efficiency {r['efficiency']:.2f} of {cores} "
            f"cores x loop; {r['cpu_s']:.1f} cpu s (cpu efficiency {r['cpu_efficiency']:.2f}, "
            f"{r['steady_cpu_efficiency']:.2f} without {r['startup_cpu_s']:.1f} s start-up)"
        )


def main(argv=None) -> int:
    """``neurosim bench sweep``: see the module docstring."""
    from neurosim.sweep import grid_points

    parser = argparse.ArgumentParser(
        prog="neurosim bench sweep", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--runs", type=int, default=1024, help="number of runs (multiple of 16)")
    parser.add_argument("--duration", type=float, default=2000.0, help="simulated ms per run")
    parser.add_argument("--modes", default="loop,processes,batched", help="comma-separated")
    parser.add_argument("--workers", type=int, default=None, help="local processes")
    parser.add_argument("--json", action="store_true", help="one JSON line per mode")
    args = parser.parse_args(argv)
    values, seeds = grid(args.runs)
    fixed = {"duration": args.duration}
    n = len(grid_points(values)) * seeds
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    modes = _modes(values, seeds, fixed, args.workers)
    names = args.modes.split(",")
    for mode in names:
        if mode not in modes:
            raise SystemExit(f"unknown mode {mode!r}; modes: {sorted(modes)}")
    _warm_up(fixed)
    results = {}
    loop = _measure(modes["loop"], n)  # the reference: measured first in any case
    for mode in names:
        r = results[mode] = {"mode": mode, **(loop if mode == "loop" else _measure(modes[mode], n))}
        startup_cpu = _startup_cpu(mode, args.workers or cores)
        r.update(
            cores=cores,
            efficiency=round(r["steady_runs_per_s"] / (cores * loop["runs_per_s"]), 3),
            cpu_efficiency=round(loop["cpu_s"] / r["cpu_s"], 3),
            startup_cpu_s=round(startup_cpu, 3),
            steady_cpu_efficiency=round(loop["cpu_s"] / max(r["cpu_s"] - startup_cpu, 1e-9), 3),
        )
        if args.json:
            print(json.dumps(results[mode]), flush=True)
    if not args.json:
        _print_table(results, cores)
    return 0


if __name__ == "__main__":
    sys.exit(main())
