"""Runnable experiments: each module has a ``run(**params) -> Result`` function.

``EXPERIMENTS`` maps the CLI name (``neurosim run <name>``) to ``module:function``;
``BENCHMARKS`` maps ``neurosim bench <name>`` to a module with ``main(argv)``.
"""

from __future__ import annotations

import importlib

EXPERIMENTS = {
    "coba": "experiments.coba:run",
    "fi-curve": "experiments.fi_curve:run",
    "stdp-frequency": "experiments.stdp_protocols:stdp_frequency",
    "stdp-triplets": "experiments.stdp_protocols:stdp_triplets",
    "stdp-window": "experiments.stdp_protocols:stdp_window",
}

BENCHMARKS = {
    "calcium": "experiments.benchmarks.calcium",
    "coba": "experiments.benchmarks.coba",
    "sweep": "experiments.benchmarks.sweep",
}


def experiment(name: str):
    """The run function of experiment ``name``."""
    if name not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {name!r}; experiments: {sorted(EXPERIMENTS)}")
    module, func = EXPERIMENTS[name].split(":")
    return getattr(importlib.import_module(module), func)
