"""Recorders of spikes, state variables, population rates and synaptic weights.

Monitors are created through :class:`~neurosim.network.Network` (``record_spikes``,
``record_state``, ``record_rate``, ``record_weights``). The compiled loop fills fixed
buffers; between chunks of steps the network moves them into the monitor's storage,
in memory or, with ``to_disk=FOLDER``, appended to raw files that are read back lazily
as memory-mapped arrays, so long runs need not fit in memory. Every monitor can be
switched off and on between runs (``monitor.active = False``); its other attributes
are read-only. Times are in ms.

Each monitor also writes its own part of the numba engine's generated loop
(:meth:`Monitor.generate`) and moves what that part recorded into its storage
(:meth:`Monitor.flush`); see :mod:`neurosim.engine.context` for the names it may use.
"""

from __future__ import annotations

import json
import os
import secrets
import weakref
from abc import ABC, abstractmethod
from pathlib import Path

import numpy as np

from neurosim.system import pid_alive


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
        """Append ``block`` (entries along axis 0)."""
        if not len(block):
            return
        block = np.ascontiguousarray(block, dtype=self.dtype)
        if self.path is not None:
            with self.path.open("ab") as fh:
                fh.write(block.tobytes())
        else:
            self._chunks.append(block.copy())
        self.length += len(block)

    def truncate(self, length: int) -> None:
        """Drop the entries after the first ``length`` (undoes later appends)."""
        if length >= self.length:
            return
        if self.path is not None:
            os.truncate(self.path, length * self.dtype.itemsize * int(np.prod(self.shape_tail)))
        else:
            self._chunks = [self.read()[:length].copy()]
        self.length = length

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


#: File that marks a folder as one monitor's own (created exclusively when claimed).
OWNER_FILE = "monitor.json"

#: Monitors of this process that hold a folder, by claim token.
_LIVE: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


def _claim_is_live(owner: Path) -> bool:
    """Whether the monitor that claimed a folder may still write to it: a monitor of a
    running process, or of this one that still exists. A claim that cannot be read is
    taken as live (nothing of unknown origin is removed)."""
    try:
        claim = json.loads(owner.read_text())
        pid, token = int(claim["pid"]), str(claim["token"])
    except (OSError, ValueError, KeyError, TypeError):
        return True
    if pid != os.getpid():
        return pid_alive(pid)
    return token in _LIVE


def _claim(folder: Path, monitor) -> Path:
    """Make ``folder`` the monitor's own, by creating :data:`OWNER_FILE` exclusively.

    The folder must be new or empty, or hold the files of a finished monitor (one whose
    process has ended, or a monitor of this process that no longer exists, as when a
    script or notebook cell is run again): those are replaced. A folder that a live
    monitor writes to, or that holds anything else, is refused, so that no two monitors
    (in one process or several) write into, read or truncate each other's files."""
    kind, target = monitor.kind, monitor.target.name
    folder.mkdir(parents=True, exist_ok=True)
    taken = ValueError(
        f"to_disk folder {str(folder)!r} holds another monitor's data or other files; "
        f"give the {kind} monitor of {target!r} a new or empty folder"
    )
    owner = folder / OWNER_FILE
    if owner.exists() and not _claim_is_live(owner):
        for old in folder.glob("*"):
            if old.is_file() and old.suffix in (".bin", ".json"):
                old.unlink()
    if any(folder.iterdir()):
        raise taken
    token = secrets.token_hex(8)
    try:
        with owner.open("x") as fh:
            json.dump({"kind": kind, "target": target, "pid": os.getpid(), "token": token}, fh)
    except FileExistsError:
        raise taken from None
    _LIVE[token] = monitor
    return folder


