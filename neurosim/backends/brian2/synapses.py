r"""Projections as Brian2 ``Synapses``.

Static projections
    ``Synapses(pre, post, "w_syn : 1", on_pre="<target>_post += w_syn")`` connected with
    the projection's CSR arrays (``connect(i=pre, j=post)`` keeps their order, which is
    checked, so synapse ``k`` of Brian2 is synapse ``k`` of neurosim).

    Delay convention: in neurosim a spike emitted in step ``n`` through a synapse of
    ``d >= 1`` steps reaches the target variable as part of the state at
    :math:`t_{n+d}` (after the update of step ``n + d - 1``, including its resets).
    Brian2 delivers a spike of delay ``D`` in the ``synapses`` slot of step
    ``n + D/dt``, after that step's state update, so ``delay = (d - 1) dt``. The
    pathway runs in the slot ``after_resets`` (Brian2's default is before the
    resets): when the target variable is the membrane potential (``izhikevich``) and
    the target neuron fires in the same step, neurosim adds the weight to the reset
    value, and so does this backend.
Plastic projections
    ``Synapses`` built from the rule's :class:`~neurosim.backends.spec.Brian2RuleSpec`
    (``rule.brian2_model()``): ``model`` (the weight ``w`` is renamed ``w_syn``, any
    other synaptic variable whose name the target group also uses gets the suffix
    ``_syn``: Brian2 forbids the clash), ``on_pre`` whose line with ``{target}`` becomes
    ``<receptor variable>_post += ...`` and is dropped for ``receptor=None``
    (plasticity-only projections, also onto ``SpikeGeneratorGroup`` targets),
    ``on_post``, ``namespace``, ``method`` and ``init``. Timing as neurosim's engine:
    every presynaptic pathway has the transmission delay ``(d - 1) dt`` of each
    synapse, plus ``rule.pre_lag_steps(dt)`` steps for the pathways
    listed in ``lagged`` (Graupner–Brunel's presynaptic calcium, ``D`` rounded to
    steps). All pathways run in the slot ``after_resets``, where Brian2 orders
    presynaptic pathways (order -1) before postsynaptic ones (order 1, see
    ``brian2.synapses.synapses.SynapticPathway``): presynaptic events before
    postsynaptic spikes of the same step, as in neurosim. Clock-driven equations are
    integrated in the slot ``end``, after the events of the step and the neuron updates
    (neurosim's ``on_step``, which reads the postsynaptic ``v`` after the update); pure
    exponential decays among them (Graupner–Brunel's calcium) are made exact as for
    neuron groups, by an operation right after the state update. Statements in
    ``regularly`` run after that update (order 2), e.g. clipping a continuously
    integrated weight.
Modulated rules
    A rule that reads its projection's modulator (``brian2_modulated``) gets the
    modulator's model (``rule.brian2_model(modulator=...)``) and keeps a copy of the
    modulator in each synapse; :func:`release_synapses` routes releases to it.
"""

from __future__ import annotations

from dataclasses import dataclass

import brian2 as b2
import numpy as np

from neurosim.backends.brian2.equations import (
    decay_exactly,
    exact_decays,
    rename,
    with_parameters,
)
from neurosim.backends.spec import Brian2RuleSpec

#: Name of the synaptic weight in Brian2 (``w`` is AdEx's adaptation current).
WEIGHT = "w_syn"


@dataclass(frozen=True)
class PlasticMapping:
    """How a plastic projection's Brian2 synapses map to its rule: the rule's
    description, the renamed variables (neurosim name -> Brian2 name) and whether the
    weight is an expression of the rule state (then never set from ``proj.weight``)."""

    spec: Brian2RuleSpec
    names: dict[str, str]
    weight_is_expression: bool

    def var(self, name: str) -> str:
        """The Brian2 name of the rule's variable ``name``."""
        return self.names.get(name, name)


def static_synapses(proj, pre, post, dt: float, clock: b2.Clock) -> b2.Synapses:
    """Brian2 ``Synapses`` of a projection without a rule (see module docstring)."""
    target = proj.post_population.model.receptors[proj.receptor]
    syn = b2.Synapses(
        pre,
        post,
        model=f"{WEIGHT} : 1",
        on_pre=f"{target}_post += {WEIGHT}",
        clock=clock,
        name=f"projection_{proj.name}",
    )
    syn.pre.when = "after_resets"
    if proj.n_synapses:
        _connect(syn, proj)
        syn.delay = (proj.delay_steps - 1) * dt * b2.ms
    return syn


def _connect(syn, proj) -> None:
    syn.connect(i=proj.pre.astype(np.int64), j=proj.post.astype(np.int64))
    if not (np.array_equal(syn.i[:], proj.pre) and np.array_equal(syn.j[:], proj.post)):
        raise RuntimeError(
            f"Brian2 reordered the synapses of projection {proj.name!r}; "
            "synapse indices would not match neurosim's CSR order"
        )


