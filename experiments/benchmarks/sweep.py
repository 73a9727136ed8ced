"""Sweep benchmark: many runs of a small plastic network, three ways.

The network: 160 excitatory and 40 inhibitory conductance-based LIF neurons (the COBA
model of Vogels & Abbott 2005 at 1/20 scale, connection probability 0.1), driven by
100 Poisson sources at ``rate`` Hz; the recurrent excitatory synapses learn by pair
STDP (additive, ``neurosim.synapses.stdp``). 256 runs of 2 s simulated over a grid
of ``w_e`` and ``rate`` times seeds, run

- ``loop``: a plain Python loop of single runs in this process;
- ``processes``: :func:`neurosim.sweep.sweep` on local processes (one per core);
- ``batched``: :func:`neurosim.sweep.sweep` with ``batched=True`` (instances advanced
  together in one compiled call, parallel over instances).

Both sweeps write their full results folders (a Parquet row per run), the loop keeps
its results in memory; compiled kernels are warmed up (and cached on disk) before the
clocks start. ``neurosim bench sweep [--runs 256] [--duration 2000] [--json]``; with
``--json`` one line per mode: ``{"mode", "runs", "wall_s", "runs_per_s"}``.
"""

from __future__ import annotations

import argparse
import json
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


def _time(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main(argv=None) -> int:
    import neurosim.experiments.benchmarks.sweep as model
    from neurosim.sweep import grid_points, sweep

    parser = argparse.ArgumentParser(
        prog="neurosim bench sweep", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--runs", type=int, default=256, help="number of runs (multiple of 16)")
    parser.add_argument("--duration", type=float, default=2000.0, help="simulated ms per run")
    parser.add_argument("--modes", default="loop,processes,batched", help="comma-separated")
    parser.add_argument("--workers", type=int, default=None, help="local processes")
    parser.add_argument("--json", action="store_true", help="one JSON line per mode")
    args = parser.parse_args(argv)
    values, seeds = grid(args.runs)
    fixed = {"duration": args.duration}
    n = len(grid_points(values)) * seeds
    run(**fixed, w_e=0.5, seed=0)  # compile (or load) the single kernel
    sweep(
        model,
        grid={"w_e": [0.5, 0.6]},
        params={**fixed, "duration": 1.0},
        batched=True,
        progress=False,
    )

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

    modes = {
        "loop": loop,
        "processes": lambda: swept(executor="processes", max_workers=args.workers),
        "batched": lambda: swept(batched=True),
    }
    results = {}
    for mode in args.modes.split(","):
        if mode not in modes:
            raise SystemExit(f"unknown mode {mode!r}; modes: {sorted(modes)}")
        wall = _time(modes[mode])
        results[mode] = {
            "mode": mode,
            "runs": n,
            "wall_s": round(wall, 3),
            "runs_per_s": round(n / wall, 2),
        }
        if args.json:
            print(json.dumps(results[mode]), flush=True)
    if not args.json:
        base = results.get("loop")
        for r in results.values():
            ratio = f"  ({r['runs_per_s'] / base['runs_per_s']:.2f} x loop)" if base else ""
            print(
                f"{r['mode']:10s} {r['runs']} runs in {r['wall_s']:.2f} s: {r['runs_per_s']:.1f} runs/s{ratio}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
