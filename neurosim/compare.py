"""Set a task's spiking learner against the gradient-descent learner (``neurosim compare``).

:data:`TASKS` maps a task's command-line name to the module that provides
``make_task(**params) -> Task`` and ``make_learner() -> Learner`` (the task's
spiking learner). :func:`compare` puts both learners through the task with seeds
``0..n_seeds-1`` (:func:`neurosim.tasks.run.run_task`), the
:class:`~neurosim.baselines.mlp.MLPLearner` once per value of each of its parameters
given as a list (e.g. several input-trace time constants), and returns one
:class:`~neurosim.efficiency.EfficiencyReport` per learner, averaged over seeds
(:func:`neurosim.efficiency.combine`). :func:`save` writes the table as CSV, the
energy constants and the figures (learning curves of all learners on one axis; energy bars; data and memory
bars) to a folder.

Parameters named ``mlp_<name>`` go to the MLP learner (``mlp_hidden``, ``mlp_lr``,
``mlp_optimizer``, ``mlp_replays``, ``mlp_trace_tau_s``, ``mlp_trace_floor``,
``mlp_error_scale``); ``n_exposures`` sets the exposures of one run (default the
task's ``max_exposures``); every other parameter goes to ``make_task``.
"""

from __future__ import annotations

import csv
import importlib
import itertools
import json
from pathlib import Path

from neurosim.efficiency import EfficiencyReport, combine, constants_table, load_devices, report

#: Task name -> module providing ``make_task`` and ``make_learner``.
TASKS = {
    "familiarity": "neurosim.tasks.familiarity",
    "imprinting": "neurosim.tasks.imprinting",
    "taste-aversion": "neurosim.tasks.taste_aversion",
}
#: MLP parameters taken from ``mlp_<name>``.
MLP_PARAMS = ("hidden", "lr", "optimizer", "replays", "trace_tau_s", "trace_floor", "error_scale")


def task_module(name: str):
    """The module of task ``name``.

    Raises
    ------
    ValueError
        ``name`` is not in :data:`TASKS`, or its module cannot be imported (the
        message says why).
    """
    if name not in TASKS:
        raise ValueError(f"unknown task {name!r}; tasks: {', '.join(sorted(TASKS))}")
    try:
        return importlib.import_module(TASKS[name])
    except ImportError as err:
        raise ValueError(
            f"task {name!r} is not available: its module {TASKS[name]} cannot be imported ({err})"
        ) from None


def _split(params: dict) -> tuple[dict, list[dict], int | None]:
    """(task parameters, one MLP parameter set per combination of listed values,
    n_exposures)."""
    task_params, mlp = {}, {}
    n_exposures = None
    for key, value in params.items():
        if key == "n_exposures":
            n_exposures = value
        elif key.startswith("mlp_"):
            name = key[4:]
            if name not in MLP_PARAMS:
                raise ValueError(
                    f"unknown MLP parameter {key!r}; MLP parameters: "
                    f"{', '.join('mlp_' + p for p in MLP_PARAMS)}"
                )
            mlp[name] = value
        else:
            task_params[key] = value
    listed = {k: v for k, v in mlp.items() if isinstance(v, list) and k != "hidden"}
    fixed = {k: v for k, v in mlp.items() if k not in listed}
    combos = [
        {**fixed, **dict(zip(listed, values, strict=True))}
        for values in itertools.product(*listed.values())
    ]
    return task_params, combos, n_exposures


def compare(
    task: str, n_seeds: int = 3, progress: bool | None = None, **params
) -> tuple[list[EfficiencyReport], list[dict]]:
    """Both learners on ``task`` over seeds ``0..n_seeds-1``, with a progress bar over
    the runs (``progress``: True, False, or None for a bar only on a terminal).

    Returns
    -------
    rows : list of EfficiencyReport
        The spiking learner's row, then one MLP row per parameter combination
        (averaged over seeds).
    settings : list of dict
        The learner parameters of each row (empty for the spiking learner).

    Raises
    ------
    ValueError
        Unknown task or parameter, a bad value, or ``n_seeds`` below 1.
    """
    from neurosim.baselines import MLPLearner
    from neurosim.tasks.run import run_task

    if isinstance(n_seeds, bool) or not isinstance(n_seeds, int) or n_seeds < 1:
        raise ValueError(f"seeds = {n_seeds!r} must be a whole number >= 1")
    module = task_module(task)
    task_params, combos, n_exposures = _split(params)
    try:
        the_task = module.make_task(**task_params)
    except TypeError as err:
        raise ValueError(f"task {task!r}: {err}") from None
    try:
        learners = [(module.make_learner(), {})] + [(MLPLearner(**c), c) for c in combos]
    except TypeError as err:
        raise ValueError(f"MLP learner: {err}") from None
    from tqdm.auto import tqdm

    devices = load_devices()
    rows = []
    with tqdm(
        total=len(learners) * n_seeds,
        unit="run",
        desc=f"compare {task}",
        disable=None if progress is None else not progress,
    ) as bar:
        for learner, _ in learners:
            reports = []
            for seed in range(n_seeds):
                reports.append(report(run_task(the_task, learner, seed, n_exposures), devices))
                bar.update()
            rows.append(combine(reports))
    return rows, [settings for _, settings in learners]


