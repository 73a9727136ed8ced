"""The engine that builds a network in Brian2 and runs it.

Time
    All Brian2 objects share one ``Clock(dt=network.dt ms)`` of the engine's own (state
    and weight monitors sampling every ``k`` steps run on a clock of ``k dt``), so the
    backend never reads or changes ``defaultclock``. Brian2's network time is set to
    ``network.step * dt`` before the first run, so that steps, spike times and sampling
    grids are neurosim's.
Current inputs
    The current of a neuron is ``I_e`` plus the inputs in force
    (:class:`~neurosim.inputs.CurrentInput`, through the same tables as the numba
    engine); the Brian2 run is split at every segment start inside the run window and
    ``I`` set between the pieces, so a segment starting at step ``s`` acts on the update
    of step ``s``. ``pop.I`` holds the same values as with the numba engine.
Operations
    The run is also split at the steps of the network's operations: the Brian2 state
    is copied into the network's arrays, the operations are called, and what they
    wrote is copied back. ``set_params`` rebuilds the Brian2 objects at the next run
    (Brian2 keeps parameters in its namespaces); during a run it is refused.
Continuing runs
    The Brian2 network lives as long as the engine (until the network's structure
    changes), so consecutive ``net.run`` calls continue it, spikes in transit included.
    Brian2 objects get fixed names (``population_<name>``, ``projection_<name>``,
    ``monitor_<k>``), so the generated code, which names its arrays after them, is
    the same for every network of one structure and is compiled once per machine
    (Brian2's Cython cache, ``~/.cython/brian_extensions``).
"""

from __future__ import annotations

import logging

import brian2 as b2
import numpy as np

from neurosim.backends.brian2.monitors import brian2_monitor, flush
from neurosim.backends.brian2.neurons import population_group
from neurosim.backends.brian2.state import state_from_brian2, state_to_brian2
from neurosim.backends.brian2.synapses import (
    plastic_synapses,
    release_synapses,
    static_synapses,
)
from neurosim.operations import call_due, next_due

logger = logging.getLogger(__name__)

#: Longest piece of one Brian2 run, in steps (bounds memory between copies to monitors).
CHUNK_STEPS = 50_000


class _CodegenTarget:
    """Sets ``prefs.codegen.target`` for the duration of a ``with`` block."""

    def __init__(self, target):
        self.target = target

    def __enter__(self):
        self.saved = b2.prefs.codegen.target
        b2.prefs.codegen.target = self.target

    def __exit__(self, *exc):
        b2.prefs.codegen.target = self.saved


def _refuse_modulated_rules(network) -> None:
    """Raise NotImplementedError for a plastic projection that reads a modulator when
    its rule has no Brian2 description that does (``brian2_modulated``), or when a
    plastic projection releases into that modulator."""
    for proj in network.projections.values():
        if proj.modulator is None:
            continue
        if not proj.synapse.brian2_modulated:
            raise NotImplementedError(
                f"projection {proj.name!r} reads modulator {proj.modulator.name!r}: the Brian2 "
                f"description of rule {proj.synapse.name!r} cannot read it (run it with "
                "backend='numba')"
            )
        for feed in _feeds(network, proj):
            if feed.synapse is not None:
                raise NotImplementedError(
                    f"projection {feed.name!r} releases into modulator {proj.modulator.name!r} "
                    "through a plasticity rule: the Brian2 backend needs static releases"
                )


def _feeds(network, proj) -> list:
    """The projections that release into the modulator ``proj`` reads."""
    return [p for p in network.projections.values() if p.post_population is proj.modulator]


