"""Fast-forward: crossing periods without input in a time independent of their length.

:func:`advance` crosses ``n`` steps in which nothing comes in from outside:

1. **Inputs** (:mod:`neurosim.quiet`): if any input acts inside the period (a Poisson
   source with a non-zero rate or a new rate segment, a listed spike, a current that
   switches), :class:`~neurosim.errors.QuiescenceError` names it before anything runs.
2. **Drain**: the normal compiled loop steps the network, in chunks of doubling
   length (up to :data:`CHUNK` steps), until nothing is in flight (ring buffers and
   event queues empty, so that every delay and rule lag has passed) and every array
   of the loop stays unchanged, bit for bit, over one step and over at least
   :data:`SETTLE_MS` (longer than a refractory period, in which a state stands still
   before a spike): the populations' state and random streams, the rules' state, the
   input pointers. Populations whose model
   solves its quiet dynamics (:meth:`~neurosim.neurons.NeuronModel.advance_quiet`
   answers True) and clock-driven rules that override
   :meth:`~neurosim.synapses.SynapseModel.advance_quiet` are left out of this test.
   If the network has not settled after :data:`DRAIN_MS` of biological time, it is
   accepted when the largest change of one step, relative to the largest magnitude of
   its state variable (row), is below :data:`SETTLE_RTOL` (forward Euler can end in a two-cycle in
   the last bit), and refused otherwise.
3. **Jump**: the remaining steps are skipped. Settled populations and event-driven
   rules are unchanged (stepping would not change them either: the jump is then
   bit-identical to stepping, since lazy rule state is current only as of each
   synapse's last event and is brought forward exactly when next touched);
   populations with a quiet solution and overriding clock-driven rules are advanced
   by their hooks; the step counter moves to the end. Monitors record nothing inside
   the jump and note it (:attr:`~neurosim.monitors.Monitor.gaps`).

A spike during the drain (a neuron that relaxes to a fixed point above threshold, or
fires under a constant current) or a state that does not settle makes :func:`advance`
restore every array the loop writes, the step, the event counters and the monitors'
records to what they were, and raise :class:`~neurosim.errors.QuiescenceError` naming
the population, the neuron and the time.

:func:`run` is ``Network.run(duration, fast_forward=True)``: it steps where inputs act
and hands every quiet stretch of at least :data:`MIN_JUMP_MS` to :func:`advance`,
stepping it instead where that is refused.
"""

from __future__ import annotations

import numpy as np

from neurosim import quiet
from neurosim.errors import QuiescenceError

#: Longest drain (ms of biological time) before the tolerance test decides.
DRAIN_MS = 20_000.0
#: Largest relative change per step of an unsettled array accepted after the drain.
SETTLE_RTOL = 1e-12
#: The state must stay unchanged, bit for bit, over this long (ms) to count as settled:
#: longer than any refractory period, during which a neuron's state is constant although
#: it may fire when the period ends.
SETTLE_MS = 100.0
#: Longest chunk of the drain (steps) between two tests that the network settled.
CHUNK = 4096
#: ``run(..., fast_forward=True)`` jumps quiet stretches at least this long (ms).
MIN_JUMP_MS = 1000.0


class _Saved:
    """Copies of what a drain may change (every ndarray argument of the loop but the
    monitors' buffers, which are emptied after each chunk; the step, the event counters,
    the monitors' records), to restore on refusal."""

    def __init__(self, net, engine):
        self.net = net
        scratch = {id(buf) for bufs in engine.buffers for buf in bufs}
        self.arrays = [
            (a, a.copy()) for a in engine.args if isinstance(a, np.ndarray) and id(a) not in scratch
        ]
        self.step = net.step
        self.counts = dict(net._event_counts)
        self.records = [mon.entries() for mon in net.monitors]

    def restore(self) -> None:
        net = self.net
        for array, copy in self.arrays:
            array[...] = copy
        net.step = self.step
        net._event_counts.clear()
        net._event_counts.update(self.counts)
        for mon, entries in zip(net.monitors, self.records, strict=True):
            mon.rollback(entries)


