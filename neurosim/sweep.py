"""Parameter sweeps: many runs of one experiment over a grid or a sample of parameter
values and seeds, on local processes, batched in one kernel, or on a Dask cluster;
resumable, with a tidy table of results.

>>> from neurosim.sweep import sweep, load_results
>>> df = sweep("coba", grid={"w_i": [40, 67, 90]}, seeds=range(5),
...            params={"duration": 500, "n_exc": 400, "n_inh": 100, "p": 0.1},
...            out="results/coba-wi")
>>> df.groupby("w_i").rate_exc_hz.mean()

What is swept
    ``target`` is the name of an experiment (``experiments.EXPERIMENTS``), an
    experiment module, or a callable ``f(**params)`` returning a
    :class:`~neurosim.results.Result`, a dict or a number. Points are the product of
    ``points`` (explicit parameter dicts), ``grid`` (every combination of the listed
    values) and, with ``sampler="random"`` or ``"lhs"``, ``n_samples`` draws over
    ``ranges`` (``(low, high)``: uniform; a list: one of its values), each combined
    with every seed. ``params`` are fixed values passed to every run.

Seeds
    The target receives ``seed`` when its signature names a ``seed`` parameter. A
    target without one (e.g. ``fi-curve``, which is deterministic) accepts only the
    default ``seeds=(0,)``: more seeds would repeat identical runs, so they raise
    ValueError; its rows have ``seed = 0``.

The table (:func:`load_results`)
    One row per run: a column per swept parameter (named as the parameter), ``seed``,
    ``status`` (``"ok"`` / ``"error"``), ``error`` (``"Type: message"``, else empty),
    then every scalar the run returned (nested dicts flattened as ``outer.inner``; a
    value that only repeats a swept parameter is left out, another name that clashes
    with a column above becomes ``result.<name>``), then
    ``run_id``, ``attempts``, ``wall_s``, ``worker``, ``neurosim_version``,
    ``git_revision`` and ``finished_at``. Lists and arrays of the result (and
    ``Result.arrays``) go to ``runs/<run_id>/arrays.npz`` beside ``run.json`` (the
    run's parameters and full summary) and, for errors, ``traceback.txt``.

Storage (why this layout)
    ``out/sweep.json`` is the manifest (target, fixed parameters, sampling, the list of
    runs, neurosim version and git revision). ``out/table/<run_id>.parquet`` holds one
    row per finished run, written to a temporary name and renamed into place (atomic
    on POSIX), so a crash or Ctrl-C can never leave a half-written or duplicated row,
    the table can be read while the sweep runs, and resuming is listing the files.
    One small file per run is slower to read than one big file, but appending to one
    Parquet file is impossible and rewriting it after each run is O(n^2). ``run_id``
    is a hash of the run's swept parameters and seed, so the same run has the same
    file in every sweep into that folder, and extending a grid reuses what is done.

Executors
    ``executor=None`` uses local processes (``"processes"``: one per core, set by
    ``max_workers``; batched sweeps default to ``"serial"``, the calling process,
    since the batch kernel already uses every core). Worker processes start with the
    ``spawn`` method: numba's threading layers are not safe across ``fork``, and
    spawn is the one method that behaves the same on Linux, macOS and Windows. A
    ``dask.distributed.Client``, a scheduler address (``"tcp://host:8786"``) or a
    cluster object (``LocalCluster``, dask-jobqueue's ``SLURMCluster`` ...) runs on
    Dask instead, with no change to the target.

Faults
    A run that raises is recorded with ``status="error"`` and the sweep goes on;
    rerunning skips it unless ``retry_errors=True``. When a worker process dies (a
    crash, the OOM killer), the runs it held are tried again, after a death one at a
    time, so that a run which kills its worker is found and recorded as
    ``"WorkerDied: ..."`` once it has killed a worker ``retries + 1`` times (at least
    once running alone) while the others finish normally. On Dask the scheduler
    itself first reschedules a task whose worker died (up to its
    ``distributed.scheduler.allowed-failures``) and reports ``KilledWorker``; each
    such report counts as one death here. Ctrl-C stops the sweep, keeps every
    finished row and exits; running the same sweep again resumes it.

Batched runs (``batched=True``)
    For targets that expose ``setup(**params) -> (network, duration_ms)`` (the
    network built with its monitors, not yet run) and ``measure(network, **params)
    -> dict | Result`` (``params``: setup's arguments with defaults filled in): up
    to ``batch_size`` networks are built, advanced together by
    :func:`neurosim.engine.batch.run_batch` (one compiled call, parallel over
    instances) and measured, with results identical to single runs.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import hashlib
import importlib
import inspect
import itertools
import json
import numbers
import os
import pickle
import platform
import signal
import subprocess
import time
import traceback
import types
import uuid
from collections import Counter, deque
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

SAMPLERS = ("grid", "random", "lhs")
#: Columns after the parameters, before the run's own scalars.
KEY_COLUMNS = ("seed", "status", "error")
#: Columns of provenance, last in the table.
META_COLUMNS = (
    "run_id",
    "attempts",
    "wall_s",
    "worker",
    "neurosim_version",
    "git_revision",
    "finished_at",
)
MANIFEST = "sweep.json"


class WorkerDied(RuntimeError):
    """The worker process running a run died (recorded as the run's error)."""


# -- targets -----------------------------------------------------------------------------
class _Target:
    """What a sweep runs, in a form that travels to worker processes and machines."""

    def __init__(self, target):
        if isinstance(target, str):
            from neurosim.experiments import EXPERIMENTS

            if target not in EXPERIMENTS:
                raise ValueError(
                    f"unknown experiment {target!r}; experiments: {sorted(EXPERIMENTS)}"
                )
            self.name, self.ref = target, ("experiment", target)
        elif isinstance(target, types.ModuleType):
            self.name, self.ref = target.__name__, ("module", target.__name__)
        elif callable(target) or (hasattr(target, "setup") and hasattr(target, "measure")):
            module = getattr(target, "__module__", None) or type(target).__module__
            qual = getattr(target, "__qualname__", None) or type(target).__qualname__
            self.name, self.ref = f"{module}:{qual}", ("object", target)
        else:
            raise TypeError(
                "target must be an experiment name, an experiment module, a callable or "
                f"an object with setup() and measure(); got {target!r}"
            )
        self.run, self.setup, self.measure = _functions(self.ref)
        if self.run is None and (self.setup is None or self.measure is None):
            raise TypeError(f"{self.name} has neither run() nor setup() and measure()")

    def signature(self, batched: bool) -> inspect.Signature:
        fn = self.setup if batched or self.run is None else self.run
        return inspect.signature(fn)

    def accepts_seed(self, batched: bool) -> bool:
        param = self.signature(batched).parameters.get("seed")
        return param is not None and param.kind != param.VAR_KEYWORD

    def check_names(self, names: Iterable[str], batched: bool) -> None:
        sig = self.signature(batched)
        if any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values()):
            return
        unknown = sorted(set(names) - set(sig.parameters))
        if unknown:
            raise ValueError(
                f"{self.name} has no parameter(s) {unknown}; its parameters: {list(sig.parameters)}"
            )


