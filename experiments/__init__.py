"""Runnable experiments: each module has a ``run(**params) -> Result`` function.

``EXPERIMENTS`` maps the CLI name (``neurosim run <name>``) to ``module:function``;
``BENCHMARKS`` maps ``neurosim bench <name>`` to a module with ``main(argv)``.
"""

from __future__ import annotations

import importlib
import numbers

import numpy as np

EXPERIMENTS = {
    "coba": "neurosim.experiments.coba:run",
    "consolidation": "neurosim.experiments.consolidation:run",
    "distal-reward": "neurosim.experiments.distal_reward:run",
    "fi-curve": "neurosim.experiments.fi_curve:run",
    "imprinting": "neurosim.experiments.imprinting:run",
    "stdp-frequency": "neurosim.experiments.stdp_protocols:stdp_frequency",
    "stdp-triplets": "neurosim.experiments.stdp_protocols:stdp_triplets",
    "stdp-window": "neurosim.experiments.stdp_protocols:stdp_window",
    "tagging-capture": "neurosim.experiments.tagging_capture:run",
    "taste-aversion": "neurosim.experiments.taste_aversion:run",
}

BENCHMARKS = {
    "calcium": "neurosim.experiments.benchmarks.calcium",
    "coba": "neurosim.experiments.benchmarks.coba",
    "fast-forward": "neurosim.experiments.benchmarks.fast_forward",
    "scaling": "neurosim.experiments.benchmarks.scaling",
    "sweep": "neurosim.experiments.benchmarks.sweep",
}


def reference(name: str) -> str:
    """The ``"module:function"`` reference of experiment ``name``, which
    :func:`neurosim.sweep.sweep` accepts (``resolve=reference`` lets it take the name)."""
    if name not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {name!r}; experiments: {sorted(EXPERIMENTS)}")
    return EXPERIMENTS[name]


def experiment(name: str):
    """The run function of experiment ``name``."""
    module, func = reference(name).split(":")
    return getattr(importlib.import_module(module), func)


def seed_list(seeds) -> list[int]:
    """Seeds of a run: a count ``n`` (seeds 0 .. n-1) or a list of non-negative
    integers; ValueError otherwise."""
    if isinstance(seeds, numbers.Integral) and not isinstance(seeds, bool):
        if seeds < 1:
            raise ValueError(f"seeds = {seeds} must be a positive count or a list of seeds")
        return list(range(int(seeds)))
    out = list(np.atleast_1d(seeds))
    if not out or not all(isinstance(s, numbers.Integral) and s >= 0 for s in out):
        raise ValueError(f"seeds = {seeds!r} must be a positive count or non-negative integers")
    return [int(s) for s in out]
