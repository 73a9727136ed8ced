"""Unit handling at the API boundary.

neurosim follows NEST's convention: time in ms, voltage in mV, capacitance in pF,
conductance in nS, current in pA, rate in Hz. Inside the library every quantity is a
plain float in these units. A :mod:`brian2` ``Quantity`` is accepted wherever a number
is and converted by its physical dimension; a quantity of the wrong dimension raises a
:class:`TypeError` that names the parameter.

brian2 is imported only when a quantity is actually passed, so that plain-number use
never pays brian2's import time.
"""

from __future__ import annotations

import numpy as np

#: neurosim unit of each physical dimension, as (unit name, SI scale factor).
UNITS: dict[str, tuple[str, float]] = {
    "time": ("ms", 1e-3),
    "voltage": ("mV", 1e-3),
    "capacitance": ("pF", 1e-12),
    "conductance": ("nS", 1e-9),
    "current": ("pA", 1e-12),
    "rate": ("Hz", 1.0),
    "1": ("1", 1.0),
}

# SI base-dimension exponents (m, kg, s, A, K, mol, cd) of each dimension above.
_DIMENSIONS = {
    "time": (0, 0, 1, 0, 0, 0, 0),
    "voltage": (2, 1, -3, -1, 0, 0, 0),
    "capacitance": (-2, -1, 4, 2, 0, 0, 0),
    "conductance": (-2, -1, 3, 2, 0, 0, 0),
    "current": (0, 0, 0, 1, 0, 0, 0),
    "rate": (0, 0, -1, 0, 0, 0, 0),
    "1": (0, 0, 0, 0, 0, 0, 0),
}


def is_quantity(value) -> bool:
    """True for a brian2 ``Quantity`` (checked without importing brian2)."""
    return type(value).__module__.startswith("brian2") and hasattr(value, "dim")


def to_neurosim(value, dimension: str, name: str):
    """Return ``value`` as a float or float array in neurosim units.

    Parameters
    ----------
    value : float, array_like or brian2 Quantity
        A plain number is taken to be in neurosim units already.
    dimension : str
        One of the keys of :data:`UNITS`.
    name : str
        Parameter name, used in error messages.

    Raises
    ------
    TypeError
        If ``value`` is a quantity whose dimension is not ``dimension``.
    """
    if dimension not in UNITS:
        raise ValueError(f"unknown dimension {dimension!r} for parameter {name!r}")
    if is_quantity(value):
        dim = value.dim
        exps = tuple(int(dim._dims[i]) for i in range(7))
        if exps != _DIMENSIONS[dimension]:
            unit, _ = UNITS[dimension]
            raise TypeError(
                f"parameter {name!r} needs a {dimension} (neurosim unit {unit}); "
                f"got {value!r} with dimensions {dim}"
            )
        si = np.asarray(value / _si_unit(value))
        out = si / UNITS[dimension][1]
        return float(out) if out.ndim == 0 else out.astype(float)
    return value


def _si_unit(value):
    """The dimensionless SI scale of a brian2 quantity (brian2 imported lazily)."""
    from brian2.units.fundamentalunits import get_unit

    return get_unit(value.dim)


#: Relative tolerance within which a time counts as a whole number of steps.
GRID_TOLERANCE = 1e-9


def nearest_steps(value, dt: float):
    """``value`` (ms, a number or an array) as the nearest whole number of steps of
    ``dt``, a half step rounding up (never down): for the times that the grid policy of
    :func:`to_steps` lets round (a run's duration, delays drawn from a distribution)."""
    steps = np.floor(np.asarray(value, dtype=float) / dt + 0.5).astype(np.int64)
    return steps if steps.ndim else int(steps)


def to_steps(value, dt: float, name: str):
    """``value`` (ms, a number or an array) as whole steps of ``dt`` (int64).

    The time grid's policy: a time that sets a step count (a synaptic delay, a
    monitor's ``every``) must be a whole multiple of ``dt``, within
    :data:`GRID_TOLERANCE` relative; anything else raises a :class:`ValueError`
    naming ``name``, the value, ``dt`` and the two nearest allowed values, rather than
    being rounded silently. (A run's duration and values drawn from a distribution are
    rounded to the nearest step instead, as their callers document.)
    """
    steps = np.asarray(value, dtype=float) / dt
    whole = np.round(steps)
    off = np.abs(steps - whole) > GRID_TOLERANCE * np.maximum(np.abs(steps), 1.0)
    if np.any(off):
        bad = float(np.atleast_1d(np.asarray(value, dtype=float))[np.atleast_1d(off)][0])
        low = np.floor(bad / dt)
        raise ValueError(
            f"{name} = {bad:g} ms is not a whole multiple of dt = {dt:g} ms; the nearest "
            f"allowed values are {low * dt:.10g} and {(low + 1) * dt:.10g} ms"
        )
    return whole.astype(np.int64) if steps.ndim else int(whole)