def _functions(ref):
    """(run, setup, measure) of a target reference (each may be None)."""
    kind, value = ref
    if kind == "experiment":
        from neurosim.experiments import experiment

        run = experiment(value)
        holder = inspect.getmodule(run)
    elif kind == "module":
        holder = importlib.import_module(value)
        run = getattr(holder, "run", None)
    else:
        holder = value
        if hasattr(value, "setup") and hasattr(value, "measure"):
            run = getattr(value, "run", None)
        else:
            run = value
    return run, getattr(holder, "setup", None), getattr(holder, "measure", None)


# -- points ---------------------------------------------------------------------------------
def _plain_value(name, value):
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, numbers.Integral, numbers.Real, str)):
        return (
            int(value)
            if isinstance(value, numbers.Integral) and not isinstance(value, bool)
            else value
        )
    raise TypeError(
        f"swept parameter {name!r} has value {value!r}: swept values must be numbers, "
        "strings or booleans (pass lists and other objects as fixed params)"
    )


def grid_points(grid: Mapping[str, Sequence]) -> list[dict]:
    """Every combination of the values in ``grid`` (the last name varies fastest)."""
    names = list(grid)
    values = []
    for name in names:
        vals = grid[name]
        if isinstance(vals, (str, bytes)) or not isinstance(vals, Iterable):
            vals = [vals]
        vals = [_plain_value(name, v) for v in vals]
        if not vals:
            raise ValueError(f"grid values of {name!r} are empty")
        values.append(vals)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*values)]


def _check_ranges(ranges: Mapping) -> dict:
    checked = {}
    for name, spec in ranges.items():
        if (
            isinstance(spec, tuple)
            and len(spec) == 2
            and all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in spec)
        ):
            lo, hi = float(spec[0]), float(spec[1])
            if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
                raise ValueError(
                    f"range of {name!r} must be (low, high) with low < high, got {spec}"
                )
            checked[name] = (lo, hi)
        elif isinstance(spec, (list, range)) and len(spec):
            checked[name] = [_plain_value(name, v) for v in spec]
        else:
            raise ValueError(
                f"range of {name!r} must be a (low, high) tuple or a non-empty list of "
                f"values, got {spec!r}"
            )
    return checked