def quiet_models(net) -> tuple[list, list]:
    """Populations whose model solves its quiet dynamics, and projections whose
    clock-driven rule overrides ``advance_quiet``."""
    from neurosim.synapses.base import SynapseModel

    pops = []
    for pop in net.populations.values():
        P = pop.model.constants(net.dt)
        if pop.model.advance_quiet(pop.S.copy(), P, net.dt, 0):
            pops.append(pop)
    rules = [
        proj
        for proj in net.projections.values()
        if proj.synapse is not None
        and proj.synapse.clock_driven
        and type(proj.synapse).advance_quiet is not SynapseModel.advance_quiet
    ]
    return pops, rules


def _watched(net, engine, pops, rules) -> list[tuple[str, np.ndarray]]:
    """(name, array) of the loop's arguments that must stop changing: all but the
    monitors' buffers and control rows, the event counters, the fast-path flags (which
    depend on the length of a run), the spike lists, and the state of what the hooks
    advance."""
    skip = {id(engine.control), id(engine.events), id(engine.status)}
    skip |= {id(flag) for flag in engine.flags}
    skip |= {id(buf) for bufs in engine.buffers for buf in bufs}
    skip |= {id(pop.S) for pop in pops}
    skip |= {id(engine.args[engine.names.index(f"K{k}")]) for k in range(len(net.populations))}
    for proj in rules:
        skip |= {id(proj.weight), id(proj.S_syn), id(proj.S_pre), id(proj.S_post)}
    return [
        (name, a)
        for name, a in zip(engine.names, engine.args, strict=True)
        if isinstance(a, np.ndarray) and id(a) not in skip
    ]


def _spikes(net) -> int:
    return sum(v for k, v in net._event_counts.items() if k.startswith("spikes/"))


def _change(watched, before) -> float:
    """Largest change of one step relative to the largest magnitude in its row (a state
    variable; 0 when nothing changed bit for bit)."""
    worst = 0.0
    for (_, a), b in zip(watched, before, strict=True):
        if not np.array_equal(a, b):
            if a.dtype.kind != "f":
                return np.inf
            rows, old = np.atleast_2d(a), np.atleast_2d(b)
            scale = np.maximum(np.max(np.abs(old), axis=-1), np.finfo(float).tiny)
            worst = max(worst, float(np.max(np.max(np.abs(rows - old), axis=-1) / scale)))
    return worst


def _drain(net, engine, watched, end: int) -> tuple[bool, int | None]:
    """Step until settled (see module docstring) or ``end``. Returns (settled, the
    first step of the chunk in which a spike happened, or None)."""
    limit = net.step + int(np.ceil(DRAIN_MS / net.dt))
    window = int(np.ceil(SETTLE_MS / net.dt))
    chunk, anchor, since = 1, None, 0
    while net.step < end:
        start, spikes = net.step, _spikes(net)
        if chunk > 1:
            engine.run(min(chunk - 1, end - net.step), False)
        change = np.inf
        if net.step < end:
            before = [a.copy() for _, a in watched]
            engine.run(1, False)
            change = _change(watched, before)
        if _spikes(net) > spikes:
            return False, start
        if change > 0.0 or net.buffers.in_flight():
            anchor = None
        elif anchor is None or _change(watched, anchor) > 0.0:
            anchor, since = before, net.step
        elif net.step - since >= window:
            return True, None
        if net.step >= limit and net.step < end:
            return change < SETTLE_RTOL and not net.buffers.in_flight(), None
        chunk = min(2 * chunk, CHUNK)
    return True, None


def _first_spike(net, engine, saved: _Saved, chunk_start: int) -> QuiescenceError:
    """Replay from the saved state to the step of the first spike after
    ``chunk_start`` and describe it (the caller restores the state)."""
    saved.restore()
    if chunk_start > net.step:
        engine.run(chunk_start - net.step, False)
    names = list(net.populations)
    for _ in range(CHUNK + 1):
        before = dict(net._event_counts)
        engine.run(1, False)
        for k, name in enumerate(names):
            key = f"spikes/{name}"
            if net._event_counts.get(key, 0) > before.get(key, 0):
                neuron = int(engine.args[engine.names.index(f"K{k}")][0])
                t = (net.step - 1) * net.dt
                return QuiescenceError(
                    f"population {name!r}, neuron {neuron}, would fire at t = {t:.6g} ms, "
                    f"inside the quiet period from {saved.step * net.dt:.6g} ms; nothing "
                    "was changed",
                    name,
                    neuron,
                    t,
                )
    raise AssertionError("a spike seen in a drain did not recur when replayed")


