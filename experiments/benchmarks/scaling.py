"""Scaling benchmark: the COBA network from 4000 to 128,000 neurons, neurosim against
Brian2 C++ standalone.

The network is that of :mod:`neurosim.experiments.benchmarks.coba` (Vogels & Abbott
2005 in the form of Brette et al. 2007, written as a Brian2 user would for Brian2)
with ``N`` neurons, 80 % excitatory, and a constant expected in-degree of 80: each of
the four pathways connected with probability :math:`p = 80/N` (autapses allowed), so
the synapses grow as :math:`80 N`. Forward Euler, dt 0.1 ms, no external input; a
spike monitor records every neuron.

Measured quantities
-------------------
Every measurement runs in a fresh Python process in a temporary folder, as in the
``coba`` benchmark (the keys ``simulator``, ``mode``, ``sim_ms``, ``run_s``,
``build_s``, ``spikes``, ``synapses`` have the same meaning there), with these added:

``N``
    the number of neurons.
``construct_s``
    neurosim: the wall time of the network's construction (populations, connections,
    initial values; not the loading or compiling of the loop, which ``build_s``
    includes). Brian2 standalone: the compiled program's time outside its simulation
    loop (``device.timers["run_binary"]`` minus ``run_s``: start-up, initial values,
    synapse creation, writing the results); code generation and C++ compilation are in
    ``build_s`` only.
``peak_rss_mb``
    neurosim: the peak resident memory of the worker process (MiB; Python, Numba and
    the network). Brian2 standalone: the peak of its largest child process, the
    compiler or the simulation program, whichever is larger (MiB).
``ns_per_event``
    ``run_s`` per synaptic event, in ns; the events are ``spikes * synapses / N``
    (each spike reaches the mean out-degree). It includes the neuron updates: a
    whole-run cost, not the delivery alone.
``rate_hz``
    ``spikes / (N * sim_ms / 1000)``.
``bytes_per_synapse``
    neurosim: the bytes its projections' arrays retain after the run, per synapse
    (:meth:`~neurosim.projection.Projection.memory`: 20 per static synapse and the
    row pointers). ``null`` for Brian2.
``build_peak_bytes_per_synapse``
    neurosim: the peak of the memory NumPy allocates while the network is built (a
    second construction after the run, traced with :mod:`tracemalloc`), per synapse.
    ``null`` for Brian2.
``ratio_vs_brian2_standalone``
    on neurosim's rows: its ``run_s`` over Brian2 standalone's at the same ``N`` in the
    same invocation (``null`` when Brian2 was not run).

With ``repeats > 1`` every measurement is repeated (round-robin: repeats outermost,
then sizes, then simulators) and times, counts and memory are medians.

``--rules`` prints instead the bytes per synapse that a projection of each built-in
plasticity rule retains (:func:`rule_memory`), by part.

CLI::

    neurosim bench scaling [--json] [--sizes 4000,16000,64000,128000]
                           [--durations 2000] [--repeats N]
                           [--only neurosim|brian2_standalone ...] [--plot FILE]
    neurosim bench scaling --rules [--json]
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import statistics
import sys
import time
import tracemalloc

from neurosim.experiments.benchmarks import coba
from neurosim.experiments.benchmarks.common import (
    BRIAN2_STANDALONE,
    KEYS,
    NEUROSIM,
    run_brian2_standalone,
)
from neurosim.experiments.benchmarks.driver import Benchmark

SIMULATORS = {"neurosim": NEUROSIM, "brian2_standalone": BRIAN2_STANDALONE}
#: Default numbers of neurons.
SIZES = (4000, 16000, 64000, 128000)
#: Expected in-degree of every neuron (80 % from excitatory neurons).
IN_DEGREE = 80
DT_MS = coba.DT_MS
#: Measured values this benchmark adds to the other benchmarks' keys (see module).
_ADDED = (
    "construct_s",
    "peak_rss_mb",
    "ns_per_event",
    "rate_hz",
    "bytes_per_synapse",
    "build_peak_bytes_per_synapse",
)
#: Keys of a row, in output order.
ROW_KEYS = (*KEYS, "N", *_ADDED)
#: Keys whose median over repeated measurements is reported (``spikes`` and
#: ``synapses``: rounded medians; the rest is the first measurement's).
_MEDIAN_KEYS = ("run_s", "build_s", *_ADDED)
BENCHMARK = Benchmark("scaling", "neurosim.experiments.benchmarks.scaling", SIMULATORS, 0, DT_MS)


def shape(n: int) -> tuple[int, int, float]:
    """``(n_exc, n_inh, p)`` of the network of ``n`` neurons."""
    if isinstance(n, bool) or int(n) != n or n < 100:
        raise ValueError(f"N = {n!r} must be an integer >= 100")
    n = int(n)
    n_exc = int(round(0.8 * n))
    return n_exc, n - n_exc, min(1.0, IN_DEGREE / n)


def _peak_mb(who) -> float:
    return resource.getrusage(who).ru_maxrss / 1024.0  # Linux: KiB


def _complete(
    row: dict, n: int, construct_s: float, peak_mb: float, retained=None, build_peak=None
) -> dict:
    """``row`` with the keys this benchmark adds (see module)."""
    sim_s = row["sim_ms"] / 1000.0
    events = row["spikes"] * row["synapses"] / n
    row = dict(row)
    row.update(
        N=int(n),
        construct_s=float(construct_s),
        peak_rss_mb=float(peak_mb),
        ns_per_event=float(row["run_s"] * 1e9 / events) if events > 0 else None,
        rate_hz=float(row["spikes"] / (n * sim_s)),
        bytes_per_synapse=retained,
        build_peak_bytes_per_synapse=build_peak,
    )
    return row


def measure_neurosim(duration_ms: float, n: int, seed: int = 1) -> dict:
    """The network of ``n`` neurons in neurosim, in this process."""
    n_exc, n_inh, p = shape(n)
    network = coba.neurosim_network(seed, False, n_exc, n_inh, p)
    construct, built = [], []

    def timed_network():
        t0 = time.perf_counter()
        net = network()
        construct.append(time.perf_counter() - t0)
        built.append(net)
        return net

    row = BENCHMARK.measure_neurosim("neurosim", duration_ms, timed_network)[0]
    peak_mb = _peak_mb(resource.RUSAGE_SELF)
    synapses = max(row["synapses"], 1)
    retained = sum(p.memory()["total"] for p in built[0].projections.values()) / synapses
    built.clear()
    gc.collect()
    tracemalloc.start()
    network()
    build_peak = tracemalloc.get_traced_memory()[1] / synapses
    tracemalloc.stop()
    return _complete(row, n, construct[0], peak_mb, retained, build_peak)


def measure_brian2_standalone(duration_ms: float, n: int, seed: int = 1) -> dict:
    """The network of ``n`` neurons in Brian2 C++ standalone, in this process."""
    n_exc, n_inh, p = shape(n)

    def build(b2):
        net, mon, syns = coba._brian2_network(b2, seed, False, n_exc, n_inh, p)
        return net, lambda: (
            int(mon.num_spikes),
            sum(len(s) for s in syns),
            float(b2.device.timers["run_binary"]),
        )

    run_s, build_s, (spikes, n_syn, binary_s) = run_brian2_standalone(
        "scaling_standalone_", duration_ms, build
    )
    row = BENCHMARK.row("brian2_standalone", duration_ms, run_s, build_s, spikes, n_syn)
    return _complete(row, n, binary_s - run_s, _peak_mb(resource.RUSAGE_CHILDREN))


MEASURE = {"neurosim": measure_neurosim, "brian2_standalone": measure_brian2_standalone}


def _median(rows: list[dict]) -> dict:
    out = dict(rows[0])
    for key in _MEDIAN_KEYS:
        values = [r[key] for r in rows if r[key] is not None]
        out[key] = float(statistics.median(values)) if values else None
    for key in ("spikes", "synapses"):
        out[key] = int(round(statistics.median(r[key] for r in rows)))
    return out


#: Rules that read a modulator (``connect(..., modulator=m)``).
_MODULATED = ("calcium_modulated", "stdp_dopamine")


def rule_memory(n_pre: int = 1000, n_post: int = 500, p: float = 0.1) -> list[dict]:
    """Bytes per synapse that a projection retains, by part, for static synapses and
    each built-in plasticity rule: Poisson inputs onto ``lif_cond`` neurons with
    probability ``p``, after a run of one step (which builds the postsynaptic
    index the rules use). One dict per rule: ``rule``, ``count`` (synapses) and the
    parts of :meth:`~neurosim.projection.Projection.memory` divided by ``count``
    (``synapses``, ``rule_synapses``, ``rule_neurons``, ``indexes``, ``total``)."""
    import neurosim as ns
    from neurosim.synapses import RULES

    rows = []
    for name in ("static", *RULES):
        net = ns.Network(dt=0.1, seed=1)
        inp = net.add_poisson("inp", n_pre, rate=5.0)
        post = net.add_population("post", n_post, "lif_cond")
        kw = {} if name == "static" else {"synapse": name}
        if name in _MODULATED:
            kw["modulator"] = net.add_modulator("dopamine")
        proj = net.connect(inp, post, ns.FixedProbability(p), weight=0.5, **kw)
        net.run(net.dt)
        count = proj.n_synapses
        row = {"rule": name, "count": count}
        row.update({k: v / count for k, v in proj.memory().items()})
        rows.append(row)
    return rows


def format_rule_memory(rows: list[dict]) -> str:
    """:func:`rule_memory` as a table."""
    head = f"{'rule':18s} {'count':>7s} {'static':>7s} {'rule':>7s} {'neurons':>7s} "
    head += f"{'indexes':>7s} {'total':>7s}"
    lines = ["bytes per synapse, by part (Projection.memory)", head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r['rule']:18s} {r['count']:7d} {r['synapses']:7.2f} {r['rule_synapses']:7.2f} "
            f"{r['rule_neurons']:7.2f} {r['indexes']:7.2f} {r['total']:7.2f}"
        )
    return "\n".join(lines)


def run(
    sizes=SIZES,
    duration_ms: float = 2000.0,
    simulators=("neurosim", "brian2_standalone"),
    seed: int = 1,
    repeats: int = 1,
) -> list[dict]:
    """Measure every simulator at every size, ``repeats`` times each, every measurement
    in a fresh process; one row (medians) per size and simulator, in the order of
    ``sizes`` then ``simulators``, each neurosim row with its
    ``ratio_vs_brian2_standalone``. See the module docstring."""
    sizes = [int(n) for n in sizes]
    for n in sizes:
        shape(n)
    if not sizes:
        raise ValueError("sizes must not be empty")
    BENCHMARK.check([duration_ms], simulators)
    if int(repeats) < 1:
        raise ValueError(f"repeats = {repeats} must be >= 1")
    samples = {(n, s): [] for n in sizes for s in simulators}
    for _ in range(int(repeats)):
        for n in sizes:
            for s in simulators:
                flags = ["--n", str(n)]
                samples[(n, s)].append(BENCHMARK.measure(s, duration_ms, seed, flags)[0])
    rows = []
    for n in sizes:
        medians = {s: _median(samples[(n, s)]) for s in simulators}
        brian2 = medians.get("brian2_standalone")
        for s in simulators:
            row = medians[s]
            if s == "neurosim":
                row["ratio_vs_brian2_standalone"] = (
                    row["run_s"] / brian2["run_s"] if brian2 and brian2["run_s"] > 0 else None
                )
            rows.append(row)
    return rows


def format_table(rows: list[dict]) -> str:
    """The rows as a readable table."""
    head = f"{'N':>7s} {'simulator':9s} {'run_s':>8s} {'s/sim-s':>8s} {'ratio':>6s} "
    head += f"{'construct_s':>11s} {'build_s':>8s} {'peak_MiB':>9s} {'ns/event':>8s} "
    head += f"{'rate_Hz':>7s} {'synapses':>10s}"
    lines = [head, "-" * len(head)]
    for r in rows:
        ratio = r.get("ratio_vs_brian2_standalone")
        per_event = r["ns_per_event"]
        lines.append(
            f"{r['N']:7d} {r['simulator']:9s} {r['run_s']:8.3f} "
            f"{r['run_s'] / (r['sim_ms'] / 1000):8.3f} "
            f"{'' if ratio is None else f'{ratio:.2f}':>6s} {r['construct_s']:11.2f} "
            f"{r['build_s']:8.2f} {r['peak_rss_mb']:9.0f} "
            f"{'' if per_event is None else f'{per_event:.2f}':>8s} "
            f"{r['rate_hz']:7.2f} {r['synapses']:10d}"
        )
    return "\n".join(lines)


def figure(rows: list[dict]):
    """Seconds per simulated second against N, log-log, one line per simulator."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.6, 3.4))
    for sim, style in (("neurosim", "o-"), ("brian2", "s--")):
        mine = [r for r in rows if r["simulator"] == sim]
        if mine:
            ax.loglog(
                [r["N"] for r in mine],
                [r["run_s"] / (r["sim_ms"] / 1000) for r in mine],
                style,
                label=sim if sim == "neurosim" else "Brian2 C++ standalone",
            )
    ax.set_xlabel("neurons N (in-degree 80)")
    ax.set_ylabel("wall s per simulated s")
    ax.set_title("COBA network, one thread")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def _parser():
    p = BENCHMARK.parser(
        "COBA network with in-degree 80 at several sizes: neurosim vs Brian2 standalone.",
        "measurements each; medians reported",
    )
    p.set_defaults(durations="2000")
    p.add_argument(
        "--sizes",
        default=",".join(str(n) for n in SIZES),
        help="numbers of neurons, comma-separated (default 4000,16000,64000,128000)",
    )
    p.add_argument("--plot", help="save the log-log figure to this file")
    p.add_argument(
        "--rules",
        action="store_true",
        help="print the bytes per synapse each plasticity rule retains instead",
    )
    p.add_argument("--n", type=int, help=argparse.SUPPRESS)
    return p


