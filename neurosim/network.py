"""Networks: populations, projections, inputs and monitors, and running them.

Example
-------
>>> import neurosim as ns
>>> net = ns.Network(dt=0.1, seed=1)
>>> exc = net.add_population("exc", 100, "lif_cond")
>>> inp = net.add_poisson("input", 200, rate=10.0)
>>> proj = net.connect(inp, exc, ns.FixedProbability(0.1), weight=2.0, delay=1.0)
>>> spikes = net.record_spikes(exc)
>>> net.run(500.0)
>>> spikes.t, spikes.i     # ms, neuron index

Units are neurosim's (ms, mV, pF, nS, pA, Hz); brian2 quantities are accepted.
``Network(backend="brian2")`` runs the same description in Brian2 (the reference).
"""

from __future__ import annotations

import numbers

import numpy as np

from neurosim import connectivity as conn
from neurosim.buffers import RunBuffers
from neurosim.errors import SimulationError
from neurosim.inputs import CurrentInput, PoissonSource, SpikeGeneratorSource
from neurosim.network_recording import Recording
from neurosim.neurons import NeuronModel
from neurosim.neurons import model as make_model
from neurosim.neurons.modulator import Modulator, check_reader
from neurosim.population import Population
from neurosim.projection import Projection
from neurosim.system import available_memory
from neurosim.units import nearest_steps, to_neurosim, to_steps

__all__ = ["Network", "Population", "Projection", "SimulationError"]


def _check_name(name, taken, what):
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"{what} name {name!r} must be a valid identifier")
    if name in taken:
        raise ValueError(f"a {what} named {name!r} already exists")


def _numba_engine():
    from neurosim.engine.loop import NumbaEngine

    return NumbaEngine


def _brian2_engine():
    from neurosim.backends.brian2 import Brian2Engine

    return Brian2Engine


#: The engine class of each backend, imported when a network of that backend first runs
#: (Brian2 is imported only by networks that use it).
_ENGINES = {"numba": _numba_engine, "brian2": _brian2_engine}


