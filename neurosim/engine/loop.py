"""The numba engine: builds the generated loop for a network and runs it in chunks.

Within a chunk everything runs in one compiled call (no Python per step). Between
chunks Python moves monitor buffers into storage, advances the progress bar and calls
the network's operations (:mod:`neurosim.operations`); a chunk ends at the next step
at which an operation is due. Step
``n`` (time ``t_n``) runs these sections of the generated loop, in this order
(``codegen.SECTIONS``):

1. ``guard``: return before the step if a spike monitor's buffer might overflow (the
   engine empties it and calls again);
2. ``arrive``: delayed spikes arriving at ``t_n`` are added from ring buffers;
3. ``inputs``: current inputs switch segments starting at ``n``;
4. ``sample``: state and weight monitors sample (values at ``t_n``);
5. ``update``: every population advances to ``t_{n+1}`` and reports the neurons that
   fired;
6. ``record``: spike and rate monitors record;
7. ``transmit``: spikes are delivered (delay 1 step: straight into the target
   variable; longer: into the ring buffer) or handed to plasticity rules
   (``on_transmit``, ``on_pre``, through an event queue when they act later);
8. ``post``: postsynaptic spikes reach the rules' ``on_post``;
9. ``clock``: clock-driven rules update (``on_step``).
"""

from __future__ import annotations

import numpy as np

from neurosim.engine import codegen
from neurosim.engine.builders import (
    build_currents,
    build_delays,
    build_monitors,
    build_populations,
)
from neurosim.engine.context import LoopContext
from neurosim.engine.projections import build_projections
from neurosim.errors import SimulationError
from neurosim.operations import call_due, next_due

#: Steps per compiled call when nothing limits it.
CHUNK_STEPS = 10_000
#: Upper bound on the memory of one chunk's state/weight monitor buffers.
BUFFER_BYTES = 64 * 2**20
#: Minimum capacity (spikes) of a spike monitor buffer between flushes.
SPIKE_BUFFER = 100_000