def jump(net, pops, rules, stop: int) -> None:
    """Skip from the present step to ``stop`` (see module docstring, step 3): advance
    ``pops`` and the rules of the projections ``rules`` by their quiet hooks, note the
    gap in active monitors, move the step (also the last step of
    :func:`neurosim.engine.approximate.advance_approximate`)."""
    start, dt = net.step, net.dt
    for pop in pops:
        pop.model.advance_quiet(pop.S, pop.model.constants(dt), dt, stop - start)
    for proj in rules:
        rule = proj.synapse
        args = (proj.weight, proj.S_syn, proj.S_pre, proj.S_post, proj.rule_constants())
        post = proj.post_population
        tail = (post.S, proj.modulator_state(), post.neuron_rows, proj.row_index)
        rule.advance_quiet(*args, start, stop, proj.rng_state, *tail)
    for mon in net.monitors:
        if mon.active:
            mon.add_gap(start, stop)
    net.step = stop


def refuse_inputs(net, n_steps: int) -> None:
    """Raise :class:`QuiescenceError` naming the first input that acts within the next
    ``n_steps`` steps (see :mod:`neurosim.quiet`)."""
    act = quiet.first_input(net, net.step, net.step + n_steps)
    if act is not None:
        t = act.start * net.dt
        raise QuiescenceError(
            f"input {act.what} on population {act.population!r} at t = {t:.6g} ms, inside "
            f"the quiet period [{net.t:.6g}, {(net.step + n_steps) * net.dt:.6g}) ms; "
            "nothing was changed",
            act.population,
            None,
            t,
        )


def advance(net, engine, n_steps: int) -> None:
    """Cross ``n_steps`` quiet steps of ``net`` (compiled by ``engine``): drain by
    stepping, then jump (see module docstring). Raises
    :class:`~neurosim.errors.QuiescenceError`, having changed nothing, when an input
    acts, a neuron fires or the state does not settle within the period."""
    refuse_inputs(net, n_steps)
    end = net.step + n_steps
    pops, rules = quiet_models(net)
    watched = _watched(net, engine, pops, rules)
    saved = _Saved(net, engine)
    try:
        settled, spike_chunk = _drain(net, engine, watched, end)
        if spike_chunk is not None:
            raise _first_spike(net, engine, saved, spike_chunk)
    except BaseException:
        saved.restore()
        raise
    if not settled:
        saved.restore()
        raise QuiescenceError(
            f"the network did not settle within {DRAIN_MS:g} ms after t = {saved.step * net.dt:.6g} "
            f"ms (a state still changes by more than {SETTLE_RTOL:g} relative per step); "
            "nothing was changed",
            "",
            None,
            saved.step * net.dt,
        )
    if net.step < end:
        jump(net, pops, rules, end)


def run(net, engine, n_steps: int, progress: bool) -> None:
    """Advance ``net`` by ``n_steps`` steps, stepping where inputs act and handing
    quiet stretches of at least :data:`MIN_JUMP_MS` to :func:`advance`.

    Where :func:`advance` refuses (the network still echoes the last input, or a
    neuron keeps firing without input), the stretch is stepped up to the refused
    spike, and further by a span that starts at :data:`MIN_JUMP_MS` and doubles with
    each refusal in a row, before the next try: stepping at most about twice what a
    plain run steps while something fires, and trying again ``log2`` times per
    stretch, not once per spike."""
    end = net.step + n_steps
    shortest = int(np.ceil(MIN_JUMP_MS / net.dt))
    for a, b in quiet.busy(net, net.step, end) + [(end, end)]:
        span = shortest
        while a - net.step >= shortest:
            try:
                advance(net, engine, a - net.step)
            except QuiescenceError as refusal:
                spike = int(round(refusal.t / net.dt)) + 1
                engine.run(min(a, max(spike, net.step) + span) - net.step, progress)
                span *= 2
        if b > net.step:
            engine.run(b - net.step, progress)
