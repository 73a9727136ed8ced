"""Executors: where the tasks of a sweep run, and what happens when a worker dies.

A task is a list of runs (``(run_id, params, seed)``) sent to :func:`execute_task` in
one call. :class:`Driver` runs tasks in the calling process (``serial``), on a pool of
local worker processes (``processes``) or on a Dask cluster (``dask``), and records
every outcome in the store as it arrives; only the calling process writes the folder.
"""

from __future__ import annotations

import math
import time
from collections import Counter, deque

from neurosim.sweep.claims import claim, release_claim
from neurosim.sweep.task import error_outcome, execute_task

#: Seconds to wait for a Dask scheduler given by its address.
CONNECT_TIMEOUT_S = 5
#: Seconds a Dask sweep waits while its cluster has no worker at all (workers killed and
#: not restarted, or an adaptive cluster that never scales up) before it stops.
NO_WORKER_TIMEOUT_S = 300


class WorkerDied(RuntimeError):
    """The worker process running a run died (recorded as the run's error)."""


class Driver:
    """Runs tasks on an executor and records each outcome in ``store``.

    ``payload`` is ``(ref, fixed, pass_seed, batched)``, the arguments every task
    shares; a run is recorded as ``WorkerDied`` once its worker died ``retries + 1``
    times, at least once while it ran alone.
    """

    def __init__(self, store, swept, payload, retries, bar, failed: int = 0):
        self.store, self.swept, self.payload = store, swept, payload
        self.retries = retries
        self.bar = bar
        self.deaths: Counter[str] = Counter()
        self.failed = failed
        self.started = time.time()

    def args(self, task) -> tuple:
        """The arguments of :func:`execute_task` for ``task``."""
        ref, fixed, pass_seed, batched = self.payload
        return (ref, fixed, task, pass_seed, batched)

    def claim(self, task) -> list:
        """The runs of ``task`` this process may run: those no other live sweep into
        the folder has claimed, nor finished since this driver started (see
        :mod:`neurosim.sweep.claims`)."""
        mine = []
        for run in task:
            if not claim(self.store.table, run[0]):
                continue
            if self.store.row_written_since(run[0], self.started):
                release_claim(self.store.table, run[0])
            else:
                mine.append(run)
        return mine

    def record(self, task, outcomes, died: bool = False) -> None:
        """Write the outcome of every run of ``task`` and advance the progress bar."""
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
            self.record([run], [error_outcome(err, time.perf_counter())], died=True)
            return True
        return False

    def serial(self, tasks) -> None:
        """Run every task in the calling process."""
        for task in tasks:
            task = self.claim(task)
            if task:
                self.record(task, execute_task(*self.args(task)))

    def processes(self, tasks, max_workers: int) -> None:
        """Run the tasks on ``max_workers`` local processes; after a worker died, the
        runs it may have held are tried again one at a time in a fresh pool."""
        from neurosim.sweep.pool import ProcessRound

        pending = deque(tasks)
        suspects: deque = deque()
        while pending or suspects:
            with ProcessRound(self, max_workers) as pool_round:
                lost = pool_round.run(pending, suspects)
            for task, alone in lost:
                for run in task:
                    if not self.died(run, alone, "its worker process died"):
                        suspects.append(run)

    def dask(self, tasks, client) -> None:
        """Run the tasks on a Dask cluster through ``client``."""
        from distributed import as_completed
        from distributed.scheduler import KilledWorker

        futures = {}
        tasks = [claimed for claimed in map(self.claim, tasks) if claimed]

        def submit(task, alone):
            fut = client.submit(execute_task, *self.args(task), pure=False)
            futures[fut] = (task, alone)
            return fut

        queue = as_completed([submit(task, len(task) == 1) for task in tasks])
        try:
            for fut in _completed(queue, client, NO_WORKER_TIMEOUT_S):
                task, alone = futures.pop(fut)
                try:
                    outcomes = fut.result()
                except KilledWorker:
                    for run in task:
                        if not self.died(run, alone, "its Dask worker died"):
                            queue.add(submit([run], True))
                    continue
                except Exception as err:  # e.g. a result that cannot be deserialised
                    outcomes = [error_outcome(err, time.perf_counter())] * len(task)
                self.record(task, outcomes)
        finally:
            if futures:
                client.cancel(list(futures))


def _completed(queue, client, patience: float):
    """The futures of ``queue`` (a ``distributed.as_completed``) as they finish; raises
    :class:`NoWorkers` once the cluster has had no worker for ``patience`` seconds,
    rather than waiting forever on futures that nothing will run."""
    alone_since, checked = None, -math.inf
    while not queue.is_empty():
        batch = queue.next_batch(block=False)
        if batch:
            alone_since = None
            yield from batch
            continue
        time.sleep(0.2)
        if time.monotonic() - checked < min(5.0, patience / 2):
            continue  # ask the scheduler for its workers now and then, not every poll
        checked = time.monotonic()
        if client.nthreads():
            alone_since = None
        elif alone_since is None:
            alone_since = time.monotonic()
        elif time.monotonic() - alone_since > patience:
            raise NoWorkers(
                f"the Dask cluster at {client.scheduler.address} has had no worker for "
                f"{patience:g} s, so the sweep stopped; every finished run is saved: start "
                "workers and run the same sweep again to resume"
            )


class NoWorkers(RuntimeError):
    """A Dask sweep's cluster has had no worker for too long."""


def dask_client(executor):
    """(client, close_when_done) for a Client, a scheduler address or a cluster."""
    try:
        from distributed import Client
    except ImportError as err:  # pragma: no cover - dask is a dependency
        raise ImportError("running on a Dask cluster needs dask.distributed") from err
    if isinstance(executor, Client):
        return executor, False
    if isinstance(executor, str) and ":" in executor:
        try:
            return Client(executor, timeout=CONNECT_TIMEOUT_S), True
        except Exception as err:  # refused, silent, or something that is not Dask
            raise ConnectionError(
                f"no Dask scheduler answers at {executor} (waited up to {CONNECT_TIMEOUT_S} "
                f"s: {type(err).__name__}); start one there or give another address"
            ) from None
    if hasattr(executor, "scheduler_address"):
        return Client(executor), True
    raise TypeError(
        "executor must be None, 'processes', 'serial', a dask.distributed Client, a "
        f"scheduler address or a cluster object; got {executor!r}"
    )
