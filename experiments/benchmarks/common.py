"""What the benchmark results share: the result row, medians over repeats, ratios, the
table, timing a measurement, the COBA neuron in Brian2 and a Brian2 C++ standalone run in
a temporary folder. (The command line and the
worker processes are in :mod:`neurosim.experiments.benchmarks.driver`.)"""

from __future__ import annotations

import os
import statistics
import tempfile
import time

#: Keys of every result row, in output order.
KEYS = ("simulator", "mode", "sim_ms", "run_s", "build_s", "spikes", "synapses")
#: (value of "simulator", value of "mode") of neurosim's compiled loop.
NEUROSIM = ("neurosim", "numba")
#: (value of "simulator", value of "mode") of Brian2's C++ standalone device.
BRIAN2_STANDALONE = ("brian2", "cpp_standalone")


def timed(build, simulate):
    """Time one measurement in this process: ``state = build()`` (construction and the
    loading or compiling of the code) and ``simulate(state)``; returns ``(run_s, build_s,
    state)`` (wall times in s)."""
    t0 = time.perf_counter()
    state = build()
    t1 = time.perf_counter()
    simulate(state)
    t2 = time.perf_counter()
    return t2 - t1, t1 - t0, state


def brian2_cond_neurons(b2, n: int, eqs: str, method: str, seed: int, dt_ms: float, **names):
    """``n`` conductance-based LIF neurons written as a Brian2 user would (in the current
    device), the COBA neuron of ``lif_cond``: C 200 pF, g_L 10 nS, E_L -60 mV, E_e 0 mV,
    tau_e 5 ms, threshold -50 mV (``v > Vt``), reset -60 mV, refractory 5 ms; ``v``
    uniform in [Vr, Vt]. ``eqs`` are the equations, ``names`` further entries of the
    namespace, which is returned with the group. Sets Brian2's clock (``dt_ms``) and
    seed first."""
    from brian2 import ms, mV, nS, pF

    b2.defaultclock.dt = dt_ms * ms
    b2.seed(seed)
    namespace = {
        "Cm": 200 * pF,
        "gl": 10 * nS,
        "El": -60 * mV,
        "Ee": 0 * mV,
        "taue": 5 * ms,
        "Vt": -50 * mV,
        "Vr": -60 * mV,
        **names,
    }
    group = b2.NeuronGroup(
        n,
        eqs,
        threshold="v > Vt",
        reset="v = Vr",
        refractory=5 * ms,
        method=method,
        namespace=namespace,
    )
    group.v = "Vr + rand()*(Vt - Vr)"
    return group, namespace


def run_brian2_standalone(prefix: str, duration_ms: float, build):
    """Build a network on Brian2's C++ standalone device with ``build(b2) -> (net,
    read)``, simulate ``duration_ms`` in a temporary project folder (deleted
    afterwards) and return ``(run_s, build_s, read())``; ``read`` runs while the
    results are still on disk. ``run_s`` is the compiled program's simulation loop
    (``device._last_run_time``), ``build_s`` the rest of the wall time from construction
    to the return of ``device.build``. Brian2 allows one standalone build per process."""
    import brian2 as b2

    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        project = os.path.join(tmp, "project")
        b2.set_device("cpp_standalone", build_on_run=False, directory=project)
        t0 = time.perf_counter()
        net, read = build(b2)
        net.run(duration_ms * b2.ms)
        b2.device.build(directory=project, compile=True, run=True, with_output=False)
        t1 = time.perf_counter()
        run_s = float(b2.device._last_run_time)
        return run_s, (t1 - t0) - run_s, read()


def result_row(simulator, mode, duration_ms, run_s, build_s, spikes, synapses) -> dict:
    """One measurement as a row with the keys :data:`KEYS`."""
    values = (
        simulator,
        mode,
        float(duration_ms),
        float(run_s),
        float(build_s),
        int(spikes),
        int(synapses),
    )
    return dict(zip(KEYS, values, strict=True))


def median_row(rows: list[dict]) -> dict:
    """Medians of times and counts over repeats of one measurement."""
    out = dict(rows[0])
    for key in ("run_s", "build_s"):
        out[key] = float(statistics.median(r[key] for r in rows))
    for key in ("spikes", "synapses"):
        out[key] = int(round(statistics.median(r[key] for r in rows)))
    return out


def run_s_ratio(rows: list[dict], numerator: str, denominator: str) -> float | None:
    """``run_s`` of mode ``numerator`` / mode ``denominator`` at the longest duration
    both were run for (``None`` if there is none)."""
    num = {r["sim_ms"]: r for r in rows if r["mode"] == numerator}
    den = {r["sim_ms"]: r for r in rows if r["mode"] == denominator}
    common = sorted(set(num) & set(den))
    if not common:
        return None
    return num[common[-1]]["run_s"] / den[common[-1]]["run_s"]


def ratio_vs_brian2_standalone(rows: list[dict]) -> float | None:
    """neurosim ``run_s`` (:data:`NEUROSIM`) / Brian2 C++ standalone ``run_s`` at the
    longest duration both were run for (``None`` if there is none)."""
    return run_s_ratio(rows, NEUROSIM[1], BRIAN2_STANDALONE[1])


def format_table(rows: list[dict], n_neurons: int) -> str:
    """The rows as a readable table, with the mean rate of ``n_neurons`` neurons."""
    head = f"{'simulator':9s} {'mode':14s} {'sim_ms':>8s} {'run_s':>9s} {'build_s':>9s} "
    head += f"{'spikes':>9s} {'rate_Hz':>8s} {'synapses':>9s}"
    lines = [head, "-" * len(head)]
    for r in rows:
        rate = r["spikes"] / (n_neurons * r["sim_ms"] / 1000.0)
        lines.append(
            f"{r['simulator']:9s} {r['mode']:14s} {r['sim_ms']:8.0f} {r['run_s']:9.3f} "
            f"{r['build_s']:9.3f} {r['spikes']:9d} {rate:8.2f} {r['synapses']:9d}"
        )
    return "\n".join(lines)
