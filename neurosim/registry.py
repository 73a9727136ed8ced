"""Registries of model classes by name: neuron models and plasticity rules.

A model class registers itself where it is defined, with the registry's
:meth:`Registry.register` as class decorator; its package imports every one of its
modules once (:func:`import_submodules`), so adding a model adds no line anywhere else.
A registry also creates models from the published parameter sets of its family
(``models/<family>/<name>.toml``).
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from neurosim.params import available_parameter_sets, load_parameter_set


class Registry(dict):
    """Model classes by their ``name``, for one family of published parameter sets.

    Parameters
    ----------
    family
        Folder of the family's published sets under ``models/`` (``"neurons"``).
    kind, plural
        Words for error messages: ``"neuron model"``, ``"models"``.
    """

    def __init__(self, family: str, kind: str, plural: str):
        super().__init__()
        self.family = family
        self.kind = kind
        self.plural = plural

    def register(self, cls: type) -> type:
        """Class decorator: enter ``cls`` under ``cls.name``."""
        if cls.name in self:
            raise ValueError(f"two {self.plural} named {cls.name!r}: {self[cls.name]} and {cls}")
        self[cls.name] = cls
        return cls

    def create(self, name: str, **params) -> Any:
        """An instance by registered name or by published parameter-set name, with
        ``params`` overriding the defaults or the published values."""
        if name in self:
            return self[name](**params)
        published = available_parameter_sets(self.family)
        if name in published:
            data = load_parameter_set(self.family, name)
            return self[data["model"]](**{**data["params"], **params})
        raise ValueError(
            f"unknown {self.kind} {name!r}; {self.plural}: {sorted(self)}; "
            f"published sets: {published}"
        )

    def table(self) -> str:
        """A reStructuredText table of the registered names, the first line of each
        class's docstring and its module (for the package docstring)."""
        rows = [("name", "model", "module")]
        for name, cls in sorted(self.items()):
            summary = (cls.__doc__ or "").strip().splitlines()[0].split(" (see")[0]
            rows.append((name, summary, f":mod:`{cls.__module__}`"))
        widths = [max(len(row[k]) for row in rows) for k in range(3)]
        rule = " ".join("=" * w for w in widths)
        lines = [
            " ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows
        ]
        return "\n".join([rule, lines[0], rule, *lines[1:], rule])


def import_submodules(package: str, path) -> None:
    """Import every module of a package (``package`` its name, ``path`` its
    ``__path__``), so that the models they define register themselves."""
    for info in pkgutil.iter_modules(path):
        importlib.import_module(f"{package}.{info.name}")
