"""Approximate fast-forward: crossing hours of ongoing activity by ignoring it.

:func:`neurosim.engine.fastforward.advance` is exact, and therefore refuses a period
in which anything comes in: a network kept alive by Poisson background input can
only be stepped. Consolidation experiments need hours of such background between a
learning episode and a recall test; stepping them costs as much as simulating
activity (see the measurement in ``docs/long-time-scales.md``).
:func:`advance_approximate` (``Network.advance(duration, approximate=True)``) is the
explicit, approximate alternative, the "fast-forward mode" of the simulator of
Luboeinski & Tetzlaff :cite:p:`luboeinski2021`: the spiking dynamics are not computed
for the period, and the slow plastic state evolves by its own quiet dynamics as if
no neuron fired.

What it does, in order, over ``n`` steps from step ``n0``:

1. **Refuses scheduled inputs** other than Poisson sources (a listed spike of a spike
   generator, a current input that switches, an operation that is due): these would
   be silently lost, so :class:`~neurosim.errors.QuiescenceError` names the first one
   and nothing is changed. Poisson sources (the background) are ignored: no spike is
   drawn for the period and their random streams do not advance.
2. **Brings plastic state to the present** (:meth:`~neurosim.projection.Projection.synchronize`)
   and **resets the activity traces** a rule declares in ``activity_vars`` (e.g. the
   calcium of a calcium-based rule) to zero, as if the network had been silent long
   enough for them to decay.
3. **Resets the neurons** of every population that is not a spike source to the
   model's initial values (membrane potential at rest, synaptic currents or
   conductances zero), keeping the step of each neuron's last spike; models with an
   exact quiet solution of their own (a neuromodulator) are advanced by it instead.
4. **Drops what is in flight**: spikes on their way along delays, pending events of
   rules, the spike history of delay groups (every buffer of
   :attr:`~neurosim.network.Network.buffers` but the current inputs' progress).
5. **Advances the plastic state** from ``n0`` to ``n0 + n`` through every plastic
   projection's (not frozen: ``proj.plastic = False`` keeps its state as it is) :meth:`~neurosim.synapses.SynapseModel.advance_quiet` hook (a no-op
   for event-driven rules, whose lazily updated state their exact solution brings
   forward at the next event or ``synchronize``), and moves the step counter; monitors
   record nothing and note the gap (:attr:`~neurosim.monitors.Monitor.gaps`).

The result is the state of the network at ``n0 + n`` had every neuron been silent
from ``n0`` on; the spikes the background would have caused, and the plasticity
they would have driven, are ignored. Event counters do not count the period.
"""

from __future__ import annotations

from neurosim import quiet
from neurosim.errors import QuiescenceError
from neurosim.inputs import PoissonSource


def refuse_scheduled(net, n_steps: int) -> None:
    """Raise :class:`QuiescenceError` naming the first input other than a Poisson
    source that acts within the next ``n_steps`` steps (see :mod:`neurosim.quiet`)."""
    poisson = {p.name for p in net.populations.values() if isinstance(p.model, PoissonSource)}
    acts = quiet.input_intervals(net, net.step, net.step + n_steps)
    scheduled = [act for act in acts if act.population not in poisson]
    if scheduled:
        act = scheduled[0]
        t = act.start * net.dt
        raise QuiescenceError(
            f"input {act.what} on {act.population!r} at t = {t:.6g} ms is scheduled inside "
            f"the period [{net.t:.6g}, {(net.step + n_steps) * net.dt:.6g}) ms that the "
            "approximate advance would skip; nothing was changed",
            act.population,
            None,
            t,
        )


def _reset_activity(proj) -> None:
    """Zero the rows of ``proj``'s rule named in its ``activity_vars``."""
    rule = proj.synapse
    for name in getattr(rule, "activity_vars", ()):
        for names, S in (
            (rule.synapse_vars, proj.S_syn),
            (rule.pre_vars, proj.S_pre),
            (rule.post_vars, proj.S_post),
        ):
            rows = [k for k, (var, _) in enumerate(names) if var == name]
            for k in rows:
                S[k] = 0.0


def _reset_neurons(pop) -> None:
    """Set every state row of ``pop`` but the last spike to the model's initial value."""
    model = pop.model
    rest = model.initial_state(pop.n)
    keep = model.state_index(model.LAST_SPIKE) if model.LAST_SPIKE in dict(model.state_vars) else -1
    for k in range(rest.shape[0]):
        if k != keep:
            pop.S[k] = rest[k]


def advance_approximate(net, engine, n_steps: int) -> None:
    """Cross ``n_steps`` steps of ``net`` ignoring all spiking activity (see module
    docstring); ``engine`` is the network's built engine. Raises
    :class:`~neurosim.errors.QuiescenceError`, having changed nothing, when an input
    other than a Poisson source is scheduled inside the period."""
    from neurosim.engine.fastforward import jump, quiet_models

    refuse_scheduled(net, n_steps)
    pops, _ = quiet_models(net)
    plastic = [p for p in net.projections.values() if p.synapse is not None and p.plastic]
    for proj in plastic:
        proj.synchronize()
        _reset_activity(proj)
    for pop in net.populations.values():
        if not pop.model.is_source and pop not in pops:
            _reset_neurons(pop)
    for name, array in net.buffers.items():
        if not name.startswith("current_"):
            array[...] = 0
    jump(net, pops, plastic, net.step + n_steps)
