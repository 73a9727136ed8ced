"""What a sweep runs, in a form that travels to worker processes and machines.

A target is a callable ``f(**params)``, a ``"module:function"`` reference, a module
with ``run`` (and, for batched runs, ``setup`` and ``measure``), or an object with
``setup`` and ``measure``. A reference and a module are sent to workers by name and
imported there; a callable or object is pickled. Experiment names (``"coba"``) are
not known here: a caller that speaks of experiments by name passes ``resolve``
(``neurosim.experiments.reference``), which maps a name to one of the above.
"""

from __future__ import annotations

import importlib
import inspect
import numbers
import types
from collections.abc import Callable, Iterable, Mapping


def _import_reference(text: str):
    """The object named by ``"module:qualified.name"`` and its module."""
    module_name, _, qualname = text.partition(":")
    module = importlib.import_module(module_name)
    obj = module
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj, module


def functions(ref: tuple) -> tuple:
    """(run, setup, measure) of a target reference (each may be None)."""
    kind, value = ref
    if kind == "reference":
        run, holder = _import_reference(value)
    elif kind == "module":
        holder = importlib.import_module(value)
        run = getattr(holder, "run", None)
    else:
        holder = value
        if hasattr(value, "setup") and hasattr(value, "measure"):
            run = getattr(value, "run", None)
        else:
            run = value
    return run, getattr(holder, "setup", None), getattr(holder, "measure", None)


def _reference(target, resolve: Callable | None) -> tuple[str, tuple]:
    """(name, reference) of a target as given to :func:`~neurosim.sweep.sweep`."""
    if isinstance(target, str) and ":" not in target:
        if resolve is None:
            raise ValueError(
                f"unknown experiment {target!r}: a target given by a string is a "
                "'module:function' reference, or an experiment name with "
                "resolve=neurosim.experiments.reference"
            )
        return target, _reference(resolve(target), None)[1]
    if isinstance(target, str):
        return target, ("reference", target)
    if isinstance(target, types.ModuleType):
        return target.__name__, ("module", target.__name__)
    if callable(target) or (hasattr(target, "setup") and hasattr(target, "measure")):
        module = getattr(target, "__module__", None) or type(target).__module__
        qual = getattr(target, "__qualname__", None) or type(target).__qualname__
        return f"{module}:{qual}", ("object", target)
    raise TypeError(
        "target must be a callable, a 'module:function' reference, a module or an object "
        f"with setup() and measure(); got {target!r}"
    )


def _number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


#: Annotation -> (what it asks for, test of a value).
_KINDS = {
    "float": ("a number", _number),
    float: ("a number", _number),
    "int": ("an integer", lambda v: isinstance(v, numbers.Integral) and not isinstance(v, bool)),
    int: ("an integer", lambda v: isinstance(v, numbers.Integral) and not isinstance(v, bool)),
    "str": ("a string", lambda v: isinstance(v, str)),
    str: ("a string", lambda v: isinstance(v, str)),
    "bool": ("true or false", lambda v: isinstance(v, bool)),
    bool: ("true or false", lambda v: isinstance(v, bool)),
}


class Target:
    """A sweep target: its ``name`` (recorded in the manifest), the ``ref`` sent to
    workers, and its ``run``, ``setup`` and ``measure`` functions (each may be None).

    Parameters
    ----------
    target : callable, str, module or object
        See the module docstring.
    resolve : callable, optional
        Maps a name without ``":"`` to a target; without it such a name is an error.
    """

    def __init__(self, target, resolve: Callable | None = None):
        self.name, self.ref = _reference(target, resolve)
        self.run, self.setup, self.measure = functions(self.ref)
        if self.run is None and (self.setup is None or self.measure is None):
            raise TypeError(f"{self.name} has neither run() nor setup() and measure()")
        kind, value = self.ref
        holder = importlib.import_module(value.partition(":")[0]) if kind == "reference" else value
        if kind == "module":
            holder = importlib.import_module(value)
        #: ``check_params(**params)`` of the target's module or object, if it has one:
        #: it raises ValueError for parameters that the signature cannot vet (those
        #: passed on through ``**params``), before any run starts.
        self.check_params = getattr(holder, "check_params", None)

    @property
    def batchable(self) -> bool:
        """Whether the target has ``setup`` and ``measure`` (runs can be batched)."""
        return self.setup is not None and self.measure is not None

    def signature(self, batched: bool) -> inspect.Signature:
        """The signature of the function that receives a run's parameters."""
        fn = self.setup if batched or self.run is None else self.run
        return inspect.signature(fn)

    def accepts_seed(self, batched: bool) -> bool:
        """Whether that function takes a ``seed`` parameter by name."""
        param = self.signature(batched).parameters.get("seed")
        return param is not None and param.kind != param.VAR_KEYWORD

    def check_values(self, values: Mapping[str, Iterable], batched: bool) -> None:
        """Raise ValueError for a value whose type contradicts the annotation of its
        parameter (``float``: a number, ``int``: an integer, ``str``, ``bool``);
        ``values``: name -> every value the sweep gives it."""
        sig = self.signature(batched)
        for name, given in values.items():
            param = sig.parameters.get(name)
            kind = _KINDS.get(getattr(param, "annotation", None))
            if kind is None:
                continue
            for value in given:
                if not kind[1](value):
                    raise ValueError(
                        f"{name} = {value!r} must be {kind[0]} (as annotated in {self.name})"
                    )

    def check_names(self, names: Iterable[str], batched: bool) -> None:
        """Raise ValueError for parameter names the target does not take."""
        sig = self.signature(batched)
        if any(p.kind == p.VAR_KEYWORD for p in sig.parameters.values()):
            return
        unknown = sorted(set(names) - set(sig.parameters))
        if unknown:
            raise ValueError(
                f"{self.name} has no parameter(s) {unknown}; its parameters: {list(sig.parameters)}"
            )
