"""The public :func:`sweep`: plan the runs, open the store, choose the executor, run."""

from __future__ import annotations

import os
import pickle
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence

from neurosim.sweep.claims import claimed_by_other, release_claim
from neurosim.sweep.executors import Driver, dask_client
from neurosim.sweep.plan import Plan, plan
from neurosim.sweep.points import Sampling, is_int
from neurosim.sweep.spawn import check_not_in_worker_import, check_spawnable
from neurosim.sweep.store import Store


def _executor(executor, batched: bool, plan_: Plan, max_workers):
    """(executor, max_workers), checked; ``None`` becomes ``"serial"`` for batched
    sweeps (the batch kernel already uses every core), else ``"processes"``."""
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
    if executor == "processes" and plan_.target.ref[0] == "object":
        try:
            pickle.dumps(plan_.target.ref)
        except Exception as err:
            raise TypeError(
                f"{plan_.target.name} cannot be sent to worker processes ({err}); define it "
                "at the top level of an importable module, or use executor='serial'"
            ) from None
    if max_workers is None:
        max_workers = (
            len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        )
    if not is_int(max_workers, 1):
        raise ValueError(f"max_workers = {max_workers!r} must be an integer >= 1")
    return executor, max_workers


def _tasks(todo: list, batched: bool, batch_size: int) -> list:
    """The runs cut into tasks: batches of ``batch_size``, else single runs (a worker
    reports each run as soon as it is done, so Ctrl-C or a dying worker loses none
    that finished)."""
    size = batch_size if batched else 1
    return [todo[k : k + size] for k in range(0, len(todo), size)]


def _run(driver: Driver, tasks: list, executor, max_workers: int) -> None:
    if executor == "serial":
        driver.serial(tasks)
    elif executor == "processes":
        driver.processes(tasks, min(max_workers, max(len(tasks), 1)))
    elif tasks:
        driver.dask(tasks, executor)


def _execute(store: Store, driver: Driver, todo: list, executor, max_workers, batch_size):
    """Run ``todo`` (and what other sweeps into the folder leave undone); release this
    process's claims however it ends."""
    batched = driver.payload[3]
    try:
        while todo:
            _run(driver, _tasks(todo, batched, batch_size), executor, max_workers)
            todo = _left_to_others(store, todo)
    finally:
        for run in todo:
            release_claim(store.table, run[0])


def _temporary_folder(plan_: Plan) -> str:
    import tempfile

    return tempfile.mkdtemp(prefix=f"neurosim-sweep-{plan_.target.name.replace(':', '-')}-")


def _todo(plan_: Plan, finished: dict, retry_errors: bool) -> tuple[list, int]:
    """(runs still to do, failed runs that stay as they are) given ``finished``
    (run_id -> status of the runs with a row)."""
    todo = [
        run
        for run in plan_.runs
        if run[0] not in finished or (retry_errors and finished[run[0]] != "ok")
    ]
    todo_ids = {run[0] for run in todo}
    failed = sum(1 for r, _, _ in plan_.runs if finished.get(r, "ok") != "ok" and r not in todo_ids)
    return todo, failed


def _progress_bar(plan_: Plan, todo: int, failed: int, progress: bool | None):
    """A tqdm bar over the sweep's runs, those already finished counted."""
    from tqdm.auto import tqdm

    bar = tqdm(
        total=len(plan_.runs),
        initial=len(plan_.runs) - todo,
        unit="run",
        desc=f"sweep {plan_.target.name}",
        disable=None if progress is None else not progress,
    )
    bar.set_postfix(failed=failed, refresh=False)
    return bar


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
    resolve: Callable | None = None,
):
    """Run ``target`` over points and seeds; return the table (see :mod:`neurosim.sweep`).

    Parameters
    ----------
    target : callable, ``"module:function"``, module or object with setup/measure
        What a run calls; a name without ``":"`` goes through ``resolve`` (below).
    grid : dict of name -> list
        Values of each parameter; every combination is run.
    seeds : int or iterable of int
        ``N`` means ``range(N)``; every point runs with every seed.
    sampler, ranges, n_samples, sample_seed, points
        ``sampler="random"``/``"lhs"`` adds ``n_samples`` points drawn over ``ranges``
        (name -> ``(low, high)`` or a list; uniform, or Latin hypercube); ``points``
        adds explicit parameter dicts. Grid, samples and points are combined.
    params : dict, optional
        Fixed parameters of every run (recorded in the manifest, not as columns).
    out : path, optional
        Results folder; rerunning into it resumes. Default: a new temporary folder.
    executor, max_workers
        ``None``, ``"processes"`` (``max_workers`` of them; default one per core),
        ``"serial"``, or a Dask ``Client``, scheduler address or cluster.
    retries, retry_errors
        Worker deaths a run survives before it fails; rerun runs with ``status="error"``.
    progress : bool, optional
        Progress bar on standard error; ``None``: only when it is a terminal.
    batched, batch_size
        Run ``batch_size`` instances at a time in one kernel (needs setup/measure).
    resolve : callable, optional
        Name -> target (``neurosim.experiments.reference``); the manifest keeps the name.

    Returns
    -------
    pandas.DataFrame
        One row per run of this sweep, done now or before, in order; attrs["folder"].
    """
    check_not_in_worker_import(sys._getframe(1))
    sampling = Sampling(grid, sampler, ranges, n_samples, sample_seed, points)
    plan_ = plan(target, resolve, batched, retries, batch_size, seeds, params, sampling)
    executor, max_workers = _executor(executor, batched, plan_, max_workers)
    if executor == "processes":
        check_spawnable(plan_.target.name, plan_.target.ref, sys._getframe(1))
    client, close = (
        (executor, False) if executor in ("serial", "processes") else dask_client(executor)
    )
    try:
        store = Store(_temporary_folder(plan_) if out is None else out)
        store.open(plan_.manifest())
        todo, failed = _todo(plan_, store.finished(), retry_errors)
        with _progress_bar(plan_, len(todo), failed, progress) as bar:
            driver = Driver(store, plan_.swept, plan_.payload(batched), retries, bar, failed)
            _execute(store, driver, todo, client, max_workers, batch_size)
    finally:
        if close:
            client.close()
    df = store.results([r for r, _, _ in plan_.runs])
    _warn_common_failure(df)
    return df


def _warn_common_failure(df) -> None:
    """Say once why every run failed, when they all failed of the same error."""
    errors = set(df["error"]) if len(df) else set()
    if len(df) > 1 and set(df["status"]) == {"error"} and len(errors) == 1:
        warnings.warn(f"all {len(df)} runs failed with {errors.pop()}", stacklevel=3)


def _left_to_others(store: Store, todo: list) -> list:
    """Wait while other sweeps into the folder run their share of ``todo``; return the
    runs still without a row (their sweep stopped), to run here."""
    left = [run for run in todo if run[0] not in store.written]
    while any(claimed_by_other(store.table, run[0]) for run in left):
        time.sleep(0.2)
    finished = store.finished()
    return [run for run in left if run[0] not in finished]