class Monitor(ABC):
    """Base class: an ``active`` switch, the sampling period (``every`` steps) and the
    storage of the recorded columns, the first of which holds the step of each entry.

    Engines record through :meth:`append`; the numba engine also asks a monitor for
    its lines of the generated loop (:meth:`generate`), for the size of its buffers
    (:attr:`bytes_per_step`) and to empty them (:meth:`flush`).

    Parameters
    ----------
    network, target
        The network and the population or projection recorded.
    every_steps : int
        Sampling period in steps.
    to_disk : path, optional
        Folder, new or empty, that the monitor claims (:func:`_claim`) and where each
        column streams to ``<name>.bin``; in memory if ``None``.
    columns : list of (name, dtype, shape of one entry)
        What is stored; the first column holds the step of each entry.
    """

    #: Short name of the monitor's kind.
    kind = "monitor"

    def __init__(self, network, target, every_steps, to_disk, columns):
        self.network = network
        self.target = target
        self.every = int(every_steps)
        self.active = True
        self._gaps: list[tuple[int, int]] = []
        self.folder = None if to_disk is None else _claim(Path(to_disk), self)
        self._columns = [
            Storage(dtype, tail, None if self.folder is None else self.folder / f"{name}.bin")
            for name, dtype, tail in columns
        ]

    def __setattr__(self, var, value):
        if var != "active" and not var.startswith("_") and var in self.__dict__:
            raise AttributeError(
                f"{self.kind} monitor: attribute {var!r} is read-only (only 'active' may be "
                "changed between runs)"
            )
        object.__setattr__(self, var, value)

    @property
    def dt(self) -> float:
        return self.network.dt

    @property
    def t(self) -> np.ndarray:
        """Times of the recorded entries (ms)."""
        return self._columns[0].read() * self.dt

    def recorded(self) -> list[np.ndarray]:
        """Every recorded column as an array, the steps of the entries first (what
        :meth:`append` takes)."""
        return [store.read() for store in self._columns]

    def append(self, steps, *values) -> None:
        """Append recorded entries: their steps and one block per further column."""
        for store, block in zip(self._columns, (steps, *values), strict=True):
            store.append(block)

    @property
    def gaps(self) -> np.ndarray:
        """Periods (ms, one ``[start, stop)`` row each) that the network jumped while
        the monitor was active (:meth:`~neurosim.network.Network.advance`, ``run(...,
        fast_forward=True)``): nothing is recorded inside them, so that ``t`` skips
        from before ``start`` to ``stop`` or later."""
        return np.array(self._gaps, dtype=float).reshape(-1, 2) * self.dt

    def add_gap(self, start: int, stop: int) -> None:
        """Note that steps ``start .. stop - 1`` were jumped (nothing recorded)."""
        self._gaps.append((int(start), int(stop)))

    def entries(self) -> tuple[int, ...]:
        """Length of each stored column and the number of gaps, for :meth:`rollback`."""
        return (*(store.length for store in self._columns), len(self._gaps))

    def rollback(self, entries: tuple[int, ...]) -> None:
        """Drop what was recorded after :meth:`entries` returned ``entries``."""
        for store, length in zip(self._columns, entries[:-1], strict=True):
            store.truncate(length)
        del self._gaps[entries[-1] :]

    #: Bytes of engine buffer per simulated step (sizes the chunks of steps).
    bytes_per_step = 0.0

    @abstractmethod
    def generate(self, loop, m: int) -> tuple[np.ndarray, ...]:
        """Add this monitor's lines (it is monitor ``m``) to the generated ``loop`` (a
        :class:`~neurosim.engine.context.LoopContext`); return the buffers they fill."""

    @abstractmethod
    def flush(self, buffers, filled: int, start: int, stop: int) -> None:
        """Append the first ``filled`` entries of ``buffers``, recorded in steps
        ``start .. stop - 1``."""


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
        mask = np.zeros(population.n, dtype=np.uint8)
        if neurons is None:
            mask[:] = 1
        else:
            mask[population.check_indices(neurons, "neurons")] = 1
        columns = [("spike_steps", np.int64, ()), ("spike_indices", np.int32, ())]
        super().__init__(network, population, 1, to_disk, columns)
        self.mask = mask

    @property
    def i(self) -> np.ndarray:
        return self._columns[1].read()

    @property
    def count(self) -> np.ndarray:
        """Number of spikes of each neuron of the population."""
        return np.bincount(self.i, minlength=self.target.n)

    def spike_trains(self) -> dict[int, np.ndarray]:
        """Spike times (ms) of each recorded neuron."""
        t, i = self.t, self.i
        return {int(k): t[i == k] for k in np.flatnonzero(self.mask)}

    def generate(self, loop, m):
        """Record (step, neuron) of each spike; return early from the loop before a
        step whose spikes might not fit in the buffer."""
        n = self.target.n
        cap = max(4 * n, loop.spike_buffer)
        buffers = (np.zeros(cap, np.int64), np.zeros(cap, np.int32))
        spikes, count = loop.spikes(self.target)
        mask = loop.arg(f"mk{m}", self.mask)
        steps, idx = loop.arg(f"mt{m}", buffers[0]), loop.arg(f"mi{m}", buffers[1])
        active, filled = loop.control(m, 0), loop.control(m, 2)
        # sizes are read from the arrays, not written as numbers: a network of another
        # size reuses the same compiled loop
        guard = f"if {active} and {filled} + {mask}.shape[0] > {steps}.shape[0]:"
        loop.add("guard", guard, "    return n")
        call = f"K.record_spikes({spikes}, {count}, n, {mask}, {steps}, {idx}, {filled})"
        loop.add("record", f"if {active}:", f"    {filled} = {call}")
        return buffers

    def flush(self, buffers, filled, start, stop):
        self.append(buffers[0][:filled], buffers[1][:filled])


