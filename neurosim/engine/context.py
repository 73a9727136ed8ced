"""The shared state of the builders that write one network's generated loop.

Each builder (:mod:`neurosim.engine.builders` for populations, delays, currents and
monitors, :mod:`neurosim.engine.projections` for projections and their rules, and
every monitor's own :meth:`~neurosim.monitors.Monitor.generate`) adds arguments and
lines to a :class:`LoopContext`, which also hands out the names under which the loop
knows each component's arrays. Inside the generated step, ``n`` is the step,
``status`` the stop record and ``K`` the module :mod:`neurosim.kernels.delivery`.
"""

from __future__ import annotations

import numpy as np

from neurosim.engine import codegen
from neurosim.neurons.modulator import Modulator


class LoopContext:
    """The network being compiled, the :class:`~neurosim.engine.codegen.Source` being
    written and the names of the loop's arguments.

    Parameters
    ----------
    network : Network
        The description to compile.
    chunk : int
        Most steps advanced by one call of the loop (sizes per-step buffers).
    spike_buffer : int
        Least capacity (spikes) of a spike monitor's buffer.
    """

    #: Name of the monitors' control rows in the loop.
    CONTROL = "ctl"

    def __init__(self, network, chunk: int, spike_buffer: int):
        self.network = network
        self.dt = network.dt
        self.chunk = chunk
        self.spike_buffer = spike_buffer
        self.source = codegen.Source()
        self.populations = list(network.populations.values())
        self.projections = list(network.projections.values())
        self._pop = {p.name: k for k, p in enumerate(self.populations)}
        self._proj = {p.name: j for j, p in enumerate(self.projections)}
        self.counter_names = (
            [f"spikes/{p.name}" for p in self.populations]
            + [self.delivery_counter(p) for p in self.projections]
            + [f"plasticity_updates/{p.name}" for p in self.projections]
        )
        #: Events counted by the loop, in the order of ``counter_names``.
        self.events = np.zeros(len(self.counter_names), dtype=np.int64)
        self._events = self.arg("events", self.events)
        #: Ring buffer argument of each (population name, receptor row) fed by delays.
        self.rings: dict[tuple[str, int], str] = {}
        #: Fast paths the engine chooses before chunks (``NumbaEngine.note_arrays``):
        #: (values, int64[1] flag, test of the values, flag when it holds, flag
        #: otherwise); populations' zero currents first (``build_populations``), then
        #: projections without a rule whose weights are all equal (``K.propagate_static``).
        self.looks: list[tuple] = []

    # -- writing -----------------------------------------------------------------------
    def arg(self, name: str, value) -> str:
        """Pass ``value`` to the loop as argument ``name``; return the name."""
        return self.source.arg(name, value)

    def function(self, fn, alias: str) -> str:
        """Make compiled function ``fn`` callable in the loop as ``alias``."""
        return self.source.function(fn, alias)

    def add(self, section: str, *lines: str) -> None:
        """Append ``lines`` to ``section`` of the step (see ``codegen.SECTIONS``)."""
        self.source.add(section, *lines)

    # -- names -------------------------------------------------------------------------
    def index(self, population) -> int:
        """Position of ``population`` in the network (its argument suffix)."""
        return self._pop[population.name]

    def state(self, population) -> str:
        """The state array (variables x neurons) of ``population``."""
        return f"S{self.index(population)}"

    def current(self, population) -> str:
        """The injected current ``I`` (pA, one per neuron) of ``population``."""
        return f"I{self.index(population)}"

    def spikes(self, population) -> tuple[str, str]:
        """(indices, count) of the neurons of ``population`` that fired in this step."""
        k = self.index(population)
        return f"K{k}", f"c{k}"

    def weights(self, projection) -> str:
        """The weights (CSR order) of ``projection``."""
        return f"w{self._proj[projection.name]}"

    def neuron_rows(self, population) -> str:
        """The per-neuron plasticity rows (``population.neuron_rows``) of
        ``population``, an argument of the loop from its first use."""
        name = f"Q{self.index(population)}"
        if name not in self.source.args:
            self.arg(name, population.neuron_rows)
        return name

    @staticmethod
    def delivery_counter(projection) -> str:
        """Name of the counter of ``projection``'s deliveries:
        ``"modulator_events/<projection>"`` for releases into a modulator,
        ``"synaptic_events/<projection>"`` otherwise."""
        kind = (
            "modulator" if isinstance(projection.post_population.model, Modulator) else "synaptic"
        )
        return f"{kind}_events/{projection.name}"

    def counter(self, name: str) -> str:
        """The element of the event counters that counts ``name`` (e.g.
        ``"synaptic_events/<projection>"``)."""
        return f"{self._events}[{self.counter_names.index(name)}]"

    @classmethod
    def control(cls, m: int, column: int) -> str:
        """Column ``column`` of monitor ``m``'s control row: 0 active, 1 sampling period
        (steps), 2 entries filled in its buffers during this call."""
        return f"{cls.CONTROL}[{m}, {column}]"
