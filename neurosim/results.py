"""The result object every experiment returns.

A :class:`Result` carries the experiment's key numbers (``summary``: what ``--json``
prints), its arrays and its matplotlib figures, and saves them all to a folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


@dataclass
class Result:
    """Outcome of an experiment.

    Attributes
    ----------
    name : str
        Experiment name.
    summary : dict
        Key numbers (JSON-serialisable; arrays become lists).
    arrays : dict of ndarray
        Larger data, saved to ``arrays.npz``.
    figures : dict of matplotlib Figure
        Saved as ``<key>.png``.
    """

    name: str
    summary: dict[str, Any]
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        """The summary as one line of JSON."""
        return json.dumps(_plain(self.summary))

    def save(self, folder) -> Path:
        """Write ``summary.json``, ``arrays.npz`` and each figure as PNG into ``folder``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "summary.json").write_text(json.dumps(_plain(self.summary), indent=2))
        if self.arrays:
            np.savez(folder / "arrays.npz", **self.arrays)
        for key, fig in self.figures.items():
            fig.savefig(folder / f"{key}.png", dpi=120, bbox_inches="tight")
        return folder