class RateMonitor(Monitor):
    """Population rate: spikes of the whole population in every step.

    ``monitor.t`` (ms), ``monitor.counts`` per step, ``monitor.rate`` in Hz
    (``counts / (N dt)``) and :meth:`smoothed` (a moving average over a window).
    """

    kind = "rate"

    def __init__(self, network, population, to_disk=None):
        columns = [("steps", np.int64, ()), ("counts", np.int32, ())]
        super().__init__(network, population, 1, to_disk, columns)

    @property
    def counts(self) -> np.ndarray:
        return self._columns[1].read()

    @property
    def rate(self) -> np.ndarray:
        return self.counts / (self.target.n * self.dt * 1e-3)

    def smoothed(self, width: float) -> np.ndarray:
        """Rate (Hz) averaged over a flat window of ``width`` ms."""
        k = max(1, int(round(width / self.dt)))
        return np.convolve(self.rate, np.ones(k) / k, mode="same")

    def generate(self, loop, m):
        """Record the population's spike count in every step."""
        buffers = (np.zeros(loop.chunk, np.int32),)
        counts = loop.arg(f"rb{m}", buffers[0])
        active, filled = loop.control(m, 0), loop.control(m, 2)
        _, count = loop.spikes(self.target)
        loop.add(
            "record", f"if {active}:", f"    {counts}[{filled}] = {count}", f"    {filled} += 1"
        )
        return buffers

    def flush(self, buffers, filled, start, stop):
        self.append(np.arange(start, start + filled), buffers[0][:filled])


