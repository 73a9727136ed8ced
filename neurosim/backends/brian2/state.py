"""State copied between neurosim's arrays and the Brian2 objects around every run.

Neuron populations
    Before each run every Brian2 variable is set from the population's state matrix
    ``pop.S`` and its per-neuron plasticity rows ``pop.neuron_rows`` (``last_spike_step`` as ``lastspike = step dt``,
    :data:`~neurosim.neurons.base.NEVER` as Brian2's "never", -10⁴ s); after the run the
    final state is copied back (``lastspike`` rounded to steps), and a source brings its
    own state to the end of the run (``model.brian2_state``).
Projections
    ``w_syn`` from ``proj.weight`` before each run, copied back after it.
Plastic projections
    Before each run the rule state is set from the projection (after
    ``proj.synchronize()`` for rules whose state is current only as of each synapse's
    last event) and the weights from ``proj.weight`` (unless the weight is an
    expression of the state, as Graupner–Brunel's ``w(rho)``); after the run it is
    copied back, ``proj.weight`` included, as the rule's
    :class:`~neurosim.backends.spec.Brian2RuleSpec` says: ``synapse_state`` rows,
    ``lastupdate`` (else a ``last_step`` row set to the present step: clock-driven state
    is always current), ``pre_traces``/``post_traces`` and ``pre_state``/``post_state``.
    STDP keeps traces per presynaptic element of the rule (a neuron, or a (neuron,
    delay) pair in a projection with several delays: ``proj.rule_pre``) and per
    postsynaptic neuron, Brian2 per synapse; the traces of all synapses of one element
    jump at the same steps, so the two are equal. Traces are brought to the present step when copied (both ways); per-neuron
    values are read back from each neuron's first synapse.
"""

from __future__ import annotations

import numpy as np

from neurosim.backends.brian2.synapses import WEIGHT
from neurosim.errors import SimulationError
from neurosim.neurons.base import NEVER, NeuronModel
from neurosim.synapses.base import SynapseModel

#: Brian2's ``lastspike`` of a neuron that never fired (its own initial value), in s.
LAST_UPDATE = SynapseModel.LAST_UPDATE
BRIAN2_NEVER = -1e4


def steps_of_lastspike(lastspike: np.ndarray, dt_s: float) -> np.ndarray:
    """neurosim's ``last_spike_step`` of Brian2's ``lastspike`` (s)."""
    steps = np.rint(lastspike / dt_s)
    return np.where(lastspike <= BRIAN2_NEVER, NEVER, steps)


def _rows(rule) -> dict[str, dict[str, int]]:
    """Row of each state variable of ``rule``, per matrix (``syn``, ``pre``, ``post``)."""
    return {
        side: {name: k for k, (name, _) in enumerate(spec)}
        for side, spec in (
            ("syn", rule.synapse_vars),
            ("pre", rule.pre_vars),
            ("post", rule.post_vars),
        )
    }


def _sides(proj):
    """``(side, per-neuron state matrix, neuron of each synapse)`` for both sides."""
    return (("pre", proj.S_pre, proj.rule_pre), ("post", proj.S_post, proj.post))


def state_to_brian2(engine) -> None:
    """Set every Brian2 group and synapse from the network's state."""
    dt_s = engine.dt_s
    for pop in engine.net.populations.values():
        if pop.model.is_source:
            continue
        group = engine.groups[pop.name]
        for row, (var, _) in enumerate(pop.model.state_vars):
            if var == NeuronModel.LAST_SPIKE:
                last = pop.S[row]
                group.lastspike_ = np.where(last <= NEVER, BRIAN2_NEVER, last * dt_s)
            else:
                setattr(group, f"{var}_", pop.S[row])
        for row, var in enumerate(pop.neuron_row_names):
            setattr(group, f"{var}_", pop.neuron_rows[row])
    for proj in engine.net.projections.values():
        if not proj.n_synapses:
            continue
        syn = engine.synapses[proj.name]
        if proj.synapse is not None:
            _rule_state_to_brian2(proj, syn, engine.plastic[proj.name], engine)
        else:
            setattr(syn, f"{WEIGHT}_", proj.weight)