def main(argv=None) -> int:
    """``neurosim bench scaling``: see the module docstring."""
    args = _parser().parse_args(argv)
    if args.worker:
        print(json.dumps(MEASURE[args.worker](args.duration, args.n, args.seed)), flush=True)
        return 0
    if args.rules:
        rows = rule_memory()
        print("\n".join(json.dumps(r) for r in rows) if args.json else format_rule_memory(rows))
        return 0
    try:
        sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
        durations = [float(x) for x in args.durations.split(",") if x.strip()]
    except ValueError:
        raise SystemExit(
            f"--sizes expects integers and --durations one number, got {args.sizes!r}, "
            f"{args.durations!r}"
        ) from None
    if len(durations) != 1:
        raise SystemExit("neurosim bench scaling: --durations takes one duration (ms)")
    simulators = tuple(dict.fromkeys(args.only)) if args.only else tuple(SIMULATORS)
    try:
        rows = run(sizes, durations[0], simulators, args.seed, args.repeats)
    except ValueError as err:
        raise SystemExit(f"neurosim bench scaling: {err}") from None
    if not args.json:
        print(format_table(rows))
        print()
    if args.plot:
        figure(rows).savefig(args.plot, dpi=120)
    for row in rows:
        keys = (
            (*ROW_KEYS, "ratio_vs_brian2_standalone")
            if "ratio_vs_brian2_standalone" in row
            else ROW_KEYS
        )
        print(json.dumps({k: row[k] for k in keys}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