class Brian2Engine:
    """Runs a :class:`~neurosim.network.Network` in Brian2 (see
    :mod:`neurosim.backends.brian2`).

    Attributes
    ----------
    groups, synapses : dict
        Brian2 group of each population, Brian2 ``Synapses`` of each projection, by name.
    plastic : dict
        :class:`~neurosim.backends.brian2.synapses.PlasticMapping` of each plastic
        projection, by name.
    monitors : list
        ``[Brian2 monitor, records already copied]`` per monitor of the network.
    """

    def __init__(self, network):
        self.net = network
        dt = network.dt
        self.dt_s = dt * 1e-3
        self.clock = b2.Clock(dt=dt * b2.ms, name="neurosim_clock")
        self._clocks = {1: self.clock}
        self.target = "cython"
        self.compiled = False
        self.running = False
        b2.seed(network.seed % 2**32)
        _refuse_modulated_rules(network)

        self.groups = {}
        for pop in network.populations.values():
            pop.model.constants(dt)  # the numba engine's parameter checks
            self.groups[pop.name] = population_group(pop, dt, network.step, self.clock)

        self.synapses, self.plastic = {}, {}
        for proj in network.projections.values():
            pre = self.groups[proj.pre_population.name]
            post = self.groups[proj.post_population.name]
            if proj.synapse is None:
                syn = static_synapses(proj, pre, post, dt, self.clock)
            else:
                syn, self.plastic[proj.name] = plastic_synapses(proj, pre, post, dt, self.clock)
            self.synapses[proj.name] = syn
        self.releases = self._releases(network)

        self.monitors = [
            [brian2_monitor(mon, self, f"monitor_{m}"), 0] for m, mon in enumerate(network.monitors)
        ]
        self._currents(network)
        objects = [*self.groups.values(), *self.synapses.values(), *self.releases]
        objects += [b2mon for b2mon, _ in self.monitors]
        self.b2net = b2.Network(*objects, name="neurosim_network")
        self.b2net.t_ = network.step * self.dt_s

    def _releases(self, network) -> list:
        """The releases into each modulator that a plastic projection reads, delivered
        also to the rule's copy of it (:func:`~neurosim.backends.brian2.synapses.release_synapses`)."""
        out = []
        for proj in network.projections.values():
            if proj.modulator is None or not proj.n_synapses:
                continue
            plastic, mapping = self.synapses[proj.name], self.plastic[proj.name]
            for feed in _feeds(network, proj):
                source = self.groups[feed.pre_population.name]
                out.append(
                    release_synapses(feed, proj, source, plastic, mapping, network.dt, self.clock)
                )
        return out

    def _currents(self, network) -> None:
        """The schedule of every current input. The currents already added to ``pop.I``
        are kept on the network, so that an engine rebuilt after a structural change
        does not add them again (the same record as the numba engine's)."""
        self.applied = {}
        self.currents = []
        for c, (pop, current, targets) in enumerate(network.currents):
            steps, amps = current.tables(targets, network.dt)
            self.applied[c] = network.buffers.applied_current(c, targets.size)
            self.currents.append((c, pop, targets, steps, amps))

    def sampling_clock(self, every: int) -> b2.Clock:
        """The clock of period ``every`` steps (one per period)."""
        if every not in self._clocks:
            self._clocks[every] = b2.Clock(
                dt=every * self.net.dt * b2.ms, name=f"neurosim_clock_{every}"
            )
        return self._clocks[every]

    def _set_currents(self, step: int) -> None:
        """Bring ``pop.I`` to ``I_e`` + the inputs in force at ``step``."""
        for c, pop, targets, steps, amps in self.currents:
            k = int(np.searchsorted(steps, step, side="right")) - 1
            value = amps[k] if k >= 0 else np.zeros(targets.size)
            pop.I[targets] += value - self.applied[c]
            self.applied[c][:] = value

    # -- running ----------------------------------------------------------------------
    def _compile(self) -> None:
        """Generate and compile all code (Cython; NumPy if Cython cannot compile) by a
        run of zero duration."""
        try:
            with _CodegenTarget(self.target):
                self.b2net.run(0 * b2.ms, namespace={})
        except Exception as err:  # any compiler failure
            logger.warning("Brian2 could not compile with Cython (%s); using NumPy", err)
            self.target = "numpy"
            with _CodegenTarget(self.target):
                self.b2net.run(0 * b2.ms, namespace={})
        self.compiled = True

    def _breaks(self, start: int, end: int) -> list[int]:
        """Steps in ``(start, end)`` where a current segment starts, an operation is
        due or a chunk ends."""
        breaks = set(range(start + CHUNK_STEPS, end, CHUNK_STEPS))
        for _, _, _, steps, _ in self.currents:
            breaks.update(int(s) for s in steps if start < s < end)
        step = start
        while (step := next_due(self.net, step, end)) < end:
            breaks.add(step)
        return sorted(breaks)

    def _operations(self, step: int) -> None:
        """Call the operations due at ``step`` with the network's arrays holding the
        Brian2 state, and hand what they wrote back to Brian2."""
        net = self.net
        if not any(op.next_step(step) == step for op in net.operations):
            return
        state_from_brian2(self, step)
        self.running = True
        try:
            call_due(net, self)
        finally:
            self.running = False
        state_to_brian2(self)

    def refresh_constants(self, component, constants) -> None:
        """New parameters of ``component``: the Brian2 objects are rebuilt from the
        description at the next run (Brian2 keeps parameters in its namespaces). Refused
        during a run (from an operation)."""
        if self.running:
            raise RuntimeError(
                f"{component!r}: set_params during a run takes effect at once only on the "
                "numba backend; on the Brian2 backend change parameters between runs"
            )
        self.net._changed()

    def refresh_tables(self, population, A, B) -> None:
        """Spikes added to a generator: the Brian2 objects are rebuilt from the
        description at the next run. Refused during a run (from an operation)."""
        if self.running:
            raise RuntimeError(
                f"{population!r}: spikes added during a run take effect only on the numba "
                "backend; on the Brian2 backend add them between runs"
            )
        self.net._changed()

    def run(self, n_steps: int, progress: bool) -> None:
        """Advance the network by ``n_steps`` steps in Brian2: state in, the run in
        pieces (split at current segment starts and every ``CHUNK_STEPS``), monitors
        filled after each piece, state out."""
        net = self.net
        start, end = net.step, net.step + n_steps
        if n_steps == 0:
            return
        for (b2mon, _), mon in zip(self.monitors, net.monitors, strict=True):
            b2mon.active = bool(mon.active)
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=n_steps, unit="step", desc=f"t = {net.t:.1f} ms")
        try:
            state_to_brian2(self)
            if not self.compiled:
                self._compile()
            edges = [start, *self._breaks(start, end), end]
            for a, b in zip(edges[:-1], edges[1:], strict=True):
                self._operations(a)
                self._run_piece(a, b, start, bar)
        finally:
            if bar is not None:
                bar.close()
        state_from_brian2(self, end)

    def _run_piece(self, a: int, b: int, start: int, bar) -> None:
        """Run steps ``a`` to ``b`` with the currents in force at ``a``; ``bar`` (or
        None) counts from ``start``."""
        net = self.net
        self._set_currents(a)
        for pop in net.populations.values():
            if not pop.model.is_source:
                self.groups[pop.name].I_ = pop.I
        report = None
        if bar is not None:

            def report(elapsed, completed, t_start, duration):
                bar.n = a - start + int(completed * (b - a))
                bar.set_description(f"t = {(start + bar.n) * net.dt:.1f} ms")

        with _CodegenTarget(self.target):
            self.b2net.run(
                (b - a) * net.dt * b2.ms,
                namespace={},
                report=report,
                report_period=1 * b2.second,
            )
        flush(self)
        net.step = b
        if bar is not None:
            bar.n = b - start
            bar.set_description(f"t = {net.t:.1f} ms")
