"""Parameter sets: declaration, unit conversion, validation, published sets by name.

Every model declares its parameters as a frozen dataclass deriving from
:class:`ParameterSet`, each field made with :func:`parameter` (default value,
physical dimension, accepted range, description). Creating a set converts brian2
quantities to neurosim units, rejects unknown names and checks every value, raising an
error that names the parameter, the value and the accepted range.

Published parameter sets live in ``models/<family>/<name>.toml`` with their citation
and are loaded with :func:`load_parameter_set`.

A model hands its kernels the parameters as one float64 vector ``P``. Each model module
declares the layout of ``P`` once, as module-level integer constants (the slots, e.g.
``E_L, V_TH, V_RESET, N_REF, LIF_SIZE = range(5)``), which Numba freezes at compile
time so that ``P[V_TH]`` compiles as ``P[1]``; ``constants()`` fills the vector by slot
with :func:`pack`, and the kernels read it by slot.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import tomllib
from pathlib import Path
from typing import Any

import numpy as np

from neurosim.units import UNITS, to_neurosim


def parameter(
    default: Any,
    dimension: str = "1",
    *,
    low: float = -math.inf,
    high: float = math.inf,
    low_open: bool = False,
    choices: tuple[str, ...] | None = None,
    doc: str = "",
):
    """Declare one model parameter.

    Parameters
    ----------
    default
        Default value in neurosim units (or a string when ``choices`` is given).
    dimension
        Physical dimension, a key of :data:`neurosim.units.UNITS`.
    low, high
        Accepted closed range; ``low_open`` makes the lower bound exclusive
        (e.g. a time constant must be > 0).
    choices
        For a string-valued option, the accepted values.
    doc
        One-line description, shown in docs tables and error messages.
    """
    meta = {
        "dimension": dimension,
        "low": low,
        "high": high,
        "low_open": low_open,
        "choices": choices,
        "doc": doc,
    }
    return dataclasses.field(default=default, metadata=meta)


def _range_text(meta) -> str:
    lo = "(" if meta["low_open"] else "["
    unit = UNITS[meta["dimension"]][0]
    unit = "" if unit == "1" else f" {unit}"
    return f"{lo}{meta['low']}, {meta['high']}]{unit}"


def check_value(name: str, value, meta, owner: str):
    """Convert and check one value against its declaration; return the float/str."""
    if meta["choices"] is not None:
        if value not in meta["choices"]:
            raise ValueError(
                f"{owner}: parameter {name!r} = {value!r} is not one of {meta['choices']}"
            )
        return value
    value = to_neurosim(value, meta["dimension"], name)
    if isinstance(value, (bool, np.bool_, str, bytes)):
        raise TypeError(f"{owner}: parameter {name!r} must be a number, got {value!r}")
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{owner}: parameter {name!r} must be a number, got {value!r}") from None
    lo, hi = meta["low"], meta["high"]
    below = value <= lo if meta["low_open"] else value < lo
    if not math.isfinite(value) or below or value > hi:
        raise ValueError(
            f"{owner}: parameter {name!r} = {value!r} is outside the accepted range "
            f"{_range_text(meta)}"
        )
    return value


@dataclasses.dataclass(frozen=True)
class ParameterSet:
    """Base class of all parameter sets (a frozen dataclass of validated floats).

    Subclasses declare fields with :func:`parameter`. ``Params(tau_m=20.0)`` or
    ``Params(tau_m=20 * brian2.ms)`` validates every value; unknown names raise a
    :class:`TypeError` listing the known ones.
    """

    def __post_init__(self):
        owner = type(self).__qualname__
        for f in dataclasses.fields(self):
            object.__setattr__(
                self, f.name, check_value(f.name, getattr(self, f.name), f.metadata, owner)
            )
        self.check()

    def check(self) -> None:
        """Cross-parameter constraints; subclasses override and raise ValueError."""

    @classmethod
    def create(cls, **values):
        """Build a set from keyword values, rejecting unknown names helpfully."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise TypeError(
                f"{cls.__qualname__}: unknown parameter(s) {unknown}; known parameters: "
                f"{sorted(known)}"
            )
        return cls(**values)

    def replace(self, **values):
        """A copy with some values changed (validated like :meth:`create`)."""
        return type(self).create(**{**self.as_dict(), **values})

    def as_dict(self) -> dict[str, Any]:
        """Every parameter and its value in neurosim units."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    @classmethod
    def table(cls) -> list[tuple[str, Any, str, str]]:
        """(name, default, unit, description) for each parameter, for docs."""
        rows = []
        for f in dataclasses.fields(cls):
            rows.append((f.name, f.default, UNITS[f.metadata["dimension"]][0], f.metadata["doc"]))
        return rows


def pack(size: int, values: dict[int, float]) -> np.ndarray:
    """The kernel parameter vector ``P`` with ``P[slot] = value`` for each item of
    ``values``, which must name every slot ``0 .. size - 1`` exactly once (no empty
    slot; a slot written twice is a repeated dict key, which ruff reports)."""
    if sorted(values) != list(range(size)):
        missing = sorted(set(range(size)) - set(values))
        extra = sorted(set(values) - set(range(size)))
        raise ValueError(f"slots of P: missing {missing}, outside 0..{size - 1}: {extra}")
    P = np.empty(size)
    for slot, value in values.items():
        P[slot] = value
    return P


class Parametrised:
    """Base of models and rules: holds ``self.params``, an instance of the class's
    ``Params`` set, built from keyword values or given whole."""

    Params: type[ParameterSet]

    def __init__(self, params: ParameterSet | None = None, **values):
        if params is not None and values:
            raise TypeError("give either a parameter set or keyword values, not both")
        self.params = params if params is not None else self.Params.create(**values)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.params})"


def replace_params(owner: Parametrised, values: dict, what: str) -> Parametrised:
    """A shallow copy of model or rule ``owner`` whose ``params`` are
    ``owner.params.replace(**values)`` (validated as at construction); ``what`` names
    the component in the error raised when ``values`` is empty."""
    if not values:
        raise ValueError(f"{what}: set_params needs at least one parameter, e.g. tau_m=20.0")
    params = owner.params.replace(**values)
    new = copy.copy(owner)
    new.params = params
    return new


def models_dir() -> Path:
    """Folder holding the published parameter sets (``models/`` of the source tree)."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "models", here / "models_data"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("neurosim's models/ folder of parameter sets was not found")


def available_parameter_sets(family: str) -> list[str]:
    """Names of the published parameter sets of one family (e.g. ``"neurons"``)."""
    return sorted(p.stem for p in (models_dir() / family).glob("*.toml"))


def load_parameter_set(family: str, name: str) -> dict[str, Any]:
    """Read ``models/<family>/<name>.toml``.

    Returns a dict with keys ``model`` (the model name), ``citation`` and ``params``
    (values in neurosim units).
    """
    path = models_dir() / family / f"{name}.toml"
    if not path.is_file():
        raise ValueError(
            f"unknown parameter set {name!r}; available in {family}: "
            f"{available_parameter_sets(family)}"
        )
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    for key in ("model", "citation", "params"):
        if key not in data:
            raise ValueError(f"parameter set file {path} lacks the {key!r} entry")
    return data
