"""Planning a sweep: the checked target, fixed and swept parameters, seeds and runs,
and the manifest that describes them."""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Callable
from dataclasses import dataclass

from neurosim.sweep.points import Sampling, is_int, run_id, seed_list, sweep_points
from neurosim.sweep.provenance import provenance
from neurosim.sweep.store import KEY_COLUMNS, META_COLUMNS, to_json
from neurosim.sweep.target import Target


@dataclass
class Plan:
    """Everything a sweep will run.

    ``runs`` are ``(run_id, params, seed)`` in sweep order (points in order, each with
    every seed), without repeats; ``sampling`` says how the points were made, for the
    manifest.
    """

    target: Target
    fixed: dict
    swept: list[str]
    seeds: list[int]
    pass_seed: bool
    runs: list[tuple[str, dict, int]]
    sampling: Sampling

    def payload(self, batched: bool) -> tuple:
        """What every task of the sweep shares: ``(ref, fixed, pass_seed, batched)``."""
        return (self.target.ref, self.fixed, self.pass_seed, batched)

    def manifest(self) -> dict:
        """The manifest of the sweep (``sweep.json``; see :mod:`neurosim.sweep.store`)."""
        version, revision = provenance()
        plain = {k: json.loads(to_json(v)) for k, v in self.sampling._asdict().items()}
        return {
            "target": self.target.name,
            "params": json.loads(to_json(self.fixed)),
            "swept": self.swept,
            "grid": plain["grid"] or {},
            "sampler": plain["sampler"],
            "ranges": plain["ranges"] or {},
            "n_samples": plain["n_samples"],
            "sample_seed": plain["sample_seed"],
            "seeds": self.seeds,
            "passes_seed": self.pass_seed,
            "runs": [{"run_id": r, "params": p, "seed": s} for r, p, s in self.runs],
            "neurosim_version": version,
            "git_revision": revision,
            "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        }


def _checked_target(target, resolve: Callable | None, batched: bool) -> Target:
    tgt = Target(target, resolve)
    if batched and not tgt.batchable:
        raise ValueError(
            f"batched=True needs setup(**params) -> (network, duration) and "
            f"measure(network, **params) from {tgt.name}"
        )
    return tgt


def _check_names(swept: list[str], fixed: dict) -> None:
    for name in ("seed", *KEY_COLUMNS, *META_COLUMNS):
        if name in swept or name in fixed:
            raise ValueError(
                f"{name!r} cannot be a parameter of a sweep"
                + (" (give seeds=...)" if name == "seed" else " (a column of the results table)")
            )
    if set(swept) & set(fixed):
        raise ValueError(f"parameter(s) {sorted(set(swept) & set(fixed))} are both swept and fixed")


def plan(target, resolve, batched, retries, batch_size, seeds, params, sampling: Sampling) -> Plan:
    """Check the arguments of :func:`~neurosim.sweep.sweep` (the same names) and list
    its runs."""
    tgt = _checked_target(target, resolve, batched)
    if not is_int(retries, 0):
        raise ValueError(f"retries = {retries!r} must be an integer >= 0")
    if not is_int(batch_size, 1):
        raise ValueError(f"batch_size = {batch_size!r} must be an integer >= 1")
    seeds = seed_list(seeds)
    pass_seed = tgt.accepts_seed(batched)
    if not pass_seed and seeds != [0]:
        raise ValueError(
            f"{tgt.name} takes no seed parameter, so its runs do not depend on a seed: "
            f"sweep it with the default seeds=(0,), not {seeds}"
        )
    fixed = dict(params or {})
    points = sweep_points(sampling)
    swept = list(dict.fromkeys(k for p in points for k in p))
    _check_names(swept, fixed)
    tgt.check_names([*swept, *fixed], batched)
    given = {name: [value] for name, value in fixed.items()}
    for point in points:
        for name, value in point.items():
            given.setdefault(name, []).append(value)
    tgt.check_values(given, batched)
    if tgt.check_params is not None:
        for point in points:
            tgt.check_params(**fixed, **point)
    runs = {}
    for point in points:
        for seed in seeds:
            runs.setdefault(run_id(point, seed), (point, seed))
    listed = [(r, p, s) for r, (p, s) in runs.items()]
    return Plan(tgt, fixed, swept, seeds, pass_seed, listed, sampling)
