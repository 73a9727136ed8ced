"""The run task: what a worker does with a list of runs, and what it sends back.

:func:`execute_task` runs in worker processes, on Dask workers or in the calling
process; it never touches the results folder. Each run gives an *outcome*, a dict
with ``status`` (``"ok"`` / ``"error"``), ``error`` (``"Type: message"`` or None),
``traceback``, ``scalars`` (flattened numbers and strings), ``arrays``, ``summary``
(the run's full summary as plain JSON values), ``wall_s`` and ``worker``
(``host:pid``).
"""

from __future__ import annotations

import inspect
import numbers
import os
import platform
import signal
import sys
import threading
import time
import traceback
from collections.abc import Mapping

import numpy as np

from neurosim.sweep.target import functions


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


def worker_name() -> str:
    """``host:pid`` of this process."""
    return f"{platform.node()}:{os.getpid()}"


def error_outcome(err: BaseException, started: float) -> dict:
    """The outcome of a run that raised ``err`` (``started``: its perf_counter start)."""
    return {
        "status": "error",
        "error": f"{type(err).__name__}: {err}",
        "traceback": "".join(traceback.format_exception(err)),
        "scalars": {},
        "arrays": {},
        "summary": {},
        "wall_s": time.perf_counter() - started,
        "worker": worker_name(),
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
        "worker": worker_name(),
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


def _one_by_one(run, setup, measure, kwargs: list[dict]) -> list[dict]:
    outcomes = []
    for kw in kwargs:
        started = time.perf_counter()
        try:
            outcomes.append(_ok_outcome(_single(run, setup, measure, kw), started))
        except (Exception, SystemExit) as err:
            outcomes.append(error_outcome(err, started))
    return outcomes


def _batch(setup, measure, kwargs: list[dict]) -> list[dict]:
    """Build every network, advance them together in one compiled call, measure each;
    a run's ``wall_s`` is its share of the batch plus its own measuring."""
    from neurosim.engine.batch import run_batch

    started = time.perf_counter()
    outcomes: list[dict | None] = [None] * len(kwargs)
    built = []
    for k, kw in enumerate(kwargs):
        try:
            net, duration = setup(**kw)
            built.append((k, net, duration))
        except (Exception, SystemExit) as err:
            outcomes[k] = error_outcome(err, started)
    errors = run_batch([net for _, net, _ in built], [d for _, _, d in built])
    share = (time.perf_counter() - started) / max(len(kwargs), 1)
    for (k, net, _), err in zip(built, errors, strict=True):
        t0 = time.perf_counter()
        if err is not None:
            outcomes[k] = error_outcome(err, t0)
            continue
        try:
            result = measure(net, **_call_args(setup, kwargs[k]))
            outcomes[k] = _ok_outcome(result, t0, wall=share + time.perf_counter() - t0)
        except (Exception, SystemExit) as err:
            outcomes[k] = error_outcome(err, t0)
    return outcomes


def execute_task(ref, fixed: dict, runs: list, pass_seed: bool, batched: bool) -> list[dict]:
    """Run ``runs`` (``(run_id, params, seed)`` each) of target ``ref``; one outcome
    dict per run. Called in worker processes and on Dask workers."""
    run, setup, measure = functions(ref)
    kwargs = [
        {**fixed, **params, **({"seed": seed} if pass_seed else {})} for _, params, seed in runs
    ]
    if not batched:
        return _one_by_one(run, setup, measure, kwargs)
    # setup, run, measure: the same results alone as in a batch
    if len(runs) == 1:
        return _one_by_one(None, setup, measure, kwargs)
    return _batch(setup, measure, kwargs)


def _exit_with_parent(parent: int, every: float = 0.5) -> None:
    """End this process when its parent ``parent`` is gone (a killed parent must not
    leave its workers running): on Linux the kernel sends SIGKILL at once
    (``PR_SET_PDEATHSIG``); everywhere a thread checks the parent every ``every`` s."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass

    def watch():
        while os.getppid() == parent:
            time.sleep(every)
        os._exit(1)

    if os.getppid() != parent:  # already gone before the death signal was asked for
        os._exit(1)
    threading.Thread(target=watch, name="neurosim-parent-watch", daemon=True).start()


def worker_init(ref=None, parent: int | None = None) -> None:
    """Start of a worker process: ignore Ctrl-C (it goes to the whole foreground process
    group; only the parent handles it), exit when the parent process ``parent`` dies,
    and import the target ``ref``, if given."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if parent is not None:
        _exit_with_parent(parent)
    if ref is not None:
        functions(ref)