def _scale(spec, u):
    if isinstance(spec, tuple):
        lo, hi = spec
        return float(lo + u * (hi - lo))
    return spec[min(int(u * len(spec)), len(spec) - 1)]


def random_points(ranges: Mapping, n_samples: int, seed: int = 0) -> list[dict]:
    """``n_samples`` independent uniform draws over ``ranges`` (see module docstring)."""
    ranges = _check_ranges(ranges)
    u = np.random.default_rng(seed).random((n_samples, len(ranges)))
    return [
        {k: _scale(s, u[i, j]) for j, (k, s) in enumerate(ranges.items())} for i in range(n_samples)
    ]


def lhs_points(ranges: Mapping, n_samples: int, seed: int = 0) -> list[dict]:
    """A Latin hypercube of ``n_samples`` points over ``ranges``: each parameter's range
    is cut into ``n_samples`` equal strata and every stratum holds exactly one point
    (McKay, Beckman & Conover 1979, Technometrics 21:239; :mod:`scipy.stats.qmc`)."""
    from scipy.stats import qmc

    ranges = _check_ranges(ranges)
    u = qmc.LatinHypercube(d=len(ranges), seed=np.random.default_rng(seed)).random(n_samples)
    return [
        {k: _scale(s, u[i, j]) for j, (k, s) in enumerate(ranges.items())} for i in range(n_samples)
    ]


