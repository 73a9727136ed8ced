"""Populations: groups of neurons (or spike sources) of one model and their state."""

from __future__ import annotations

import numpy as np

from neurosim import connectivity as conn
from neurosim.kernels.rng import kernel_state, numpy_generator
from neurosim.neurons import NeuronModel
from neurosim.params import replace_params
from neurosim.units import to_neurosim


class Population:
    """A group of neurons (or spike sources) of one model.

    State variables read and write as attributes in neurosim units, e.g. ``pop.v``
    (a view of the state row, shape ``(n,)``); assigning accepts a scalar, an array of
    length ``n``, a brian2 quantity or a :class:`~neurosim.connectivity.Distribution`
    (drawn from the population's own random stream). Its other public attributes
    (``name``, ``n``, ``model``, ``network``, the state matrix ``S``, the external
    current ``I``) are read-only: assigning one raises an AttributeError naming it.
    """

    def __init__(self, network, name, n, model: NeuronModel):
        object.__setattr__(self, "_init", True)
        self.network = network
        self.name = name
        self.n = n
        self.model = model
        self.S = np.ascontiguousarray(model.initial_state(n), dtype=float)
        I_e = getattr(model.params, "I_e", 0.0)
        self.I = np.full(n, float(I_e))
        self.rng_state = kernel_state(network.seed, f"population/{name}")
        self._draws = 0
        object.__setattr__(self, "_init", False)

    def __len__(self):
        return self.n

    def __repr__(self):
        return f"Population({self.name!r}, n={self.n}, model={self.model.name!r})"

    def check_indices(self, idx, what) -> np.ndarray:
        arr = np.atleast_1d(np.asarray(idx))
        if arr.ndim != 1 or (arr.size and not np.issubdtype(arr.dtype, np.integer)):
            raise ValueError(f"{what} must be a 1-d array of integer indices")
        if arr.size and (arr.min() < 0 or arr.max() >= self.n):
            raise ValueError(f"{what} must be indices in [0, {self.n - 1}] of {self.name!r}")
        return arr

    def _var_names(self):
        return [v for v, _ in self.model.state_vars]

    def __getattr__(self, var):
        if var.startswith("_") or object.__getattribute__(self, "_init"):
            raise AttributeError(var)
        model = object.__getattribute__(self, "model")
        if var in [v for v, _ in model.state_vars]:
            return self.S[model.state_index(var)]
        raise AttributeError(f"{type(self).__name__} {self.name!r} has no attribute {var!r}")

    def __setattr__(self, var, value):
        if object.__getattribute__(self, "_init") or var.startswith("_"):
            object.__setattr__(self, var, value)
            return
        if var in self._var_names():
            self.set(var, value)
        elif var in self.__dict__ or hasattr(type(self), var):
            raise AttributeError(f"population {self.name!r}: attribute {var!r} is read-only")
        else:
            raise AttributeError(
                f"{self.model.name} has no state variable {var!r}; it has {self._var_names()}"
            )

    def set_params(self, **values) -> None:
        """Change parameters of the population's model between runs (or in an
        operation) without recompiling.

        Values are validated as at construction (units, ranges, cross-parameter checks,
        the time step's stability limits) and the kernel parameter vector ``P`` of a
        built engine is rewritten in place. The model object is copied, so another
        population sharing it keeps its values. A change of ``I_e`` (pA) moves the
        external current ``I`` of every neuron by the difference, keeping what current
        inputs added.
        """
        model = replace_params(self.model, values, f"population {self.name!r}")
        model.check_dt(self.network.dt)
        self.network._params_changed(self, model.constants(self.network.dt))
        old_I_e = getattr(self.model.params, "I_e", 0.0)
        object.__setattr__(self, "model", model)
        self.I[:] += getattr(model.params, "I_e", 0.0) - old_I_e

    def set(self, var, value) -> None:
        """Set state variable ``var`` of every neuron (see class docstring).

        A conductance given as values must be >= 0; one drawn from a distribution is
        taken as drawn (the COBA benchmark of Brette et al. 2007 starts from untruncated
        normal conductances; truncate with ``low=0.0`` to exclude negative draws)."""
        row = self.model.state_index(var)
        dim = self.model.dimension(var)
        if isinstance(value, conn.Distribution):
            self._draws += 1
            rng = numpy_generator(self.network.seed, f"population/{self.name}/{var}/{self._draws}")
            values = value.draw(rng, self.n, dim, var)
        else:
            values = _numbers(to_neurosim(value, dim, var), f"{self.name}.{var}")
            if values.ndim == 0:
                values = np.full(self.n, float(values))
            if values.shape != (self.n,):
                raise ValueError(
                    f"{var} needs a scalar or {self.n} values, got shape {values.shape}"
                )
            if dim == "conductance" and values.min() < 0:
                raise ValueError(
                    f"{self.name}.{var} is a conductance and must be >= 0 nS, got {values.min()}"
                )
        if not np.all(np.isfinite(values)):
            raise ValueError(f"{var} must be finite")
        self.S[row] = values


def _numbers(value, what) -> np.ndarray:
    """``value`` as a float array, or a TypeError naming ``what``."""
    if isinstance(value, (str, bytes, bool, np.bool_)):
        raise TypeError(f"{what} must be a number or numbers, got {value!r}")
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{what} must be a number or numbers, got {value!r}") from None