def summary(task: str, n_seeds: int, rows, settings) -> dict:
    """The ``--json`` object: ``{"task", "n_seeds", "learners": [...]}``, each learner's
    row with its MLP parameters (``mlp_<name>``) added."""
    learners = []
    for row, given in zip(rows, settings, strict=True):
        entry = row.to_dict()
        entry.update({f"mlp_{k}": v for k, v in given.items()})
        learners.append(entry)
    return {"task": task, "n_seeds": n_seeds, "learners": learners}


def _label(entry: dict) -> str:
    extra = ", ".join(f"{k[4:]}={v}" for k, v in entry.items() if k.startswith("mlp_"))
    return f"{entry['learner']} ({extra})" if extra else entry["learner"]


def figures(result: dict) -> dict:
    """Learning curves (``learning_curves``), energy bars (``energy``) and data and
    memory bars (``data``) of a :func:`summary` object, as matplotlib Figures."""
    from matplotlib.figure import Figure

    entries = result["learners"]
    labels = [_label(e) for e in entries]
    curves = Figure(figsize=(5, 3.5))
    ax = curves.subplots()
    for entry, label in zip(entries, labels, strict=True):
        points = entry["learning_curve"]
        ax.plot([p[0] for p in points], [p[1] for p in points], "o-", label=label)
    ax.set_xlabel("exposures")
    ax.set_ylabel("test score")
    ax.set_title(f"{result['task']}: learning curves ({result['n_seeds']} seeds)")
    ax.legend(fontsize=7)
    keys = [
        "energy_biological_j",
        "energy_resting_j",
        "energy_neuromorphic_j",
        "energy_45nm_j",
        "energy_cpu_ops_j",
        "energy_cpu_j",
    ]
    bars = Figure(figsize=(7, 3.5))
    ax = bars.subplots()
    width = 0.8 / len(entries)
    for i, (entry, label) in enumerate(zip(entries, labels, strict=True)):
        values = [entry[k] if entry[k] else 0.0 for k in keys]
        ax.bar([k + i * width for k in range(len(keys))], values, width, label=label)
    ax.set_xticks([k + 0.4 - width / 2 for k in range(len(keys))])
    ax.set_xticklabels([k[7:-2] for k in keys], rotation=30, fontsize=7)
    ax.set_yscale("log")
    ax.set_ylabel("energy (J)")
    ax.legend(fontsize=7)
    data = Figure(figsize=(7, 3))
    left, right = data.subplots(1, 2)
    reached = [e["exposures_to_criterion"] or 0.0 for e in entries]
    left.bar(range(len(entries)), reached)
    left.set_ylabel("exposures to criterion (0: not reached)")
    right.bar(range(len(entries)), [e["plastic_state_bytes"] for e in entries])
    right.set_ylabel("plastic state (bytes)")
    right.set_yscale("log")
    for axis in (left, right):
        axis.set_xticks(range(len(entries)))
        axis.set_xticklabels(labels, rotation=30, fontsize=7)
    for fig in (curves, bars, data):
        fig.tight_layout()
    return {"learning_curves": curves, "energy": bars, "data": data}


def save(result: dict, folder) -> Path:
    """Write ``report.csv`` (one row per learner), ``summary.json``, the energy
    constants used with their sources (``constants.txt``) and the :func:`figures` as
    PNG into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    entries = result["learners"]
    columns = list(dict.fromkeys(k for e in entries for k in e if k != "learning_curve"))
    with open(folder / "report.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        for entry in entries:
            writer.writerow({k: entry.get(k) for k in columns})
    (folder / "summary.json").write_text(json.dumps(result, indent=2))
    (folder / "constants.txt").write_text(constants_table() + "\n")
    for name, fig in figures(result).items():
        fig.savefig(folder / f"{name}.png", dpi=120, bbox_inches="tight")
    return folder