def _is_int(value, low: int) -> bool:
    """Whether ``value`` is an integer (not a bool) >= ``low``."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= low


def _seeds(seeds) -> list[int]:
    if isinstance(seeds, numbers.Integral) and not isinstance(seeds, bool):
        if seeds < 1:
            raise ValueError(f"seeds = {seeds} must be >= 1 (the number of seeds)")
        return list(range(int(seeds)))
    out = []
    for s in seeds:
        if not _is_int(s, 0):
            raise ValueError(f"seeds must be non-negative integers, got {s!r}")
        out.append(int(s))
    if not out:
        raise ValueError("seeds is empty")
    return list(dict.fromkeys(out))


def run_id(params: Mapping, seed: int) -> str:
    """Identifier of a run: a hash of its swept parameter values and its seed."""
    text = json.dumps({"params": dict(sorted(params.items())), "seed": seed}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _points(grid, sampler, ranges, n_samples, sample_seed, points) -> list[dict]:
    if sampler not in SAMPLERS:
        raise ValueError(f"sampler = {sampler!r} is not one of {SAMPLERS}")
    parts = []
    if points is not None:
        parts.append([{k: _plain_value(k, v) for k, v in p.items()} for p in points])
    if grid:
        parts.append(grid_points(grid))
    if sampler == "grid":
        if ranges:
            raise ValueError("ranges need sampler='random' or 'lhs'")
    else:
        if not ranges:
            raise ValueError(f"sampler={sampler!r} needs ranges={{name: (low, high), ...}}")
        if not _is_int(n_samples, 1):
            raise ValueError(f"sampler={sampler!r} needs n_samples >= 1, got {n_samples!r}")
        draw = random_points if sampler == "random" else lhs_points
        parts.append(draw(ranges, int(n_samples), sample_seed))
    names = [set(part[0]) if part else set() for part in parts]
    for a, b in itertools.combinations(names, 2):
        if a & b:
            raise ValueError(f"parameter(s) {sorted(a & b)} are given twice")
    return [
        {k: v for part in combo for k, v in part.items()} for combo in itertools.product(*parts)
    ] or [{}]


# -- running one run (in the worker) ----------------------------------------------------------
@functools.lru_cache(maxsize=1)
def provenance() -> tuple[str, str | None]:
    """(neurosim version, git revision of neurosim's source tree or None); the
    revision ends in ``-dirty`` when the tree has uncommitted changes."""
    import neurosim

    root = Path(neurosim.__file__).parent
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10
        )
        if rev.returncode != 0:
            return neurosim.__version__, None
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        return neurosim.__version__, rev.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return neurosim.__version__, None


def _flatten(summary: Mapping, prefix="") -> dict:
    flat = {}
    for key, value in summary.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def _is_scalar(value) -> bool:
    if isinstance(value, np.ndarray):
        return value.ndim == 0
    return value is None or isinstance(value, (bool, numbers.Number, str, np.generic))


def _split_result(result) -> tuple[dict, dict, dict]:
    """(scalars, arrays, summary) of what a target returned."""
    from neurosim.results import Result, _plain

    arrays = {}
    if isinstance(result, Result):
        summary, arrays = dict(result.summary), dict(result.arrays)
        if result.figures:
            from neurosim.plotting import plt

            for fig in result.figures.values():
                plt.close(fig)
    elif isinstance(result, Mapping):
        summary = dict(result)
    elif result is None:
        summary = {}
    elif _is_scalar(result):
        summary = {"value": result}
    else:
        raise TypeError(
            f"a sweep target must return a Result, a dict or a number, got {type(result).__name__}"
        )
    scalars = {}
    for key, value in _flatten(summary).items():
        if _is_scalar(value):
            value = value.item() if isinstance(value, (np.generic, np.ndarray)) else value
            scalars[key] = value
        elif key not in arrays:
            arr = np.asarray(value)
            if arr.dtype != object:
                arrays[key] = arr
    return scalars, arrays, _plain(summary)


def _worker_name() -> str:
    return f"{platform.node()}:{os.getpid()}"


def _error_outcome(err: BaseException, started: float) -> dict:
    return {
        "status": "error",
        "error": f"{type(err).__name__}: {err}",
        "traceback": "".join(traceback.format_exception(err)),
        "scalars": {},
        "arrays": {},
        "summary": {},
        "wall_s": time.perf_counter() - started,
        "worker": _worker_name(),
    }


def _ok_outcome(result, started: float, wall=None) -> dict:
    scalars, arrays, summary = _split_result(result)
    return {
        "status": "ok",
        "error": None,
        "traceback": None,
        "scalars": scalars,
        "arrays": arrays,
        "summary": summary,
        "wall_s": (time.perf_counter() - started) if wall is None else wall,
        "worker": _worker_name(),
    }


def _call_args(fn, kwargs) -> dict:
    """``kwargs`` with the defaults of ``fn``'s other parameters filled in."""
    bound = inspect.signature(fn).bind(**kwargs)
    bound.apply_defaults()
    args = dict(bound.arguments)
    for name, param in inspect.signature(fn).parameters.items():
        if param.kind == param.VAR_KEYWORD:
            args.update(args.pop(name, {}))
    return args


def _single(run, setup, measure, kwargs):
    if run is not None:
        return run(**kwargs)
    net, duration = setup(**kwargs)
    net.run(duration)
    return measure(net, **_call_args(setup, kwargs))


def execute_task(ref, fixed: dict, runs: list, pass_seed: bool, batched: bool) -> list[dict]:
    """Run ``runs`` (``(run_id, params, seed)`` each) of target ``ref``; one outcome
    dict per run. Called in worker processes and on Dask workers."""
    run, setup, measure = _functions(ref)
    kwargs = [
        {**fixed, **params, **({"seed": seed} if pass_seed else {})} for _, params, seed in runs
    ]
    if batched:
        run = None  # setup, run, measure: the same results alone as in a batch
    if not batched or len(runs) == 1:
        outcomes = []
        for kw in kwargs:
            started = time.perf_counter()
            try:
                outcomes.append(_ok_outcome(_single(run, setup, measure, kw), started))
            except (Exception, SystemExit) as err:
                outcomes.append(_error_outcome(err, started))
        return outcomes
    from neurosim.engine.batch import run_batch

    started = time.perf_counter()
    outcomes: list[dict | None] = [None] * len(runs)
    built = []
    for k, kw in enumerate(kwargs):
        try:
            net, duration = setup(**kw)
            built.append((k, net, duration))
        except (Exception, SystemExit) as err:
            outcomes[k] = _error_outcome(err, started)
    errors = run_batch([net for _, net, _ in built], [d for _, _, d in built])
    share = (time.perf_counter() - started) / max(len(runs), 1)
    for (k, net, _), err in zip(built, errors, strict=True):
        t0 = time.perf_counter()
        if err is not None:
            outcomes[k] = _error_outcome(err, t0)
            continue
        try:
            result = measure(net, **_call_args(setup, kwargs[k]))
            outcomes[k] = _ok_outcome(result, t0, wall=share + time.perf_counter() - t0)
        except (Exception, SystemExit) as err:
            outcomes[k] = _error_outcome(err, t0)
    return outcomes


def _worker_init() -> None:
    # Ctrl-C goes to the whole foreground process group; only the parent handles it
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# -- storage -----------------------------------------------------------------------------------
def _atomic_write(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _json(value) -> str:
    from neurosim.results import _plain

    return json.dumps(_plain(value), indent=1, default=repr)


class Store:
    """A sweep's results folder (see the module docstring for the layout)."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.table = self.folder / "table"
        self.runs = self.folder / "runs"

    @property
    def manifest_path(self) -> Path:
        return self.folder / MANIFEST

    def manifest(self) -> dict | None:
        if not self.manifest_path.exists():
            return None
        return json.loads(self.manifest_path.read_text())

    def open(self, spec: dict) -> None:
        """Create the folder, or check that it holds the same sweep, and write the
        manifest (the runs of earlier sweeps into this folder are kept)."""
        old = self.manifest()
        if old is not None:
            for key in ("target", "params"):
                if old.get(key) != spec[key]:
                    raise ValueError(
                        f"{self.folder} holds a sweep with {key} = {old.get(key)!r}, not "
                        f"{spec[key]!r}; use another out folder"
                    )
            known = {r["run_id"] for r in spec["runs"]}
            spec = {
                **spec,
                "swept": list(dict.fromkeys([*old.get("swept", []), *spec["swept"]])),
                "runs": [
                    *spec["runs"],
                    *[r for r in old.get("runs", []) if r["run_id"] not in known],
                ],
                "created": old.get("created", spec["created"]),
            }
        self.table.mkdir(parents=True, exist_ok=True)
        self.runs.mkdir(parents=True, exist_ok=True)
        for stale in self.table.glob(".*.tmp"):
            stale.unlink(missing_ok=True)
        _atomic_write(self.manifest_path, lambda p: p.write_text(_json(spec)))

    def finished(self) -> dict[str, str]:
        """run_id -> status of every run with a row."""
        import pyarrow.parquet as pq

        out = {}
        for path in self.table.glob("*.parquet"):
            status = pq.read_table(path, columns=["status"]).column(0)[0].as_py()
            out[path.stem] = status
        return out

    def write(self, run, outcome: dict, attempts: int, swept: Sequence[str]) -> dict:
        """Save one finished run: its folder first, then its row (the commit)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        rid, params, seed = run
        folder = self.runs / rid
        folder.mkdir(parents=True, exist_ok=True)
        record = {
            "run_id": rid,
            "params": params,
            "seed": seed,
            "status": outcome["status"],
            "error": outcome["error"],
            "summary": outcome["summary"],
        }
        _atomic_write(folder / "run.json", lambda p: p.write_text(_json(record)))
        if outcome["arrays"]:

            def save_arrays(path):
                with path.open("wb") as fh:
                    np.savez(fh, **outcome["arrays"])

            _atomic_write(folder / "arrays.npz", save_arrays)
        if outcome["traceback"]:
            _atomic_write(folder / "traceback.txt", lambda p: p.write_text(outcome["traceback"]))
        version, revision = provenance()
        row = {name: params.get(name) for name in swept}
        row.update(seed=seed, status=outcome["status"], error=outcome["error"])
        taken = set(row) | set(META_COLUMNS)
        for key, value in outcome["scalars"].items():
            if key in swept and value == params.get(key):
                continue  # the run echoes a swept parameter: its column says it already
            row[f"result.{key}" if key in taken else key] = value
        row.update(
            run_id=rid,
            attempts=attempts,
            wall_s=float(outcome["wall_s"]),
            worker=outcome["worker"],
            neurosim_version=version,
            git_revision=revision,
            finished_at=_dt.datetime.now(_dt.UTC).isoformat(timespec="milliseconds"),
        )
        table = pa.Table.from_pylist([row])
        _atomic_write(self.table / f"{rid}.parquet", lambda p: pq.write_table(table, p))
        return row


def load_results(folder, *, runs: Iterable[str] | None = None):
    """The table of a sweep folder as a pandas DataFrame (see the module docstring for
    the columns); readable while the sweep is running. ``runs`` keeps only those
    run ids, in that order."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    store = Store(folder)
    manifest = store.manifest()
    if manifest is None:
        raise FileNotFoundError(f"{folder} is not a sweep folder (no {MANIFEST})")
    paths = sorted(store.table.glob("*.parquet"))
    if runs is not None:
        wanted = list(runs)
        have = {p.stem: p for p in paths}
        paths = [have[r] for r in wanted if r in have]
    else:
        order = {r["run_id"]: k for k, r in enumerate(manifest["runs"])}
        paths.sort(key=lambda p: order.get(p.stem, len(order)))
    if not paths:
        columns = [*manifest["swept"], *KEY_COLUMNS, *META_COLUMNS]
        df = pd.DataFrame(columns=columns)
    else:
        table = pa.concat_tables([pq.read_table(p) for p in paths], promote_options="permissive")
        df = table.to_pandas()
        first = [c for c in (*manifest["swept"], *KEY_COLUMNS) if c in df.columns]
        meta = [c for c in META_COLUMNS if c in df.columns]
        rest = [c for c in df.columns if c not in first and c not in meta]
        df = df[first + rest + meta].reset_index(drop=True)
    df.attrs["folder"] = str(store.folder)
    return df


# -- executors -------------------------------------------------------------------------------------
class _Driver:
    """Runs tasks (lists of runs) on an executor and records each outcome."""

    def __init__(self, store, swept, payload, retries, bar):
        self.store, self.swept, self.payload = store, swept, payload
        self.retries = retries
        self.bar = bar
        self.deaths: Counter[str] = Counter()
        self.failed = 0

    def args(self, task) -> tuple:
        ref, fixed, pass_seed, batched = self.payload
        return (ref, fixed, task, pass_seed, batched)

    def record(self, task, outcomes, died: bool = False) -> None:
        for run, outcome in zip(task, outcomes, strict=True):
            attempts = self.deaths[run[0]] + (0 if died else 1)
            self.store.write(run, outcome, attempts, self.swept)
            self.failed += outcome["status"] != "ok"
        if self.bar is not None:
            self.bar.update(len(task))
            self.bar.set_postfix(failed=self.failed, refresh=False)

    def died(self, run, alone: bool, why: str) -> bool:
        """Count a death of ``run``'s worker; True when it is recorded as failed."""
        self.deaths[run[0]] += 1
        if alone and self.deaths[run[0]] > self.retries:
            err = WorkerDied(
                f"{why} while running this run ({self.deaths[run[0]]} times; retries = {self.retries})"
            )
            self.record([run], [_error_outcome(err, time.perf_counter())], died=True)
            return True
        return False

    def serial(self, tasks) -> None:
        for task in tasks:
            self.record(task, execute_task(*self.args(task)))

    def submit(self, pool, in_flight: dict, task, alone: bool) -> bool:
        """Submit ``task`` to a process pool; False when the pool broke (a worker died
        since the last look)."""
        from concurrent.futures.process import BrokenProcessPool

        try:
            in_flight[pool.submit(execute_task, *self.args(task))] = (task, alone)
        except BrokenProcessPool:
            return False
        return True

    def processes(self, tasks, max_workers: int) -> None:
        import multiprocessing
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
        from concurrent.futures.process import BrokenProcessPool

        ctx = multiprocessing.get_context("spawn")
        pending = deque(tasks)
        suspects: deque = deque()  # single runs to retry alone after a worker died
        while pending or suspects:
            pool = ProcessPoolExecutor(max_workers, mp_context=ctx, initializer=_worker_init)
            in_flight = {}
            broken = False
            try:
                while (pending or suspects or in_flight) and not broken:
                    if suspects:  # one at a time, so that a death names its run
                        if not in_flight:
                            broken = not self.submit(pool, in_flight, [suspects[0]], True)
                            if not broken:
                                suspects.popleft()
                    else:
                        while pending and len(in_flight) < 2 * max_workers and not broken:
                            broken = not self.submit(pool, in_flight, pending[0], False)
                            if not broken:
                                pending.popleft()
                    if broken:
                        break
                    done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                    for fut in done:
                        task, alone = in_flight.pop(fut)
                        try:
                            outcomes = fut.result()
                        except BrokenProcessPool:
                            broken = True
                            in_flight[fut] = (task, alone)
                            continue
                        except Exception as err:  # e.g. a result that cannot be pickled
                            outcomes = [_error_outcome(err, time.perf_counter())] * len(task)
                        self.record(task, outcomes)
                if in_flight:  # the pool broke: every other future fails at once too
                    wait(in_flight, timeout=10)
                for fut, (task, alone) in in_flight.items():
                    if fut.done() and fut.exception() is None:
                        self.record(task, fut.result())
                        continue
                    for run in task:
                        if not self.died(run, alone, "its worker process died"):
                            suspects.append(run)
            except BaseException:  # Ctrl-C, or an error while recording
                _stop_pool(pool)
                raise
            pool.shutdown(wait=True)

    def dask(self, tasks, client) -> None:
        from distributed import as_completed
        from distributed.scheduler import KilledWorker

        futures = {}

        def submit(task, alone):
            fut = client.submit(execute_task, *self.args(task), pure=False)
            futures[fut] = (task, alone)
            return fut

        queue = as_completed([submit(task, len(task) == 1) for task in tasks])
        try:
            for fut in queue:
                task, alone = futures.pop(fut)
                try:
                    outcomes = fut.result()
                except KilledWorker:
                    for run in task:
                        if not self.died(run, alone, "its Dask worker died"):
                            queue.add(submit([run], True))
                    continue
                except Exception as err:  # e.g. a result that cannot be deserialised
                    outcomes = [_error_outcome(err, time.perf_counter())] * len(task)
                self.record(task, outcomes)
        finally:
            if futures:
                client.cancel(list(futures))


def _stop_pool(pool) -> None:
    """Shut a process pool down now: cancel what has not started, end the workers."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        if proc.is_alive():
            proc.terminate()
    for proc in processes:
        proc.join(timeout=5)


def _dask_client(executor):
    """(client, close_when_done) for a Client, a scheduler address or a cluster."""
    try:
        from distributed import Client
    except ImportError as err:  # pragma: no cover - dask is a dependency
        raise ImportError("running on a Dask cluster needs dask.distributed") from err
    if isinstance(executor, Client):
        return executor, False
    if (isinstance(executor, str) and ":" in executor) or hasattr(executor, "scheduler_address"):
        return Client(executor), True
    raise TypeError(
        "executor must be None, 'processes', 'serial', a dask.distributed Client, a "
        f"scheduler address or a cluster object; got {executor!r}"
    )


# -- the sweep ---------------------------------------------------------------------------------------
def sweep(
    target,
    grid: Mapping[str, Sequence] | None = None,
    seeds: int | Iterable[int] = (0,),
    *,
    sampler: str = "grid",
    ranges: Mapping | None = None,
    n_samples: int | None = None,
    sample_seed: int = 0,
    points: Sequence[Mapping] | None = None,
    params: Mapping | None = None,
    out=None,
    executor=None,
    max_workers: int | None = None,
    retries: int = 2,
    retry_errors: bool = False,
    progress: bool | None = None,
    batched: bool = False,
    batch_size: int = 64,
):
    """Run ``target`` over parameter points and seeds; return the table of the runs.

    Parameters
    ----------
    target : str, module or callable
        Experiment name, experiment module, or callable (see module docstring).
    grid : dict of name -> list
        Values of each parameter; every combination is run.
    seeds : int or iterable of int
        ``N`` means ``range(N)``; every point runs with every seed.
    sampler : {"grid", "random", "lhs"}
        ``"random"``/``"lhs"``: add ``n_samples`` points drawn over ``ranges``
        (uniform, or Latin hypercube) with ``sample_seed``.
    ranges : dict of name -> (low, high) or list
        The sampled parameters.
    points : list of dict, optional
        Explicit parameter sets (combined with the grid and the samples).
    params : dict, optional
        Fixed parameters of every run (recorded in the manifest, not as columns).
    out : path, optional
        Results folder; rerunning into it resumes. Default: a new temporary folder.
    executor : None, "processes", "serial", Client, address or cluster
        Where runs execute (see module docstring).
    max_workers : int, optional
        Local worker processes (default: one per core).
    retries : int
        Deaths of a run's worker tolerated before it is recorded as failed.
    retry_errors : bool
        Rerun runs recorded with ``status="error"``.
    progress : bool, optional
        Progress bar on standard error; ``None``: only when it is a terminal.
    batched : bool
        Run ``batch_size`` instances at a time in one kernel (target needs
        ``setup``/``measure``).

    Returns
    -------
    pandas.DataFrame
        One row per run of this sweep (finished earlier or now), in sweep order;
        ``df.attrs["folder"]`` is the results folder.
    """
    tgt = _Target(target)
    if batched and (tgt.setup is None or tgt.measure is None):
        raise ValueError(
            f"batched=True needs setup(**params) -> (network, duration) and "
            f"measure(network, **params) from {tgt.name}"
        )
    if not _is_int(retries, 0):
        raise ValueError(f"retries = {retries!r} must be an integer >= 0")
    if not _is_int(batch_size, 1):
        raise ValueError(f"batch_size = {batch_size!r} must be an integer >= 1")
    seed_list = _seeds(seeds)
    pass_seed = tgt.accepts_seed(batched)
    if not pass_seed and seed_list != [0]:
        raise ValueError(
            f"{tgt.name} takes no seed parameter, so its runs do not depend on a seed: "
            f"sweep it with the default seeds=(0,), not {seed_list}"
        )
    fixed = dict(params or {})
    pts = _points(grid, sampler, ranges, n_samples, sample_seed, points)
    swept = list(dict.fromkeys(k for p in pts for k in p))
    for name in ("seed", *KEY_COLUMNS, *META_COLUMNS):
        if name in swept or name in fixed:
            raise ValueError(
                f"{name!r} cannot be a parameter of a sweep"
                + (" (give seeds=...)" if name == "seed" else " (a column of the results table)")
            )
    if set(swept) & set(fixed):
        raise ValueError(f"parameter(s) {sorted(set(swept) & set(fixed))} are both swept and fixed")
    tgt.check_names([*swept, *fixed], batched)

    all_runs, seen = [], set()
    for point in pts:
        for seed in seed_list:
            rid = run_id(point, seed)
            if rid not in seen:
                seen.add(rid)
                all_runs.append((rid, point, seed))

    if executor is None:
        executor = "serial" if batched else "processes"
    if (
        isinstance(executor, str)
        and executor not in ("serial", "processes")
        and ":" not in executor
    ):
        raise ValueError(
            f"executor = {executor!r} must be 'processes', 'serial', a Dask scheduler address "
            "('tcp://host:8786'), a dask.distributed Client or a cluster object"
        )
    if executor == "processes" and tgt.ref[0] == "object":
        try:
            pickle.dumps(tgt.ref)
        except Exception as err:
            raise TypeError(
                f"{tgt.name} cannot be sent to worker processes ({err}); define it at the "
                "top level of an importable module, or use executor='serial'"
            ) from None
    if max_workers is None:
        max_workers = (
            len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        )
    if not _is_int(max_workers, 1):
        raise ValueError(f"max_workers = {max_workers!r} must be an integer >= 1")

    if out is None:
        import tempfile

        out = tempfile.mkdtemp(prefix=f"neurosim-sweep-{tgt.name.replace(':', '-')}-")
    store = Store(out)
    version, revision = provenance()
    spec = {
        "target": tgt.name,
        "params": json.loads(_json(fixed)),
        "swept": swept,
        "grid": json.loads(_json(grid or {})),
        "sampler": sampler,
        "ranges": json.loads(_json(ranges or {})),
        "n_samples": n_samples,
        "sample_seed": sample_seed,
        "seeds": seed_list,
        "passes_seed": pass_seed,
        "runs": [{"run_id": r, "params": p, "seed": s} for r, p, s in all_runs],
        "neurosim_version": version,
        "git_revision": revision,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }
    store.open(spec)
    finished = store.finished()
    todo = [
        run
        for run in all_runs
        if run[0] not in finished or (retry_errors and finished[run[0]] != "ok")
    ]
    size = batch_size if batched else 1
    tasks = [todo[k : k + size] for k in range(0, len(todo), size)]

    from tqdm.auto import tqdm

    bar = tqdm(
        total=len(all_runs),
        initial=len(all_runs) - len(todo),
        unit="run",
        desc=f"sweep {tgt.name}",
        disable=None if progress is None else not progress,
    )
    driver = _Driver(store, swept, (tgt.ref, fixed, pass_seed, batched), retries, bar)
    todo_ids = {run[0] for run in todo}
    driver.failed = sum(
        1 for r, _, _ in all_runs if finished.get(r, "ok") != "ok" and r not in todo_ids
    )
    bar.set_postfix(failed=driver.failed, refresh=False)
    try:
        if executor == "serial":
            driver.serial(tasks)
        elif executor == "processes":
            driver.processes(tasks, min(int(max_workers), max(len(tasks), 1)))
        elif tasks:
            client, close = _dask_client(executor)
            try:
                driver.dask(tasks, client)
            finally:
                if close:
                    client.close()
    finally:
        bar.close()
    return load_results(store.folder, runs=[r for r, _, _ in all_runs])


def resume_hint(folder) -> str:
    """One line on how a sweep in ``folder`` stands (runs finished of those planned)."""
    store = Store(folder)
    manifest = store.manifest() or {"runs": []}
    n = len(manifest["runs"])
    done = len(list(store.table.glob("*.parquet"))) if store.table.exists() else 0
    return f"{done} of {n} runs finished in {folder}"


__all__ = [
    "SAMPLERS",
    "Store",
    "WorkerDied",
    "execute_task",
    "grid_points",
    "lhs_points",
    "load_results",
    "provenance",
    "random_points",
    "resume_hint",
    "run_id",
    "sweep",
]
