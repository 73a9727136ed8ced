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

    ``neuron_rows`` (float64, ``(len(neuron_row_names), n)``) holds the per-neuron
    plasticity rows that rules of projections onto the population declare
    (``neuron_vars``, e.g. ``"protein"``): one row per name, shared by every projection
    that declares it, read and assigned as ``pop.<name>`` and recorded with ``record_state``.
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
        self.neuron_rows = np.zeros((0, n))
        self.neuron_row_names: tuple[str, ...] = ()
        self._row_dimensions: dict[str, str] = {}
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

    def declare_rows(self, rows, owner: str) -> np.ndarray:
        """Per-neuron rows ``rows`` (``(name, dimension)`` pairs) that ``owner`` (a
        projection's name) reads and writes: rows of a name already declared are
        shared, new ones are appended to :attr:`neuron_rows` (starting at 0). Returns
        the row of each name in :attr:`neuron_rows` (int64)."""
        index = []
        for name, dim in rows:
            if name in self._var_names():
                raise ValueError(
                    f"{owner}: per-neuron row {name!r} clashes with a state variable of "
                    f"{self.model.name} population {self.name!r}"
                )
            known = self._row_dimensions.setdefault(name, dim)
            if known != dim:
                raise ValueError(
                    f"{owner}: per-neuron row {name!r} of {self.name!r} has dimension "
                    f"{known!r} for other projections, got {dim!r}"
                )
            if name not in self.neuron_row_names:
                grown = np.zeros((len(self.neuron_row_names) + 1, self.n))
                grown[:-1] = self.neuron_rows
                object.__setattr__(self, "neuron_rows", grown)
                object.__setattr__(self, "neuron_row_names", (*self.neuron_row_names, name))
            index.append(self.neuron_row_names.index(name))
        return np.asarray(index, dtype=np.int64)

    def __getattr__(self, var):
        if var.startswith("_") or object.__getattribute__(self, "_init"):
            raise AttributeError(var)
        model = object.__getattribute__(self, "model")
        if var in [v for v, _ in model.state_vars]:
            return self.S[model.state_index(var)]
        if var in self.neuron_row_names:
            return self.neuron_rows[self.neuron_row_names.index(var)]
        raise AttributeError(f"{type(self).__name__} {self.name!r} has no attribute {var!r}")

    def __setattr__(self, var, value):
        if object.__getattribute__(self, "_init") or var.startswith("_"):
            object.__setattr__(self, var, value)
            return
        if var in self._var_names():
            self.set(var, value)
        elif var in self.neuron_row_names:
            values = _numbers(value, f"{self.name}.{var}")
            if values.shape not in ((), (self.n,)) or not np.all(np.isfinite(values)):
                raise ValueError(
                    f"{self.name}.{var} needs a finite scalar or {self.n} values, got {value!r}"
                )
            self.neuron_rows[self.neuron_row_names.index(var)] = values
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
        inputs added. For a modulator, the rules that read it get the new values
        (:meth:`~neurosim.projection.Projection.rule_constants`), after their synapses
        were brought up to date with the old ones.
        """
        model = replace_params(self.model, values, f"population {self.name!r}")
        model.check_dt(self.network.dt)
        readers = self.network._readers(self)
        bound = [proj.rule_constants(modulator=model) for proj in readers]  # checks first
        self.network._params_changed(self, model.constants(self.network.dt))
        for proj in readers:
            proj.synchronize()  # close integrals over the modulator with the old values
        old_I_e = getattr(self.model.params, "I_e", 0.0)
        object.__setattr__(self, "model", model)
        for proj, constants in zip(readers, bound, strict=True):
            self.network._params_changed(proj, constants)
        self.I[:] += getattr(model.params, "I_e", 0.0) - old_I_e

    def add_spikes(self, times, indices) -> None:
        """Add spikes to a spike generator (see
        :class:`~neurosim.inputs.SpikeGeneratorSource`), also during a run from an
        operation (:meth:`~neurosim.network.Network.add_operation`): a closed loop
        that decides at run time when a source fires, e.g. a reward that follows a
        detected event after a delay.

        Parameters
        ----------
        times : array (ms)
            Spike times, each rounded to the nearest step; none before the present
            time ``network.t`` (a spike at ``network.t`` is emitted in the step about
            to run).
        indices : array of int
            Neuron index of each spike, in ``[0, n - 1]``.

        Raises
        ------
        TypeError
            The population is not a spike generator.
        ValueError
            A time lies in the past, an index is out of range, or a neuron would
            fire twice in one step; nothing is added then.
        RuntimeError
            Called during a run on the Brian2 backend (add spikes between runs there).
        """
        if self.model.name != "spike_generator":
            raise TypeError(
                f"population {self.name!r} ({self.model.name}) is not a spike generator; "
                "only spike generators take added spikes"
            )
        net = self.network
        model = self.model.with_spikes(times, indices, self.n, net.dt, net.step)
        net._tables_changed(self, model.aux(self.n, net.dt))
        object.__setattr__(self, "model", model)

    def set(self, var, value) -> None:
        """Set state variable ``var`` of every neuron (see class docstring).

        A conductance must be >= 0 nS, given or drawn; negative draws are kept only from
        a distribution whose lower bound is given explicitly below 0 (the COBA benchmark
        of Brette et al. 2007 starts from untruncated normal conductances,
        ``Normal(200.0, 120.0, low=-math.inf)``)."""
        row = self.model.state_index(var)
        dim = self.model.dimension(var)
        if isinstance(value, conn.Distribution):
            self._draws += 1
            rng = numpy_generator(self.network.seed, f"population/{self.name}/{var}/{self._draws}")
            values = value.draw(rng, self.n, dim, var)
            if dim == "conductance" and values.min() < 0 and getattr(value, "low", None) is None:
                raise ValueError(
                    f"{self.name}.{var} is a conductance, but {int((values < 0).sum())} of "
                    f"{self.n} values drawn are negative: truncate with low=0.0, or give "
                    "low=-math.inf to keep negative draws on purpose"
                )
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
        readers = self.network._readers(self)  # rules that read this modulator's state
        for proj in readers:
            proj.synchronize()  # up to now over the state before the assignment
        self.S[row] = values
        for proj in readers:
            proj.synapse.attach(proj)  # from now on over the assigned state


def _numbers(value, what) -> np.ndarray:
    """``value`` as a float array, or a TypeError naming ``what``."""
    if isinstance(value, (str, bytes, bool, np.bool_)):
        raise TypeError(f"{what} must be a number or numbers, got {value!r}")
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{what} must be a number or numbers, got {value!r}") from None