def state_from_brian2(engine, step: int) -> None:
    """Copy the Brian2 state at ``step`` back into the network."""
    net = engine.net
    for pop in net.populations.values():
        model = pop.model
        if model.is_source:
            model.brian2_state(pop.S, pop.n, net.dt, step)
            continue
        group = engine.groups[pop.name]
        for row, (var, _) in enumerate(model.state_vars):
            if var == NeuronModel.LAST_SPIKE:
                pop.S[row] = steps_of_lastspike(group.lastspike_[:], engine.dt_s)
            else:
                pop.S[row] = getattr(group, f"{var}_")[:]
        for row, var in enumerate(pop.neuron_row_names):
            pop.neuron_rows[row] = getattr(group, f"{var}_")[:]
        if not np.all(np.isfinite(pop.S)):
            raise SimulationError(
                f"the state of population {pop.name!r} became NaN or infinite by "
                f"t = {step * net.dt:.4g} ms (Brian2 backend). Check the parameters, "
                "inputs and the time step."
            )
    for proj in net.projections.values():
        if not proj.n_synapses:
            continue
        syn = engine.synapses[proj.name]
        proj.weight[:] = getattr(syn, f"{WEIGHT}_")[:]
        if proj.synapse is not None:
            _rule_state_from_brian2(proj, syn, engine.plastic[proj.name], step, engine.dt_s)


def _rule_state_to_brian2(proj, syn, mapping, engine) -> None:
    """Set the Brian2 synapses from the rule state and weights of ``proj``."""
    spec, rule = mapping.spec, proj.synapse
    step, dt, dt_s = engine.net.step, engine.net.dt, engine.dt_s
    if getattr(rule, "synchronize", None) is not None:
        proj.synchronize()  # state current only as of each synapse's last event
    rows = _rows(rule)
    for var, row in spec.synapse_state.items():
        setattr(syn, f"{mapping.var(var)}_", proj.S_syn[rows["syn"][row]])
    if spec.lastupdate is not None:
        syn.lastupdate_ = proj.S_syn[rows["syn"][spec.lastupdate]] * dt_s
    for side, S, idx in _sides(proj):
        idx = idx.astype(np.int64)
        for var, (row, tau) in getattr(spec, f"{side}_traces").items():
            gap = step - S[rows[side][LAST_UPDATE]]
            value = S[rows[side][row]] * np.exp(-gap * dt / tau)
            setattr(syn, f"{mapping.var(var)}_", value[idx])
            syn.lastupdate_ = step * dt_s  # traces brought to the present
        for var, row in getattr(spec, f"{side}_state").items():
            value = S[rows[side][row]]
            if row.endswith("_step"):
                value = value * dt_s
            setattr(syn, f"{mapping.var(var)}_", value[idx])
    if not mapping.weight_is_expression:
        setattr(syn, f"{WEIGHT}_", proj.weight)


def _rule_state_from_brian2(proj, syn, mapping, step: int, dt_s: float) -> None:
    """Copy the Brian2 synapses' state back into the rule state of ``proj``."""
    spec = mapping.spec
    rows = _rows(proj.synapse)
    for var, row in spec.synapse_state.items():
        proj.S_syn[rows["syn"][row]] = getattr(syn, f"{mapping.var(var)}_")[:]
    if spec.lastupdate is not None:
        last = np.rint(syn.lastupdate_[:] / dt_s)
        proj.S_syn[rows["syn"][spec.lastupdate]] = last
    elif LAST_UPDATE in rows["syn"]:
        proj.S_syn[rows["syn"][LAST_UPDATE]] = step  # clock-driven: state is current
    for side, S, idx in _sides(proj):
        # per-element state from each element's first synapse (all of them agree)
        neurons, first = np.unique(idx, return_index=True)
        for var, (row, tau) in getattr(spec, f"{side}_traces").items():
            value = getattr(syn, f"{mapping.var(var)}_")[:][first]
            age = step * dt_s - syn.lastupdate_[:][first]
            S[rows[side][row], neurons] = value * np.exp(-age / (tau * 1e-3))
            S[rows[side][LAST_UPDATE], neurons] = step
        for var, row in getattr(spec, f"{side}_state").items():
            value = getattr(syn, f"{mapping.var(var)}_")[:][first]
            if row.endswith("_step"):
                value = np.rint(value / dt_s)
            S[rows[side][row], neurons] = value
