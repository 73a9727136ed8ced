"""Which runs a sweep makes: grid, random and Latin-hypercube points, seeds, run ids.

A point is a dict of swept parameter values (numbers, strings or booleans); a run is
a point with a seed, named by :func:`run_id`.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import numbers
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

import numpy as np

SAMPLERS = ("grid", "random", "lhs")


def is_int(value, low: int) -> bool:
    """Whether ``value`` is an integer (not a bool) >= ``low``."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= low


def plain_value(name: str, value):
    """``value`` of swept parameter ``name`` as a plain Python number, string or bool."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, numbers.Integral, numbers.Real, str)):
        integral = isinstance(value, numbers.Integral) and not isinstance(value, bool)
        return int(value) if integral else value
    raise TypeError(
        f"swept parameter {name!r} has value {value!r}: swept values must be numbers, "
        "strings or booleans (pass lists and other objects as fixed params)"
    )


def grid_points(grid: Mapping[str, Sequence]) -> list[dict]:
    """Every combination of the values in ``grid`` (the last name varies fastest)."""
    names = list(grid)
    values = []
    for name in names:
        vals = grid[name]
        if isinstance(vals, (str, bytes)) or not isinstance(vals, Iterable):
            vals = [vals]
        vals = [plain_value(name, v) for v in vals]
        if not vals:
            raise ValueError(f"grid values of {name!r} are empty")
        values.append(vals)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*values)]


def _check_ranges(ranges: Mapping) -> dict:
    checked = {}
    for name, spec in ranges.items():
        if (
            isinstance(spec, tuple)
            and len(spec) == 2
            and all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in spec)
        ):
            lo, hi = float(spec[0]), float(spec[1])
            if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
                raise ValueError(
                    f"range of {name!r} must be (low, high) with low < high, got {spec}"
                )
            checked[name] = (lo, hi)
        elif isinstance(spec, (list, range)) and len(spec):
            checked[name] = [plain_value(name, v) for v in spec]
        else:
            raise ValueError(
                f"range of {name!r} must be a (low, high) tuple or a non-empty list of "
                f"values, got {spec!r}"
            )
    return checked


def _scaled(ranges: dict, u: np.ndarray) -> list[dict]:
    """Points from unit-cube samples ``u`` (one row per point): ``(low, high)`` ranges
    scaled linearly, lists indexed by equal strata."""

    def scale(spec, x):
        if isinstance(spec, tuple):
            lo, hi = spec
            return float(lo + x * (hi - lo))
        return spec[min(int(x * len(spec)), len(spec) - 1)]

    return [{k: scale(s, row[j]) for j, (k, s) in enumerate(ranges.items())} for row in u]


def random_points(ranges: Mapping, n_samples: int, seed: int = 0) -> list[dict]:
    """``n_samples`` independent uniform draws over ``ranges`` (``(low, high)``:
    uniform on the interval; a list: one of its values, equally likely)."""
    ranges = _check_ranges(ranges)
    return _scaled(ranges, np.random.default_rng(seed).random((n_samples, len(ranges))))


def lhs_points(ranges: Mapping, n_samples: int, seed: int = 0) -> list[dict]:
    """A Latin hypercube of ``n_samples`` points over ``ranges``: each parameter's range
    is cut into ``n_samples`` equal strata and every stratum holds exactly one point
    (McKay, Beckman & Conover 1979, Technometrics 21:239; :mod:`scipy.stats.qmc`)."""
    from scipy.stats import qmc

    ranges = _check_ranges(ranges)
    u = qmc.LatinHypercube(d=len(ranges), seed=np.random.default_rng(seed)).random(n_samples)
    return _scaled(ranges, u)


def seed_list(seeds) -> list[int]:
    """The seeds of a sweep: ``N`` means ``range(N)``; duplicates are dropped."""
    if isinstance(seeds, numbers.Integral) and not isinstance(seeds, bool):
        if seeds < 1:
            raise ValueError(f"seeds = {seeds} must be >= 1 (the number of seeds)")
        return list(range(int(seeds)))
    out = []
    for s in seeds:
        if not is_int(s, 0):
            raise ValueError(f"seeds must be non-negative integers, got {s!r}")
        out.append(int(s))
    if not out:
        raise ValueError("seeds is empty")
    return list(dict.fromkeys(out))


def run_id(params: Mapping, seed: int) -> str:
    """Identifier of a run: a hash of its swept parameter values and its seed."""
    text = json.dumps({"params": dict(sorted(params.items())), "seed": seed}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class Sampling(NamedTuple):
    """How a sweep's points are made (the arguments of :func:`~neurosim.sweep.sweep`):
    the product of explicit ``points``, the ``grid`` and, with ``sampler="random"``
    or ``"lhs"``, ``n_samples`` points drawn over ``ranges`` with ``sample_seed``."""

    grid: Mapping | None
    sampler: str
    ranges: Mapping | None
    n_samples: int | None
    sample_seed: int
    points: Sequence[Mapping] | None


def sweep_points(sampling: Sampling) -> list[dict]:
    """The points of ``sampling`` (every combination of its parts), at least ``[{}]``."""
    grid, sampler, ranges, n_samples, sample_seed, points = sampling
    if sampler not in SAMPLERS:
        raise ValueError(f"sampler = {sampler!r} is not one of {SAMPLERS}")
    parts = []
    if points is not None:
        parts.append([{k: plain_value(k, v) for k, v in p.items()} for p in points])
    if grid:
        parts.append(grid_points(grid))
    if sampler == "grid":
        if ranges:
            raise ValueError("ranges need sampler='random' or 'lhs'")
    else:
        if not ranges:
            raise ValueError(f"sampler={sampler!r} needs ranges={{name: (low, high), ...}}")
        if not is_int(n_samples, 1):
            raise ValueError(f"sampler={sampler!r} needs n_samples >= 1, got {n_samples!r}")
        draw = random_points if sampler == "random" else lhs_points
        parts.append(draw(ranges, int(n_samples), sample_seed))
    names = [set(part[0]) if part else set() for part in parts]
    for a, b in itertools.combinations(names, 2):
        if a & b:
            raise ValueError(f"parameter(s) {sorted(a & b)} are given twice")
    return [
        {k: v for part in combo for k, v in part.items()} for combo in itertools.product(*parts)
    ] or [{}]