class NumbaEngine:
    """Compiled engine of one network structure (rebuilt when the structure changes)."""

    def __init__(self, network):
        self.net = network
        self.status = np.zeros(3, dtype=np.int64)
        self.chunk = chunk_steps(network.monitors)
        ctx = LoopContext(network, self.chunk, SPIKE_BUFFER)
        # arguments are registered in this order; the step runs the sections in order
        build_populations(ctx)  # update
        build_delays(ctx)  # arrive
        build_currents(ctx)  # inputs
        self.control, self.buffers = build_monitors(ctx)  # guard, sample, record
        build_projections(ctx)  # transmit, post, clock
        self.events, self.counter_names = ctx.events, ctx.counter_names
        # currents first, as they save more per value read
        self._looks = ctx.looks
        #: The loop's fast-path flags (``Z<k>``, ``u<j>``): set by :meth:`note_arrays`
        #: before chunks, not part of the network's state.
        self.flags = [look[1] for look in self._looks]
        self._neurons = sum(pop.n for pop in ctx.populations)
        named = dict(zip(ctx.source.args, ctx.source.values, strict=True))
        self._constants = {id(pop): named[f"P{k}"] for k, pop in enumerate(ctx.populations)}
        self._tables = {id(pop): k for k, pop in enumerate(ctx.populations)}
        for j, proj in enumerate(ctx.projections):
            if proj.synapse is not None:
                self._constants[id(proj)] = named[f"pr{j}"]
        self.source = ctx.source.render()
        self.kernel = codegen.load(self.source)
        self.args = ctx.source.values
        #: Name in the loop of each argument (see :class:`~neurosim.engine.context.LoopContext`).
        self.names = ctx.source.args

    def run(self, n_steps: int, progress: bool) -> None:
        """Advance the network by ``n_steps`` steps, calling the network's operations
        between chunks at their steps, raising :class:`SimulationError` when a
        population's state stops being finite or an operation raises."""
        net = self.net
        end = net.step + n_steps
        bar = None
        if progress:
            from tqdm.auto import tqdm

            # a call of no step compiles the loop now, so that the bar's rate and ETA
            # measure simulation only
            self.kernel(net.step, net.step, self.status, *self.args)
            bar = tqdm(total=n_steps, unit="step", desc=f"t = {net.t:.1f} ms")
        # with a progress bar, return to Python about 50 times per run
        span = self.chunk if bar is None else max(1, min(self.chunk, n_steps // 50))
        for m, mon in enumerate(net.monitors):
            self.control[m, 0] = int(mon.active)
        looked = False
        try:
            while net.step < end:
                start = net.step
                if net.operations:
                    call_due(net, self)
                due = next_due(net, start, end)
                if net.operations or not looked:
                    self.note_arrays(budget=(due - start) * self._neurons)
                    looked = True
                stop = min(start + span, due)
                self.control[:, 2] = 0
                self.status[:] = 0
                reached = int(self.kernel(start, stop, self.status, *self.args))
                self._flush(start, reached)
                net.step = reached
                self._count()
                if bar is not None:
                    bar.update(reached - start)
                    bar.set_description(f"t = {net.t:.1f} ms")
                if self.status[0]:
                    pop = list(net.populations)[int(self.status[1])]
                    raise _non_finite(pop, int(self.status[2]) * net.dt)
        finally:
            if bar is not None:
                bar.close()
            self._count()

    def note_arrays(self, budget: int | None = None) -> None:
        """Tell the loop which populations' current is +0.0 for every neuron, so that
        their update reads none (:func:`~neurosim.neurons.base.current`), and which
        projections without a rule have one weight for all their synapses (bit for
        bit), so that their delivery reads it once per row
        (:func:`~neurosim.kernels.delivery.propagate_static`).

        Run before the first chunk of a run and before every chunk that follows an
        operation, since Python code may have written currents or weights in place:
        one pass over each such array, stopping at the first value that differs.
        ``budget`` bounds the values read: :meth:`run` gives the steps until the next
        operation (or the run's end) times the network's neurons, so that looking
        costs less than the steps it serves (a run of a few steps, or operations
        every few steps, on a large network). An array that does not fit in what is
        left of the budget is not read and takes the general path (every value read),
        which gives the same results.
        """
        left = np.inf if budget is None else budget
        for values, flag, test, holds, otherwise in self._looks:
            fits = values.size <= left
            if fits:
                left -= values.size
            flag[0] = holds if fits and test(values) else otherwise

    def _count(self) -> None:
        """Move the loop's event counts into the network's totals."""
        totals = self.net._event_counts
        for name, value in zip(self.counter_names, self.events.tolist(), strict=True):
            totals[name] = totals.get(name, 0) + value
        self.events[:] = 0

    def refresh_constants(self, component, constants) -> None:
        """Rewrite the kernel parameter vector of ``component`` (a population or a
        projection's rule) in place with ``constants``: the loop reads the same array,
        so nothing is rebuilt or recompiled."""
        target = self._constants[id(component)]
        values = np.ascontiguousarray(constants, dtype=float)
        if values.shape != target.shape:
            raise ValueError(
                f"{component!r}: the new parameters give a kernel parameter vector of "
                f"{values.size} values instead of {target.size}; make a new component instead"
            )
        target[:] = values

    def refresh_tables(self, population, A, B) -> None:
        """Pass new auxiliary tables ``A``, ``B`` of ``population`` (a spike source)
        to the loop from its next call on: arrays of the same types, so nothing is
        recompiled."""
        k = self._tables[id(population)]
        for name, value, dtype in ((f"A{k}", A, float), (f"B{k}", B, np.int64)):
            self.args[self.names.index(name)] = np.ascontiguousarray(value, dtype=dtype)

    def _flush(self, start: int, stop: int) -> None:
        for m, mon in enumerate(self.net.monitors):
            if self.control[m, 0]:
                mon.flush(self.buffers[m], int(self.control[m, 2]), start, stop)


def chunk_steps(monitors) -> int:
    """Steps per compiled call: :data:`CHUNK_STEPS`, fewer when the monitors' buffers
    for that many steps would exceed :data:`BUFFER_BYTES`."""
    per_step = 0
    for mon in monitors:
        per_step += mon.bytes_per_step
    if per_step == 0:
        return CHUNK_STEPS
    return int(max(1, min(CHUNK_STEPS, BUFFER_BYTES // per_step)))


def _non_finite(population: str, t: float) -> SimulationError:
    return SimulationError(
        f"the state of population {population!r} became NaN or infinite at t = {t:.4g} ms; "
        "the run stopped there (recorded data up to that step are kept). Check the "
        "parameters, inputs and the time step."
    )
