"""The driver that the simulator benchmarks (``coba``, ``calcium``) share: the command
line, the validation of its arguments, the round-robin over repeats, durations and
simulators, and every measurement in a fresh worker process in a temporary folder.

A benchmark module describes itself with a :class:`Benchmark` and supplies what is its
own: the networks measured inside a worker, the extra options, and the summary lines
printed after the rows."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from neurosim.experiments.benchmarks.common import (
    KEYS,
    format_table,
    median_row,
    result_row,
    run_brian2_standalone,
    timed,
)


@dataclass(frozen=True)
class Benchmark:
    """What the driver needs to know of one benchmark.

    ``name``: the CLI name (``neurosim bench <name>``); ``module``: the module run by
    the workers (``python -m <module> --worker ...``); ``simulators``: CLI name ->
    (value of "simulator", value of "mode"); ``n_neurons``: the neurons whose spikes
    are counted (for the rate in the table); ``dt_ms``: the time step (ms)."""

    name: str
    module: str
    simulators: dict[str, tuple[str, str]]
    n_neurons: int
    dt_ms: float

    def check(self, durations_ms, simulators) -> list[float]:
        """The durations as floats; ValueError for an unknown simulator or a duration
        shorter than two steps."""
        durations = [float(d) for d in durations_ms]
        unknown = [s for s in simulators if s not in self.simulators]
        if unknown:
            raise ValueError(f"unknown simulators {unknown}; choose from {list(self.simulators)}")
        if not durations or any(not d >= 2 * self.dt_ms for d in durations):
            raise ValueError(f"durations must be at least {2 * self.dt_ms} ms, got {durations_ms}")
        return durations

    def row(self, name, duration_ms, run_s, build_s, spikes, synapses) -> dict:
        """One measurement of simulator ``name`` as a row with the keys :data:`KEYS`."""
        return result_row(*self.simulators[name], duration_ms, run_s, build_s, spikes, synapses)

    def measure_neurosim(self, name: str, duration_ms: float, build):
        """Measure the neurosim network ``build()`` returns (with its spike monitors) in
        this process: ``(row of simulator name, net)``. ``build_s`` is the wall time from
        the start of ``build`` through a first ``net.run(dt)``, which generates and loads
        (or compiles) the kernel; ``run_s`` that of the following ``net.run(duration_ms -
        dt)`` and the final ``synchronize()`` of every projection."""

        def first_step():
            net = build()
            net.run(self.dt_ms)
            return net

        def simulate(net):
            net.run(duration_ms - self.dt_ms)
            for proj in net.projections.values():
                proj.synchronize()

        run_s, build_s, net = timed(first_step, simulate)
        spikes = sum(len(m.t) for m in net.monitors)
        synapses = sum(p.n_synapses for p in net.projections.values())
        return self.row(name, duration_ms, run_s, build_s, spikes, synapses), net

    def measure_brian2_standalone(self, duration_ms: float, network, read=lambda syns: None):
        """Measure ``network(b2) -> (net, spike monitor, synapses)`` on Brian2's C++
        standalone device (see :func:`run_brian2_standalone`): ``(row, read(synapses))``,
        ``read`` called while the results are on disk."""

        def build(b2):
            net, mon, syns = network(b2)
            return net, lambda: (int(mon.num_spikes), sum(len(s) for s in syns), read(syns))

        run_s, build_s, (spikes, n_syn, extra) = run_brian2_standalone(
            f"{self.name}_standalone_", duration_ms, build
        )
        return self.row("brian2_standalone", duration_ms, run_s, build_s, spikes, n_syn), extra

    def measure(self, name, duration_ms, seed=1, flags=(), array_option=None):
        """One measurement of simulator ``name`` in a fresh Python process, started in a
        temporary folder (deleted afterwards): ``(row, array)``. ``flags`` are further
        worker arguments; with ``array_option`` (e.g. ``"--rho-out"``) the worker is
        asked to save an array (``.npy``) there, which is returned (``None`` if the
        worker saved none or ``array_option`` is ``None``)."""
        args = ["--worker", name, "--duration", repr(float(duration_ms))]
        args += ["--seed", str(int(seed)), *flags]
        with tempfile.TemporaryDirectory(prefix=f"{self.name}_bench_") as tmp:
            path = os.path.join(tmp, "array.npy")
            if array_option:
                args += [array_option, path]
            row = run_worker(
                self.module, args, tmp, f"{self.name} benchmark worker {name} ({duration_ms} ms)"
            )
            array = np.load(path) if array_option and os.path.exists(path) else None
        return row, array

    def parser(self, description: str, repeats_help: str) -> argparse.ArgumentParser:
        """The command line every benchmark has (a benchmark adds its own options):
        ``--json``, ``--durations``, ``--repeats``, ``--only``, ``--seed`` and the
        hidden worker options ``--worker`` and ``--duration``."""
        p = argparse.ArgumentParser(prog=f"neurosim bench {self.name}", description=description)
        p.add_argument("--json", action="store_true", help="print only the JSON lines")
        p.add_argument(
            "--durations",
            default="1000,10000",
            help="simulated durations in ms, comma-separated (default 1000,10000)",
        )
        p.add_argument("--repeats", type=int, default=1, help=repeats_help)
        p.add_argument(
            "--only",
            action="append",
            choices=list(self.simulators),
            help="run only this simulator (repeatable; default all)",
        )
        p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        p.add_argument("--worker", choices=list(self.simulators), help=argparse.SUPPRESS)
        p.add_argument("--duration", type=float, help=argparse.SUPPRESS)
        return p

    def main(
        self,
        parser: argparse.ArgumentParser,
        argv,
        worker: Callable[[argparse.Namespace], dict],
        measure_all: Callable[[argparse.Namespace, list[float], tuple], tuple[list, list]],
    ) -> int:
        """Run the command line ``argv``. In a worker (``--worker``), ``worker(args)``
        measures once and its row is printed as one JSON line. Otherwise
        ``measure_all(args, durations, simulators) -> (rows, summaries)``, and one
        JSON line per row (keys :data:`KEYS`) and per summary dict is printed, after a
        table of the rows unless ``--json``."""
        args = parser.parse_args(argv)
        if args.worker:
            print(json.dumps(worker(args)), flush=True)
            return 0
        try:
            durations = [float(x) for x in args.durations.split(",") if x.strip()]
        except ValueError:
            raise SystemExit(f"--durations expects numbers, got {args.durations!r}") from None
        simulators = tuple(dict.fromkeys(args.only)) if args.only else tuple(self.simulators)
        try:
            rows, summaries = measure_all(args, durations, simulators)
        except ValueError as err:
            raise SystemExit(f"{parser.prog}: {err}") from None
        lines = [json.dumps({k: r[k] for k in KEYS}) for r in rows]
        lines += [json.dumps(s) for s in summaries]
        if not args.json:
            print(format_table(rows, self.n_neurons))
            print()
        print("\n".join(lines))
        return 0


def round_robin(
    durations: Sequence[float],
    simulators: Sequence[str],
    repeats: int,
    measure: Callable[[int, float, str], dict | None],
) -> list[dict]:
    """``measure(r, d, s)`` for every repeat ``r``, duration ``d`` and simulator ``s``
    (repeats outermost, so that slow drifts in machine load spread over all
    simulators); a measurement that returns ``None`` is skipped. Returns one row of
    medians per duration and simulator, in the order of ``durations`` then
    ``simulators``."""
    samples = {(d, s): [] for d in durations for s in simulators}
    for r in range(int(repeats)):
        for d in durations:
            for s in simulators:
                row = measure(r, d, s)
                if row is not None:
                    samples[(d, s)].append(row)
    return [median_row(samples[(d, s)]) for d in durations for s in simulators]


def project_root() -> Path:
    """The folder that contains the ``experiments`` package."""
    return Path(__file__).resolve().parents[2]


def run_worker(module: str, args: list[str], cwd: str, what: str) -> dict:
    """Run ``python -m <module> <args>`` in ``cwd`` and return the last JSON line it
    printed; raise RuntimeError with its output if it failed."""
    env = dict(os.environ)
    root = str(project_root())
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    cmd = [sys.executable, "-m", module, *args]
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout)[-4000:]
        raise RuntimeError(f"{what} failed (exit status {proc.returncode}):\n{tail}")
    return json.loads(lines[-1])
