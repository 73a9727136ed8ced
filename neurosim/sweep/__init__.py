"""Parameter sweeps: many runs of one experiment over a grid or a sample of parameter
values and seeds, on local processes, batched in one kernel, or on a Dask cluster;
resumable, with a tidy table of results.

>>> from neurosim.experiments import reference
>>> from neurosim.sweep import sweep, load_results
>>> df = sweep("coba", grid={"w_i": [40, 67, 90]}, seeds=range(5),
...            params={"duration": 500, "n_exc": 400, "n_inh": 100, "p": 0.1},
...            out="results/coba-wi", resolve=reference)
>>> df.groupby("w_i").rate_exc_hz.mean()

What is swept
    ``target`` is a callable ``f(**params)`` returning a
    :class:`~neurosim.results.Result`, a dict or a number, a ``"module:function"``
    reference, a module with ``run``, or an object with ``setup`` and ``measure``; an
    experiment name (``"coba"``) with ``resolve=neurosim.experiments.reference``.
    Points are the product of ``points`` (explicit parameter dicts), ``grid`` (every
    combination of the listed values) and, with ``sampler="random"`` or ``"lhs"``,
    ``n_samples`` draws over ``ranges`` (``(low, high)``: uniform; a list: one of its
    values), each combined with every seed. ``params`` are fixed values passed to
    every run.

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
    with a column above becomes ``result.<name>``), then ``run_id``, ``attempts``,
    ``wall_s``, ``worker``, ``neurosim_version``, ``git_revision`` and
    ``finished_at``. Lists and arrays of the result (and ``Result.arrays``) go to
    ``runs/<run_id>/arrays.npz`` beside ``run.json`` (the run's parameters and full
    summary) and, for errors, ``traceback.txt``. ``run_id`` is a hash of the run's
    swept parameters and seed, so the same run has the same files in every sweep into
    that folder, and extending a grid reuses what is done.

Executors
    ``executor=None`` uses local processes (``"processes"``: one per core, set by
    ``max_workers``; batched sweeps default to ``"serial"``, the calling process,
    since the batch kernel already uses every core). A ``dask.distributed.Client``, a
    scheduler address (``"tcp://host:8786"``) or a cluster object (``LocalCluster``,
    dask-jobqueue's ``SLURMCluster`` ...) runs on Dask instead, with no change to the
    target.

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

Modules: :mod:`~neurosim.sweep.points` (sampling), :mod:`~neurosim.sweep.target`
(what is run), :mod:`~neurosim.sweep.task` (the run task, in workers),
:mod:`~neurosim.sweep.store` (the Parquet store), :mod:`~neurosim.sweep.executors`
and :mod:`~neurosim.sweep.pool` (where tasks run), :mod:`~neurosim.sweep.plan`
(checking and listing the runs) and :mod:`~neurosim.sweep.api` (:func:`sweep`).
"""

from neurosim.sweep.api import sweep
from neurosim.sweep.executors import NoWorkers, WorkerDied
from neurosim.sweep.points import SAMPLERS, grid_points, lhs_points, random_points, run_id
from neurosim.sweep.provenance import provenance
from neurosim.sweep.store import KEY_COLUMNS, META_COLUMNS, Store, load_results, resume_hint
from neurosim.sweep.task import execute_task

__all__ = [
    "KEY_COLUMNS",
    "META_COLUMNS",
    "SAMPLERS",
    "NoWorkers",
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