class SampledMonitor(Monitor):
    """Base class of monitors that sample values every ``every`` steps, before the
    populations advance; subclasses give the compiled call that copies one sample."""

    @property
    def bytes_per_step(self) -> float:
        return 8 * int(np.prod(self._columns[1].shape_tail)) / self.every

    def generate(self, loop, m):
        """Copy one sample into the buffer at steps that are multiples of ``every``."""
        buffers = (np.zeros((loop.chunk // self.every + 1, *self._columns[1].shape_tail)),)
        active, every, filled = (loop.control(m, c) for c in range(3))
        loop.add(
            "sample",
            f"if {active} and n % {every} == 0:",
            f"    {self._sample(loop, m, buffers[0], filled)}",
            f"    {filled} += 1",
        )
        return buffers

    @abstractmethod
    def _sample(self, loop, m, buffer, row) -> str:
        """The call that writes one sample into row ``row`` of ``buffer``."""

    def flush(self, buffers, filled, start, stop):
        first = -(-start // self.every) * self.every
        steps = np.arange(first, stop, self.every)[:filled]
        # a run stopped by a non-finite state took the failing step's sample: drop it
        self.append(steps, buffers[0][: len(steps)])


class StateMonitor(SampledMonitor):
    """State variables of chosen neurons, sampled every ``every`` steps.

    ``monitor.t`` are the sample times (ms); ``monitor.v`` (or ``monitor["v"]``) is an
    array of shape ``(len(t), len(neurons))`` in the variable's neurosim unit. The
    value at ``t_n`` is the state at the start of step ``n``, after the synaptic input
    arriving at ``t_n``. The variables are state variables of the population's model,
    or per-neuron plasticity rows that rules of projections onto it declared
    (``population.neuron_row_names``, e.g. ``"protein"``; one monitor records either
    kind, not both).
    """

    kind = "state"

    def __init__(self, network, population, variables, neurons, every_steps=1, to_disk=None):
        if isinstance(variables, str):
            variables = [variables]
        variables = list(variables)
        names = population.neuron_row_names
        #: Whether the variables are per-neuron rows (``population.neuron_rows``).
        self.neuron_rows = bool(variables) and all(v in names for v in variables)
        if self.neuron_rows:
            rows = np.array([names.index(v) for v in variables], np.int64)
        elif any(v in names for v in variables):
            raise ValueError(
                f"variables = {variables!r} mixes per-neuron rows {list(names)} of "
                f"{population.name!r} with state variables; record them with two monitors"
            )
        else:
            rows = np.array([population.model.state_index(v) for v in variables], np.int64)
        neurons = population.check_indices(
            np.arange(population.n) if neurons is None else neurons, "neurons"
        ).astype(np.int64)
        columns = [("steps", np.int64, ()), ("values", float, (len(rows), len(neurons)))]
        super().__init__(network, population, every_steps, to_disk, columns)
        self.variables, self.rows, self.neurons = variables, rows, neurons

    def __getitem__(self, var) -> np.ndarray:
        if var not in self.variables:
            raise KeyError(f"{var!r} was not recorded; recorded: {self.variables}")
        return self._columns[1].read()[:, self.variables.index(var), :]

    def __getattr__(self, var):
        if var.startswith("_") or var not in self.__dict__.get("variables", ()):
            raise AttributeError(var)
        return self[var]

    def _sample(self, loop, m, buffer, row):
        rows, idx = loop.arg(f"sr{m}", self.rows), loop.arg(f"sn{m}", self.neurons)
        values = loop.arg(f"sb{m}", buffer)
        source = loop.neuron_rows if self.neuron_rows else loop.state
        return f"K.record_state({source(self.target)}, {rows}, {idx}, {values}, {row})"


class WeightMonitor(SampledMonitor):
    """Weights of chosen synapses of a projection, sampled every ``every`` steps.

    ``monitor.t`` (ms) and ``monitor.w`` of shape ``(len(t), len(synapses))``.
    """

    kind = "weights"

    def __init__(self, network, projection, synapses, every_steps=1, to_disk=None):
        n = projection.n_synapses
        ids = np.arange(n) if synapses is None else np.asarray(synapses)
        if ids.ndim != 1 or (
            ids.size
            and (not np.issubdtype(ids.dtype, np.integer) or ids.min() < 0 or ids.max() >= n)
        ):
            raise ValueError(f"synapses must be integer indices in [0, {n - 1}]")
        columns = [("steps", np.int64, ()), ("weights", float, (len(ids),))]
        super().__init__(network, projection, every_steps, to_disk, columns)
        self.synapses = ids.astype(np.int64)

    @property
    def w(self) -> np.ndarray:
        return self._columns[1].read()

    def _sample(self, loop, m, buffer, row):
        ids, values = loop.arg(f"ws{m}", self.synapses), loop.arg(f"wb{m}", buffer)
        return f"K.record_values({loop.weights(self.target)}, {ids}, {values}, {row})"
