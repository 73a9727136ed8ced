"""Local worker processes: one process pool's life, until its tasks are done or one of
its workers dies.

Workers start with the ``spawn`` method: numba's threading layers are not safe across
``fork``, and spawn behaves the same on Linux, macOS and Windows. Each worker imports
the target once, when it starts. When a worker dies, the pool is broken: every task in
flight that did not finish is handed back as lost, and the caller retries its runs.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from neurosim.sweep.task import error_outcome, execute_task, worker_init


def stop_pool(pool) -> None:
    """Shut a process pool down now: cancel what has not started, end the workers.

    A worker ended while it sends a result leaves the pool's reading thread waiting for
    the rest of the message, which would hold up the exit of the interpreter: the
    parent's end of the result pipe is closed as well, so that the read ends at once."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    results = getattr(pool, "_result_queue", None)  # shutdown() forgets it
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        if proc.is_alive():
            proc.terminate()
    for proc in processes:
        proc.join(timeout=5)
        if proc.is_alive():
            proc.kill()
    if results is not None:
        results._writer.close()
    if manager is not None:
        manager.join(timeout=5)


class ProcessRound:
    """A pool of ``max_workers`` processes running tasks for ``driver`` (a
    :class:`~neurosim.sweep.executors.Driver`), which records each outcome.

    Used as a context manager: on leaving normally the pool is shut down; on an error
    or Ctrl-C it is stopped at once (what has not started is cancelled).
    """

    def __init__(self, driver, max_workers: int):
        self.driver = driver
        self.max_workers = max_workers
        self.pool = ProcessPoolExecutor(
            max_workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=worker_init,
            initargs=(driver.payload[0], os.getpid()),
        )
        self.in_flight: dict = {}
        self.broken = False

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.pool.shutdown(wait=True)
        else:
            stop_pool(self.pool)
        return False

    def submit(self, task, alone: bool) -> bool:
        """Submit ``task``; False (and the round broken) when a worker died since the
        last look."""
        try:
            fut = self.pool.submit(execute_task, *self.driver.args(task))
        except BrokenProcessPool:
            self.broken = True
            return False
        self.in_flight[fut] = (task, alone)
        return True

    def fill(self, pending, suspects) -> None:
        """Keep two tasks per worker in flight; a suspect (a run whose worker died)
        runs alone, so that a death names its run."""
        if suspects:
            if not self.in_flight and self.submit([suspects[0]], True):
                suspects.popleft()
            return
        while pending and len(self.in_flight) < 2 * self.max_workers:
            pending[0] = self.driver.claim(pending[0])
            if pending[0] and not self.submit(pending[0], False):
                return
            pending.popleft()

    def collect(self) -> None:
        """Wait for at least one task and record what finished."""
        done, _ = wait(self.in_flight, return_when=FIRST_COMPLETED)
        for fut in done:
            task, alone = self.in_flight.pop(fut)
            try:
                outcomes = fut.result()
            except BrokenProcessPool:
                self.broken = True
                self.in_flight[fut] = (task, alone)
                continue
            except Exception as err:  # e.g. a result that cannot be pickled
                outcomes = [error_outcome(err, time.perf_counter())] * len(task)
            self.driver.record(task, outcomes)

    def run(self, pending, suspects) -> list[tuple[list, bool]]:
        """Run tasks from ``pending`` and ``suspects`` until both are empty or a worker
        died; return the ``(task, alone)`` pairs lost with the pool."""
        while (pending or suspects or self.in_flight) and not self.broken:
            self.fill(pending, suspects)
            if not self.broken:
                self.collect()
        if self.in_flight:  # the pool broke: every other future fails at once too
            wait(self.in_flight, timeout=10)
        lost = []
        for fut, (task, alone) in self.in_flight.items():
            if fut.done() and fut.exception() is None:
                self.driver.record(task, fut.result())
            else:
                lost.append((task, alone))
        return lost
