"""Recorders of spikes, state variables, population rates and synaptic weights.

Monitors are created through :class:`~neurosim.network.Network` (``record_spikes``,
``record_state``, ``record_rate``, ``record_weights``). The compiled loop fills fixed
buffers; between chunks of steps the network moves them into the monitor's storage,
in memory or, with ``to_disk=FOLDER``, appended to raw files that are read back lazily
as memory-mapped arrays, so long runs need not fit in memory. Every monitor can be
switched off and on between runs (``monitor.active = False``). Times are in ms.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np


class Storage:
    """An append-only array along axis 0, in memory or streamed to a file on disk."""

    def __init__(self, dtype, shape_tail=(), path: Path | None = None):
        self.dtype = np.dtype(dtype)
        self.shape_tail = tuple(shape_tail)
        self.path = None if path is None else Path(path)
        self.length = 0
        self._chunks: list[np.ndarray] = []
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_bytes(b"")
            meta = {"dtype": self.dtype.str, "shape_tail": list(self.shape_tail)}
            self.path.with_suffix(".json").write_text(json.dumps(meta))

    def append(self, block: np.ndarray) -> None:
        if not len(block):
            return
        block = np.ascontiguousarray(block, dtype=self.dtype)
        if self.path is not None:
            with self.path.open("ab") as fh:
                fh.write(block.tobytes())
        else:
            self._chunks.append(block.copy())
        self.length += len(block)

    def read(self) -> np.ndarray:
        """All data so far (a read-only memory map when on disk)."""
        shape = (self.length, *self.shape_tail)
        if self.path is not None:
            if self.length == 0:
                return np.zeros(shape, self.dtype)
            return np.memmap(self.path, dtype=self.dtype, mode="r", shape=shape)
        if len(self._chunks) != 1:
            merged = np.concatenate(self._chunks) if self._chunks else np.zeros(shape, self.dtype)
            self._chunks = [merged]
        return self._chunks[0]


def _storage(folder, name, dtype, tail=()):
    path = None if folder is None else Path(folder) / f"{name}.bin"
    return Storage(dtype, tail, path)


class Monitor:
    """Base class: an ``active`` switch, the sampling period and the storage folder."""

    kind = "monitor"

    def __init__(self, network, target, every_steps=1, to_disk=None):
        self.network = network
        self.target = target
        self.every = int(every_steps)
        self.active = True
        self.folder = None if to_disk is None else Path(to_disk)

    @property
    def dt(self) -> float:
        return self.network.dt


class SpikeMonitor(Monitor):
    """Spikes of a population (all neurons or a subset).

    Attributes
    ----------
    t : ndarray (ms)
        Spike times (start of the step in which the neuron fired).
    i : ndarray of int
        Neuron index of each spike.
    """

    kind = "spikes"

    def __init__(self, network, population, neurons=None, to_disk=None):
        super().__init__(network, population, 1, to_disk)
        self.mask = np.zeros(population.n, dtype=np.uint8)
        if neurons is None:
            self.mask[:] = 1
        else:
            self.mask[population.check_indices(neurons, "neurons")] = 1
        self._steps = _storage(self.folder, "spike_steps", np.int64)
        self._idx = _storage(self.folder, "spike_indices", np.int32)

    def _append(self, steps, indices):
        self._steps.append(steps)
        self._idx.append(indices)

    @property
    def t(self) -> np.ndarray:
        return self._steps.read() * self.dt

    @property
    def i(self) -> np.ndarray:
        return self._idx.read()

    @property
    def count(self) -> np.ndarray:
        """Number of spikes of each neuron of the population."""
        return np.bincount(self.i, minlength=self.target.n)

    def spike_trains(self) -> dict[int, np.ndarray]:
        """Spike times (ms) of each recorded neuron."""
        t, i = self.t, self.i
        return {int(k): t[i == k] for k in np.flatnonzero(self.mask)}


class StateMonitor(Monitor):
    """State variables of chosen neurons, sampled every ``every`` steps.

    ``monitor.t`` are the sample times (ms); ``monitor.v`` (or ``monitor["v"]``) is an
    array of shape ``(len(t), len(neurons))`` in the variable's neurosim unit. The
    value at ``t_n`` is the state at the start of step ``n``, after the synaptic input
    arriving at ``t_n``.
    """

    kind = "state"

    def __init__(self, network, population, variables, neurons, every_steps=1, to_disk=None):
        super().__init__(network, population, every_steps, to_disk)
        if isinstance(variables, str):
            variables = [variables]
        self.variables = list(variables)
        self.rows = np.array([population.model.state_index(v) for v in self.variables], np.int64)
        self.neurons = population.check_indices(
            np.arange(population.n) if neurons is None else neurons, "neurons"
        ).astype(np.int64)
        self._t = _storage(self.folder, "steps", np.int64)
        self._data = _storage(self.folder, "values", float, (len(self.rows), len(self.neurons)))

    def _append(self, steps, block):
        self._t.append(steps)
        self._data.append(block)

    @property
    def t(self) -> np.ndarray:
        return self._t.read() * self.dt

    def __getitem__(self, var) -> np.ndarray:
        if var not in self.variables:
            raise KeyError(f"{var!r} was not recorded; recorded: {self.variables}")
        return self._data.read()[:, self.variables.index(var), :]

    def __getattr__(self, var):
        if var.startswith("_") or var not in self.__dict__.get("variables", ()):
            raise AttributeError(var)
        return self[var]


class RateMonitor(Monitor):
    """Population rate: spikes of the whole population in every step.

    ``monitor.t`` (ms), ``monitor.counts`` per step, ``monitor.rate`` in Hz
    (``counts / (N dt)``) and :meth:`smoothed` (a moving average over a window).
    """

    kind = "rate"

    def __init__(self, network, population, to_disk=None):
        super().__init__(network, population, 1, to_disk)
        self._t = _storage(self.folder, "steps", np.int64)
        self._counts = _storage(self.folder, "counts", np.int32)

    def _append(self, steps, counts):
        self._t.append(steps)
        self._counts.append(counts)

    @property
    def t(self) -> np.ndarray:
        return self._t.read() * self.dt

    @property
    def counts(self) -> np.ndarray:
        return self._counts.read()

    @property
    def rate(self) -> np.ndarray:
        return self.counts / (self.target.n * self.dt * 1e-3)

    def smoothed(self, width: float) -> np.ndarray:
        """Rate (Hz) averaged over a flat window of ``width`` ms."""
        k = max(1, int(round(width / self.dt)))
        return np.convolve(self.rate, np.ones(k) / k, mode="same")


class WeightMonitor(Monitor):
    """Weights of chosen synapses of a projection, sampled every ``every`` steps.

    ``monitor.t`` (ms) and ``monitor.w`` of shape ``(len(t), len(synapses))``.
    """

    kind = "weights"

    def __init__(self, network, projection, synapses, every_steps=1, to_disk=None):
        super().__init__(network, projection, every_steps, to_disk)
        n = projection.n_synapses
        ids = np.arange(n) if synapses is None else np.asarray(synapses)
        if ids.ndim != 1 or (
            ids.size
            and (not np.issubdtype(ids.dtype, np.integer) or ids.min() < 0 or ids.max() >= n)
        ):
            raise ValueError(f"synapses must be integer indices in [0, {n - 1}]")
        self.synapses = ids.astype(np.int64)
        self._t = _storage(self.folder, "steps", np.int64)
        self._data = _storage(self.folder, "weights", float, (len(self.synapses),))

    def _append(self, steps, block):
        self._t.append(steps)
        self._data.append(block)

    @property
    def t(self) -> np.ndarray:
        return self._t.read() * self.dt

    @property
    def w(self) -> np.ndarray:
        return self._data.read()
