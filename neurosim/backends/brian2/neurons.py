"""Neuron populations and spike sources as Brian2 groups.

A neuron population becomes a ``NeuronGroup`` built from the model's
:class:`~neurosim.backends.spec.Brian2NeuronSpec` (``model.brian2_model()``):
``equations``, ``threshold``, ``reset``, ``method`` and ``namespace``;
``refractory = t_ref ms`` when ``t_ref > 0`` (and ``0 ms`` for models with a
``last_spike_step`` row, so that Brian2 keeps ``lastspike``). Pure exponential decays
are integrated exactly (:mod:`~neurosim.backends.brian2.equations`), by an operation in
the slot ``after_groups``. A modulator (:mod:`neurosim.neurons.modulator`) is such a
group without threshold, integrated exactly (``method="exact"``). The per-neuron
plasticity rows that rules declared on a population (``pop.neuron_row_names``) are
parameters of its group (``protein : 1``), which rules' Brian2 code reads and writes as
``protein_post`` and state monitors record.

A spike source describes its own group: ``model.brian2_group(n, dt, start_step, clock,
name)`` (:class:`~neurosim.inputs.PoissonSource` -> ``PoissonGroup``,
:class:`~neurosim.inputs.SpikeGeneratorSource` -> ``SpikeGeneratorGroup``).
"""

from __future__ import annotations

import brian2 as b2

from neurosim.backends.brian2.equations import decay_exactly, exact_decays, with_parameters
from neurosim.neurons.base import NeuronModel


def population_group(pop, dt: float, start_step: int, clock: b2.Clock):
    """The Brian2 group of population ``pop``, named ``population_<name>``."""
    model, name = pop.model, f"population_{pop.name}"
    if model.is_source:
        if not hasattr(model, "brian2_group"):
            raise NotImplementedError(f"source model {model.name!r} has no Brian2 mapping")
        return model.brian2_group(pop.n, dt, start_step, clock, name)
    spec = model.brian2_model()
    namespace = dict(spec.namespace)
    rows = "".join(f"\n{name} : 1" for name in pop.neuron_row_names)
    equations = b2.Equations(spec.equations + rows)
    decays = exact_decays(equations, namespace, spec.method)
    if decays:
        equations = with_parameters(equations, decays)
    kwargs = {}
    if spec.refractory > 0 or NeuronModel.LAST_SPIKE in (v for v, _ in model.state_vars):
        kwargs["refractory"] = float(spec.refractory) * b2.ms
    group = b2.NeuronGroup(
        pop.n,
        equations,
        threshold=spec.threshold,
        reset=spec.reset,
        method=spec.method,
        namespace=namespace,
        clock=clock,
        name=name,
        **kwargs,
    )
    decay_exactly(group, decays, namespace, dt, when="after_groups")
    return group
