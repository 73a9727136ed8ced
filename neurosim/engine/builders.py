"""Builders of the generated loop for populations, delays, current inputs and monitors.

Each builder adds its components' arguments and lines to the sections of the step (see
:mod:`neurosim.engine.loop`) through a :class:`~neurosim.engine.context.LoopContext`.
Projections and their plasticity rules are built by :mod:`neurosim.engine.projections`.
"""

from __future__ import annotations

import numpy as np

from neurosim.engine.context import LoopContext
from neurosim.kernels.delivery import all_zero


def build_populations(ctx: LoopContext) -> None:
    """``update``: every population advances to ``t_{n+1}`` and lists the neurons that
    fired; a negative count (state no longer finite) stops the loop at step ``n``.

    A population whose model reads its current through
    :func:`~neurosim.neurons.base.current` and that no current input feeds gets its
    ``I`` as ``I[:Z[0]]``: ``Z[0]`` is ``n`` (the whole current) unless the engine,
    looking before a chunk, finds the current +0.0 everywhere and sets it to 0
    (``ctx.looks``; see ``NumbaEngine.note_arrays``)."""
    fed = {pop.name for pop, _, _ in ctx.network.currents}
    for pop in ctx.populations:
        k = ctx.index(pop)
        A, B = pop.model.aux(pop.n, ctx.dt)
        spikes, count = ctx.spikes(pop)
        args = [
            ctx.arg(ctx.state(pop), pop.S),
            ctx.arg(f"P{k}", np.ascontiguousarray(pop.model.constants(ctx.dt), dtype=float)),
            ctx.arg(f"A{k}", np.ascontiguousarray(A, dtype=float)),
            ctx.arg(f"B{k}", np.ascontiguousarray(B, dtype=np.int64)),
            ctx.arg(f"R{k}", pop.rng_state),
            _current_argument(ctx, pop, pop.name in fed),
            "n",
            ctx.arg(spikes, np.zeros(pop.n, dtype=np.int64)),
        ]
        step = ctx.function(pop.model.step, f"step{k}")
        ctx.add(
            "update",
            f"{count} = {step}({', '.join(args)})",
            f"if {count} < 0:",
            f"    status[0] = 1; status[1] = {k}; status[2] = n",
            "    return n",
            f"{ctx.counter(f'spikes/{pop.name}')} += {count}",
        )


def _current_argument(ctx: LoopContext, pop, fed: bool) -> str:
    """Pass ``pop.I`` to the loop; return how the update reads it: whole, or as
    ``I[:Z[0]]`` (see :func:`build_populations`)."""
    current = ctx.arg(ctx.current(pop), pop.I)
    if fed or not pop.model.zero_current_as_empty:
        return current
    length = np.array([pop.n], dtype=np.int64)
    ctx.looks.append((pop.I, length, all_zero, 0, pop.n))
    return f"{current}[:{ctx.arg(f'Z{ctx.index(pop)}', length)}[0]]"


def build_delays(ctx: LoopContext) -> None:
    """``arrive``: what static projections with delays longer than one step sent for
    step ``n`` is added to its target, from one ring buffer per (population, receptor
    row), kept in ``network.buffers`` so that spikes in flight survive a rebuild."""
    depths: dict[tuple[str, int], int] = {}
    for proj in ctx.projections:
        if proj.synapse is None and proj.max_delay_steps > 1:
            key = (proj.post_population.name, proj.target_row)
            depths[key] = max(depths.get(key, 1), proj.max_delay_steps)
    net = ctx.network
    for r, ((name, row), depth) in enumerate(depths.items()):
        pop = net.populations[name]
        ring = net.buffers.ring(f"ring/{name}/{row}", depth, pop.n, net.step)
        ctx.rings[(name, row)] = ctx.arg(f"ring{r}", ring)
        ctx.add("arrive", f"K.deliver({ctx.rings[(name, row)]}, n, {ctx.state(pop)}[{row}])")


def build_currents(ctx: LoopContext) -> None:
    """``inputs``: current inputs whose next segment starts at step ``n`` change their
    targets' ``I``; what each has added so far and its next segment are kept in
    ``network.buffers`` so that a rebuilt engine does not add a current twice."""
    buffers = ctx.network.buffers
    for c, (pop, current, targets) in enumerate(ctx.network.currents):
        steps, amps = current.tables(targets, ctx.dt)
        args = [
            ctx.arg(f"cs{c}", steps),
            ctx.arg(f"ca{c}", amps),
            ctx.arg(f"ct{c}", targets),
            ctx.arg(f"cv{c}", buffers.applied_current(c, targets.size)),
            ctx.arg(f"cp{c}", buffers.current_pointer(c)),
            ctx.current(pop),
            "n",
        ]
        ctx.add("inputs", f"K.apply_currents({', '.join(args)})")


def build_monitors(ctx: LoopContext) -> tuple[np.ndarray, list[tuple[np.ndarray, ...]]]:
    """``guard``, ``sample`` and ``record``: each monitor writes its own lines (see
    :meth:`~neurosim.monitors.Monitor.generate`).

    Returns the control rows ``[active, every, filled]`` of the monitors (an argument
    of the loop) and the buffers of each monitor.
    """
    monitors = ctx.network.monitors
    control = np.zeros((len(monitors), 3), dtype=np.int64)
    control[:, 1] = [mon.every for mon in monitors]
    ctx.arg(ctx.CONTROL, control)
    return control, [mon.generate(ctx, m) for m, mon in enumerate(monitors)]