def _pathways(spec: Brian2RuleSpec, target: str | None, names: dict[str, str]):
    """The presynaptic pathways (name -> statements) and postsynaptic statements of
    ``spec``, with ``{target}`` written for the receptor (the line dropped for
    ``target=None``) and the variables renamed; empty pathways left out."""

    def code(text):
        lines = []
        for line in text.splitlines():
            if "{target}" in line:
                if target is None:
                    continue
                line = line.replace("{target}", target)
            lines.append(line.strip())
        text = "\n".join(line for line in lines if line)
        return rename(text, names) if text else None

    on_pre = {"pre": spec.on_pre} if isinstance(spec.on_pre, str) else spec.on_pre
    pathways = {k: c for k, v in on_pre.items() if (c := code(v)) is not None}
    return pathways, code(spec.on_post)


def plastic_synapses(proj, pre, post, dt: float, clock: b2.Clock):
    """Brian2 ``Synapses`` of a projection with a plasticity rule and its
    :class:`PlasticMapping` (see module docstring)."""
    rule = proj.synapse
    if proj.modulator is None:
        spec = rule.brian2_model()
    else:
        spec = rule.brian2_model(modulator=proj.modulator.model)
    equations = b2.Equations(spec.model)
    names = {"w": WEIGHT}
    taken = set(post.variables)
    for name in equations.names:
        if name != "w" and name in taken:
            names[name] = f"{name}_syn"
    target = None
    if proj.receptor is not None:
        target = f"{proj.post_population.model.receptors[proj.receptor]}_post"
    pathways, on_post = _pathways(spec, target, names)
    model = b2.Equations(rename(spec.model, names))
    namespace = dict(spec.namespace)
    method = spec.method
    decays = exact_decays(model, namespace, method) if isinstance(method, str) else {}
    if decays:
        model = with_parameters(model, decays)
    clock_driven = any(
        eq.type == "differential equation" and "event-driven" not in eq.flags
        for eq in model.ordered
    )
    syn = b2.Synapses(
        pre,
        post,
        model=model,
        on_pre=pathways or None,
        on_post=on_post,
        namespace=namespace,
        method=method,
        clock=clock,
        name=f"projection_{proj.name}",
    )
    # pre pathways (order -1) before post pathways (order 1), all after the resets
    for name in [*pathways, *(["post"] if on_post else [])]:
        getattr(syn, name).when = "after_resets"
    if clock_driven:
        syn.state_updater.when = "end"  # after the events of the step (on_step)
    decay_exactly(syn, decays, namespace, dt, when="end", order=1)
    if spec.regularly:
        syn.run_regularly(rename(spec.regularly, names), when="end", order=2)
    mapping = PlasticMapping(spec, names, equations["w"].type == "subexpression")
    if proj.n_synapses:
        _connect(syn, proj)
        d = proj.delay_steps - 1
        lag = rule.pre_lag_steps(dt)
        for name in pathways:
            steps = d + (lag if name in spec.lagged else 0)
            getattr(syn, name).delay = steps * dt * b2.ms
        for var, value in spec.init.items():
            setattr(syn, f"{mapping.var(var)}_", value)
    return syn, mapping


def release_synapses(feed, proj, source, plastic, mapping, dt: float, clock: b2.Clock):
    """Brian2 ``Synapses`` that deliver the releases of the static projection ``feed``
    (into the modulator that the plastic projection ``proj`` reads) to the rule's own
    copy of the modulator in each synapse of ``plastic`` (``Brian2RuleSpec.releases``):
    the release of feed synapse ``i -> m`` reaches every synapse of ``proj`` that reads
    element ``m`` (all of them for a global modulator), with the feed's weight. A
    release of delay ``d`` steps is in the modulator's state at :math:`t_{n+d}`; the
    rule's clock-driven update runs in the slot ``end`` over :math:`[t_n, t_{n+1}]`, so
    the copy jumps in the slot ``after_resets`` of step ``n + d`` (a delay of ``d dt``):
    both see the release at the same time."""
    model = proj.modulator.model
    var = mapping.var(mapping.spec.releases[model.receptors[feed.receptor]])
    syn = b2.Synapses(
        source,
        plastic,
        model="w_release : 1",
        on_pre=f"{var}_post += w_release",
        clock=clock,
        name=f"release_{feed.name}_to_{proj.name}",
    )
    syn.pre.when = "after_resets"
    column = proj.post.astype(np.int64) if proj.modulator.n > 1 else np.zeros(proj.n_synapses, int)
    pairs = [(k, s) for k in range(feed.n_synapses) for s in np.flatnonzero(column == feed.post[k])]
    if pairs:
        k, s = (np.array(x, dtype=np.int64) for x in zip(*pairs, strict=True))
        syn.connect(i=feed.pre[k].astype(np.int64), j=s)
        syn.w_release = feed.weight[k]
        syn.delay = feed.delay_steps[k] * dt * b2.ms
    return syn