class Network(Recording):
    """A spiking network simulated on a fixed time grid.

    Parameters
    ----------
    dt : float or Quantity
        Time step in ms (default 0.1 ms).
    seed : int, optional
        Root seed of every random stream (connectivity, initial values, Poisson
        sources). ``None`` draws one, kept in ``network.seed`` for reproduction.
    backend : {"numba", "brian2"}
        ``"numba"``: neurosim's compiled engine. ``"brian2"``: the same network built
        and run in Brian2 (runtime mode), the reference for cross-checks.

    Attributes
    ----------
    buffers : RunBuffers
        What is in flight between steps (ring buffers, event queues, current inputs'
        progress), kept across engine rebuilds; see :mod:`neurosim.buffers`.

    Attributes cannot be rebound (an AttributeError names them): ``dt``, ``seed`` and
    ``backend`` are fixed at creation, and components are added through the methods.
    """

    BACKENDS = tuple(_ENGINES)

    def __init__(self, dt=0.1, seed: int | None = None, backend: str = "numba"):
        dt = to_neurosim(dt, "time", "dt")
        if not isinstance(dt, numbers.Real) or not np.isfinite(dt) or dt <= 0:
            raise ValueError(f"dt = {dt!r} ms must be a positive finite number")
        if backend not in self.BACKENDS:
            raise ValueError(f"backend = {backend!r} is not one of {self.BACKENDS}")
        if seed is None:
            seed = int(np.random.SeedSequence().entropy % (2**63))
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
            raise ValueError(f"seed = {seed!r} must be a non-negative integer")
        self._dt = float(dt)
        self._seed = int(seed)
        self._backend = backend
        self.populations: dict[str, Population] = {}
        self.projections: dict[str, Projection] = {}
        self.currents: list[tuple[Population, CurrentInput, np.ndarray]] = []
        self.monitors: list = []
        self.step = 0
        self._engine = None
        self.buffers = RunBuffers()
        self._event_counts: dict[str, int] = {}
        self.operations: list = []  # neurosim.operations.Operation

    @property
    def dt(self) -> float:
        """Time step in ms (read-only: it is fixed when the network is created)."""
        return self._dt

    @property
    def seed(self) -> int:
        """Root seed of every random stream (read-only)."""
        return self._seed

    @property
    def backend(self) -> str:
        """The backend that runs the network (read-only)."""
        return self._backend

    def __setattr__(self, var, value):
        public = not var.startswith("_") and var != "step"  # engines advance the step
        if public and (
            var in self.__dict__ or isinstance(getattr(type(self), var, None), property)
        ):
            raise AttributeError(f"Network.{var} is read-only; create a new Network to change it")
        object.__setattr__(self, var, value)

    # -- building ------------------------------------------------------------------
    def _changed(self):
        self._engine = None

    def add_population(self, name: str, n: int, model="lif", params=None) -> Population:
        """Add ``n`` neurons of ``model`` (registry name, published set name or a
        :class:`~neurosim.neurons.NeuronModel` instance); ``params`` overrides values."""
        _check_name(name, self.populations, "population")
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
            raise ValueError(f"population size n = {n!r} must be a positive integer")
        if isinstance(model, str):
            model = make_model(model, **(params or {}))
        elif isinstance(model, NeuronModel):
            if params:
                model = type(model)(model.params.replace(**params))
        else:
            raise TypeError(f"model must be a name or a NeuronModel, got {model!r}")
        model.check_dt(self.dt)
        need, have = len(model.state_vars) * int(n) * 8, available_memory()
        if need > have:
            raise MemoryError(
                f"population {name!r}: {n} neurons of {model.name} need "
                f"{len(model.state_vars)} state rows x {n} x 8 bytes, about "
                f"{need / 2**30:.3g} GiB, but {have / 2**30:.3g} GiB are available"
            )
        pop = Population(self, name, int(n), model)
        self.populations[name] = pop
        self._changed()
        return pop

    def add_poisson(self, name: str, n: int, rate, times=None) -> Population:
        """Add ``n`` Poisson sources (see :class:`~neurosim.inputs.PoissonSource`)."""
        return self.add_population(name, n, PoissonSource(rate, times))

    def add_modulator(self, name: str, n: int = 1, **params) -> Population:
        """Add a neuromodulator (:class:`~neurosim.neurons.modulator.Modulator`): ``n``
        concentrations (``n = 1``: one global signal; ``n = post.n``: one per neuron of
        the populations whose projections read it) with parameters ``tau_decay`` (ms,
        > 0), ``tau_rise`` (ms, 0 or below ``tau_decay``) and ``baseline``.

        Spikes reach it through ``connect(source, modulator, receptor="release")`` (a
        release of weight w peaks at w above the baseline); a plastic projection reads
        it through ``connect(..., synapse=rule, modulator=modulator)``.
        """
        return self.add_population(name, n, Modulator(**params))

    def add_spike_generator(self, name: str, n: int, times, indices) -> Population:
        """Add ``n`` sources firing at given times (ms) with given indices."""
        return self.add_population(name, n, SpikeGeneratorSource(times, indices))

    def _population(self, pop) -> Population:
        if isinstance(pop, str):
            if pop not in self.populations:
                raise ValueError(f"no population {pop!r}; populations: {sorted(self.populations)}")
            return self.populations[pop]
        if not isinstance(pop, Population) or pop.network is not self:
            raise TypeError(f"{pop!r} is not a population of this network")
        return pop

    def connect(
        self,
        pre,
        post,
        rule=None,
        weight=1.0,
        delay=None,
        receptor="exc",
        name=None,
        synapse=None,
        modulator=None,
    ) -> Projection:
        """Connect ``pre`` onto ``receptor`` of ``post``.

        ``rule`` is a :mod:`neurosim.connectivity` rule (default all-to-all);
        ``weight`` in the receptor's unit (nS, pA or mV) and ``delay`` in ms (>= dt,
        default dt) are constants, per-synapse arrays or distributions. ``synapse`` is
        a plasticity rule (a :class:`~neurosim.synapses.SynapseModel`, a rule name or a
        published set name, see :mod:`neurosim.synapses`); ``None`` keeps weights
        static. ``receptor=None`` makes a plastic projection that transmits nothing
        (e.g. onto spike sources, to apply a plasticity protocol with exact timing).
        ``modulator`` (a modulator population of this network, or its name, with one
        concentration or one per neuron of ``post``) is the signal the rule's kernels
        read (see :meth:`add_modulator`).
        """
        pre, post = self._population(pre), self._population(post)
        if isinstance(synapse, str):
            from neurosim.synapses import synapse_model

            synapse = synapse_model(synapse)
        if modulator is not None:
            if isinstance(modulator, str):
                modulator = self._population(modulator)
            check_reader(modulator, self, post, synapse)
        if post.model.is_source and receptor is not None:
            raise ValueError(
                f"{post.name!r} is a spike source and cannot receive synapses "
                "(use receptor=None for a plasticity-only projection)"
            )
        rule = conn.AllToAll() if rule is None else rule
        if not isinstance(rule, conn.Rule):
            raise TypeError(f"rule must be a connectivity rule, got {rule!r}")
        if name is None:
            base = f"{pre.name}_to_{post.name}_{receptor or 'plastic'}"
            name, k = base, 1
            while name in self.projections:
                k += 1
                name = f"{base}_{k}"
        _check_name(name, self.projections, "projection")
        proj = Projection(self, name, pre, post, rule, weight, delay, receptor, synapse, modulator)
        self.projections[name] = proj
        self._changed()
        return proj

    def add_current(self, population, current: CurrentInput, neurons=None) -> CurrentInput:
        """Inject a :class:`~neurosim.inputs.CurrentInput` into chosen neurons."""
        pop = self._population(population)
        if not isinstance(current, CurrentInput):
            raise TypeError(f"current must be a CurrentInput, got {current!r}")
        if pop.model.is_source:
            raise ValueError(f"{pop.name!r} is a spike source and takes no current")
        targets = pop.check_indices(np.arange(pop.n) if neurons is None else neurons, "neurons")
        current.tables(targets, self.dt)  # validates shapes now
        self.currents.append((pop, current, targets.astype(np.int64)))
        self._changed()
        return current

    def _params_changed(self, component, constants) -> None:
        """New kernel parameters of ``component`` (a population or projection): a
        built engine rewrites its parameter vector in place."""
        if self._engine is not None:
            self._engine.refresh_constants(component, constants)

    def _tables_changed(self, population, tables) -> None:
        """New auxiliary tables ``(A, B)`` of a spike source (spikes added to a
        generator): a built engine passes them to the loop from its next chunk on."""
        if self._engine is not None:
            self._engine.refresh_tables(population, *tables)

    def _readers(self, population) -> list:
        """The plastic projections that read ``population`` as their modulator."""
        return [p for p in self.projections.values() if p.modulator is population]

    # -- running ---------------------------------------------------------------------
    @property
    def t(self) -> float:
        """Present biological time in ms."""
        return self.step * self.dt

    def run(self, duration, progress: bool = False, fast_forward: bool = False) -> None:
        """Advance the network by ``duration`` ms, rounded to the nearest whole step
        (a half step rounds up, never down); a positive duration shorter than half a
        step is refused, since it would run nothing.

        ``progress=True`` shows a progress bar. If a population's state becomes NaN
        or infinite, recorded data up to that step are kept and
        :class:`SimulationError` names the population and the time.

        ``fast_forward=True`` (numba backend) steps where inputs act and jumps every
        stretch without input of at least
        :data:`~neurosim.engine.fastforward.MIN_JUMP_MS` as :meth:`advance` does
        (stepping it where :meth:`advance` would refuse); monitors record nothing
        inside a jump (see :attr:`~neurosim.monitors.Monitor.gaps`).
        """
        if not isinstance(fast_forward, bool):
            raise TypeError(f"fast_forward = {fast_forward!r} must be True or False")
        duration = to_neurosim(duration, "time", "duration")
        if not isinstance(duration, numbers.Real) or not np.isfinite(duration) or duration < 0:
            raise ValueError(f"duration = {duration!r} ms must be a finite number >= 0")
        n_steps = nearest_steps(duration, self.dt)
        if duration > 0 and n_steps == 0:
            raise ValueError(
                f"duration = {duration:g} ms is shorter than half a step (dt = {self.dt:g} ms) "
                "and would run no step"
            )
        if fast_forward:
            from neurosim.engine import fastforward

            fastforward.run(self, self._ready_engine("fast_forward=True"), n_steps, progress)
        else:
            self._ready_engine().run(n_steps, progress)

    def _ready_engine(self, feature: str | None = None):
        """The engine, built if the structure changed; ``feature`` names what needs the
        numba backend."""
        if not self.populations:
            raise ValueError("the network has no populations")
        if feature is not None and self.backend != "numba":
            raise ValueError(f"{feature} needs backend 'numba', not {self.backend!r}")
        if self._engine is None:
            self._engine = _ENGINES[self.backend]()(self)
        return self._engine

    def advance(self, duration, approximate: bool = False) -> None:
        """Cross ``duration`` ms without external input in a time independent of its
        length (numba backend); with ``approximate=True``, cross it ignoring all
        spiking activity, Poisson background included.

        The network is stepped until nothing is in flight and its state stops
        changing (delays, rule lags and the neurons' relaxation to rest), then the
        rest is jumped: neurons stay at their fixed point (models with an exact quiet
        solution, such as a decaying neuromodulator, are advanced by it), plasticity
        rules keep their lazily updated state, which their exact solutions bring
        forward at the next event (see :mod:`neurosim.engine.fastforward`). The
        result is bit for bit that of ``run(duration)`` when the state settles
        exactly (not only within the drain's tolerance) and nothing has a quiet
        solution of its own. Monitors record nothing inside the jump and note it in
        their :attr:`~neurosim.monitors.Monitor.gaps`.

        ``approximate=True`` is not exact and never refuses a network for its
        activity: no spike is computed for the period (Poisson sources draw none),
        plastic state is brought to the present, the rules' activity traces
        (``activity_vars``, e.g. calcium) are set to zero, neurons are reset to rest
        (keeping their last spike time), spikes in flight are dropped, and the rules'
        quiet dynamics (:meth:`~neurosim.synapses.SynapseModel.advance_quiet`, lazy
        exact solutions) carry the plastic state across, as the fast-forward mode of
        :cite:p:`luboeinski2021` does (see :mod:`neurosim.engine.approximate`).

        Parameters
        ----------
        duration : float or Quantity
            Time to cross in ms: >= 0 and a whole number of steps ``dt``.
        approximate : bool
            Ignore spiking activity instead of requiring its absence (default False).

        Raises
        ------
        QuiescenceError
            An input acts within the period (a Poisson source with a non-zero rate or
            a new rate segment, a listed spike, a current that switches), a neuron
            would fire in it, or the state does not settle; it names the population,
            the neuron and the time, and the network is left exactly as it was. With
            ``approximate=True``, only a scheduled input other than a Poisson source
            (a listed spike, a current that switches, an operation that is due).
        """
        if not isinstance(approximate, bool):
            raise TypeError(f"approximate = {approximate!r} must be True or False")
        duration = to_neurosim(duration, "time", "duration")
        if not isinstance(duration, numbers.Real) or not np.isfinite(duration) or duration < 0:
            raise ValueError(
                f"duration = {duration!r} ms must be a finite number >= 0 (a whole number "
                f"of steps of dt = {self.dt:g} ms)"
            )
        n_steps = int(to_steps(duration, self.dt, "duration"))
        engine = self._ready_engine("advance")
        if n_steps and approximate:
            from neurosim.engine.approximate import advance_approximate

            advance_approximate(self, engine, n_steps)
        elif n_steps:
            from neurosim.engine import fastforward

            fastforward.advance(self, engine, n_steps)

    def save(self, path, monitors: bool = False) -> None:
        """Write the network's whole state to the checkpoint file ``path``, so that
        :meth:`load` continues it bit for bit (see :mod:`neurosim.checkpoint`).

        Parameters
        ----------
        path : str or os.PathLike
            The file to write (no suffix is added); its folder must exist and be
            writable. Written atomically: a failed save leaves no partial file and an
            earlier file at ``path`` unchanged.
        monitors : bool
            Also save what the monitors recorded (default: only their definitions).

        Raises
        ------
        CheckpointError
            The path cannot be written, the backend is ``"brian2"``, or the network
            holds a model or rule that is not registered.
        """
        from neurosim.checkpoint import save

        save(self, path, monitors=monitors)

    @classmethod
    def load(cls, path, to_disk=None) -> Network:
        """The network saved in the checkpoint file ``path`` by :meth:`save`, at the
        saved step and ready to continue (see :mod:`neurosim.checkpoint`).

        Parameters
        ----------
        path : str or os.PathLike
            A checkpoint file.
        to_disk : str or os.PathLike, optional
            Folder for the monitors that streamed to disk when saved (each gets a new
            subfolder ``monitor<m>_<kind>_<target>``); needed only for those.

        Raises
        ------
        CheckpointError
            The file is missing, truncated, corrupt, foreign, of a newer format, or
            does not fit this neurosim (e.g. a model that is not registered); the
            message names the file and the problem.
        """
        from neurosim.checkpoint import load

        return load(path, cls, to_disk=to_disk)

    def counters(self) -> dict[str, int]:
        """Events counted so far (numba backend), for energy accounting:
        ``spikes/<population>``, ``synaptic_events/<projection>`` (deliveries),
        ``modulator_events/<projection>`` (releases delivered into a modulator by a
        projection onto one, counted there instead of as synaptic events) and
        ``plasticity_updates/<projection>`` (synapse state updates by a rule)."""
        return dict(self._event_counts)
