"""The protocol through which the engine knows a synapse model (plasticity rule).

A projection without a rule has static weights. A rule is a class with

- ``Params``: a :class:`~neurosim.params.ParameterSet` (defaults from a cited source);
- ``synapse_vars``, ``pre_vars``, ``post_vars``: ``(name, dimension)`` of the state
  kept per synapse, per presynaptic and per postsynaptic neuron (rows of float64
  matrices ``Ssyn``, ``Spre``, ``Spost``; synapses in the projection's CSR order);
- ``delivers``: True when ``on_pre`` also transmits the spike (the transmitted amount
  can depend on the rule's state, e.g. short-term plasticity); False when transmission
  is the static delivery and ``on_pre`` only updates plasticity state, possibly later
  than transmission by ``pre_lag_steps(dt)`` steps (e.g. the delayed presynaptic
  calcium transient of Graupner & Brunel 2012);
- optionally ``neuron_vars``: ``(name, dimension)`` of per-neuron rows kept with the
  postsynaptic population (``post.neuron_rows``, e.g. plasticity-related protein) and
  shared by name with every other projection onto it that declares the same name;
  recordable with ``network.record_state(post, name)``;
- ``on_pre(indptr, post, w, Ssyn, Spre, Spost, P, spikes, count, n, target, R,
  X, M, Q, q) -> int``: presynaptic events of step ``n`` for the ``count`` neurons in
  ``spikes``; returns the number of synapses touched;
- ``on_post(ptr, syn, pre, w, Ssyn, Spre, Spost, P, spikes, count, n, R, X, M, Q, q)
  -> int``: postsynaptic spikes of step ``n``; ``syn[ptr[j]:ptr[j+1]]`` are the
  synapses onto neuron ``j`` and ``pre[q]`` is the presynaptic neuron of synapse
  ``syn[q]`` (stored in this post-to-synapse order, so that the loop over a neuron's
  afferents reads it without a second indirection);
- optionally, for rules with ``delivers = False`` whose transmitted weight follows
  their state: ``on_transmit`` (same signature as ``on_pre``), called at transmission
  instead of the static delivery; it brings the synapse up to date and transmits;
- only for rules that truly need per-step integration (``clock_driven = True``):
  ``on_step(indptr, post, w, Ssyn, Spre, Spost, P, n, v_post, R, X, M, Q, q) -> int``,
  called every step after the event handlers, with ``v_post`` the postsynaptic
  membrane potential; it should skip synapses with nothing to integrate;
- optionally ``on_modulator(indptr, post, w, Ssyn, Spre, Spost, P, n, R, X, M, Q, q,
  M_before) -> int``: called in step ``n`` (section ``arrive``, before the update)
  when the projection's modulator received a release that is in its state at
  :math:`t_n`, with ``M_before`` its state just before the release(s) and ``M`` after;
  a rule closes there, per synapse, integrals over the modulator's exact trajectory
  since each synapse's last update (e.g. eligibility x dopamine), so that a
  neuromodulator event costs O(synapses) and steps without one cost nothing;
- optionally ``random_state(seed, name)``: the rule's random state ``R`` (default: a
  ``uint64[4]`` xoshiro256** stream, :func:`neurosim.kernels.rng.kernel_state`; a rule
  may ask for a larger one, e.g. with buffered normals and scratch);
- optionally ``synchronize(w, Ssyn, P, n, R, X, M, Q, q)``: bring every synapse to
  step ``n`` (for rules whose state is current only as of each synapse's last event);
- optionally ``activity_vars``: names of rows of ``synapse_vars``, ``pre_vars`` or
  ``post_vars`` that follow spiking activity and vanish in a silent network (e.g.
  calcium); the approximate fast-forward
  (:func:`neurosim.engine.approximate.advance_approximate`) sets them to zero;
- for clock-driven rules, optionally ``advance_quiet(w, Ssyn, Spre, Spost, P, n0, n1,
  R, X, M, Q, q)``: the fast-forward hook (see :meth:`SynapseModel.advance_quiet`).

The trailing arguments are the same for every kernel:

- ``X``: the postsynaptic population's state matrix (its model's ``state_vars`` x
  ``post.n``, float64);
- ``M``: the state matrix of the modulator the projection reads (``connect(...,
  modulator=m)``; rows ``c``, ``r`` of :mod:`neurosim.neurons.modulator`; one column
  for a global signal or one per postsynaptic neuron, see
  :func:`neurosim.neurons.modulator.at`), or zeros of shape ``(2, 1)`` without one;
- ``Q``: the postsynaptic population's per-neuron rows (``post.neuron_rows``, float64,
  one row per declared name x ``post.n``) and ``q``: the row of ``Q`` of each of the
  rule's ``neuron_vars``, in order (int64), so that ``Q[q[0], j]`` is the rule's first
  per-neuron row at postsynaptic neuron ``j``.

Event times: a presynaptic event is handled in step ``n = n_spike + d - 1`` for a
delay of ``d`` steps (the step after which the transmitted input is in the target),
a postsynaptic spike in the step it is emitted, and within a step presynaptic events
come before postsynaptic ones (Brian2's order). Between events, traces and other
state evolve by exact solutions from their last update; no per-synapse work is done in
steps without events.

A rule class registers itself under its ``name`` with the decorator
``@RULES.register``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from neurosim.backends.spec import Brian2RuleSpec
from neurosim.kernels.rng import kernel_state
from neurosim.neurons.base import NeuronModel
from neurosim.params import ParameterSet, Parametrised
from neurosim.registry import Registry

#: The registry of plasticity rules: name -> class.
RULES = Registry("synapses", "synapse model", "rules")


def check_bounds(weight: np.ndarray, rule: str, w_min: float, w_max: float, note: str = ""):
    """Raise ValueError naming ``rule`` and its bounds when a weight lies outside
    ``[w_min, w_max]`` (``note`` explains the bounds)."""
    if weight.size and (weight.min() < w_min or weight.max() > w_max):
        raise ValueError(
            f"{rule}: initial weights must lie in [w_min, w_max] = [{w_min}, {w_max}]"
            f"{note} (assigned ones too), got [{weight.min()}, {weight.max()}]"
        )


class SynapseModel(Parametrised):
    """Base class of plasticity rules (see module docstring)."""

    #: Row (of ``Ssyn``, ``Spre`` or ``Spost``) holding the step of the last update of
    #: an event-driven state; a projection made after the start of a run sets its
    #: synapses' row to the present step.
    LAST_UPDATE: ClassVar[str] = "last_step"
    #: Row (of ``Spre`` or ``Spost``) holding the step of the neuron's last spike
    #: (:data:`~neurosim.neurons.base.NEVER` before the first).
    LAST_SPIKE: ClassVar[str] = NeuronModel.LAST_SPIKE

    name: ClassVar[str]
    Params: ClassVar[type[ParameterSet]]
    synapse_vars: ClassVar[tuple[tuple[str, str], ...]] = ()
    pre_vars: ClassVar[tuple[tuple[str, str], ...]] = ()
    post_vars: ClassVar[tuple[tuple[str, str], ...]] = ()
    neuron_vars: ClassVar[tuple[tuple[str, str], ...]] = ()
    activity_vars: ClassVar[tuple[str, ...]] = ()
    delivers: ClassVar[bool] = True
    clock_driven: ClassVar[bool] = False
    on_transmit: ClassVar[Any] = None
    on_modulator: ClassVar[Any] = None
    on_pre: ClassVar[Any]
    on_post: ClassVar[Any]
    #: Whether ``brian2_model(modulator=...)`` describes the rule reading its
    #: projection's modulator for the Brian2 backend (see ``Brian2RuleSpec.releases``);
    #: the backend refuses other rules that read one.
    brian2_modulated: ClassVar[bool] = False

    def advance_quiet(self, w, Ssyn, Spre, Spost, P, n0: int, n1: int, R, X, M, Q, q) -> None:
        """Fast-forward hook: bring the rule's state from step ``n0`` to ``n1`` through
        steps without any event (no spike before, at or after the synapse), in place;
        ``X, M, Q, q`` are the trailing arguments every kernel gets (see module).

        The default does nothing, which is exact for every event-driven rule: their
        state is current as of each synapse's last event and advanced by its exact
        solution when next touched (or by ``synchronize``), so that steps without
        events change nothing, by construction. A clock-driven rule
        (``clock_driven = True``) whose ``on_step`` never stops changing its state in
        steps without events overrides it with the exact solution of its quiet
        dynamics (or an adaptive solver with a stated tolerance); the engine then
        leaves the rule's arrays out of its test that the network has settled (see
        :func:`neurosim.engine.fastforward.advance`). A rule that keeps the default
        must stop changing under a step before a period is jumped: ``shouval_2002``
        does once every presynaptic neuron has been silent for its active window
        (``on_step`` then skips its synapses, whose weight relaxes lazily and
        exactly), so it needs no override.
        """

    def constants(self, dt: float) -> np.ndarray:
        """Float64 vector ``P`` for the kernels, in the slots its module declares (see
        :func:`neurosim.params.pack`), possibly followed by tables."""
        raise NotImplementedError

    def random_state(self, seed: int, name: str) -> np.ndarray:
        """The random state ``R`` its kernels get (one stream per projection)."""
        return kernel_state(seed, name)

    def pre_lag_steps(self, dt: float) -> int:
        """Extra steps between transmission and the presynaptic plasticity event."""
        return 0

    def initial_state(self, n_syn: int, n_pre: int, n_post: int, weight: np.ndarray):
        """``(Ssyn, Spre, Spost)`` at the start; may also reset ``weight`` in place."""
        return (
            np.zeros((len(self.synapse_vars), n_syn)),
            np.zeros((len(self.pre_vars), n_pre)),
            np.zeros((len(self.post_vars), n_post)),
        )

    def state_assigned(self, var: str, weight: np.ndarray, Ssyn: np.ndarray) -> None:
        """Called after a per-synapse variable was assigned from Python (e.g. to keep
        a weight that is a function of the state consistent)."""

    def bind_modulator(self, P: np.ndarray, modulator, dt: float) -> np.ndarray:
        """Kernel constants ``P`` (from :meth:`constants`) completed with what the rule
        needs of ``modulator``, the model of the modulator population its projection
        reads (e.g. its time constants and baseline, for integrals over its exact
        trajectory). The projection calls it whenever it hands constants to the
        engine (:meth:`~neurosim.projection.Projection.rule_constants`), also after
        the modulator's parameters changed, so the values are never stale. Default:
        ``P`` unchanged."""
        return P

    def attach(self, projection) -> None:
        """Called when a projection with this rule is made (after
        :meth:`initial_state`) and again right after a state variable of the
        modulator it reads was assigned from Python (``modulator.c = ...``; the
        projection was synchronized just before): a rule may check the projection
        (e.g. refuse one without a modulator) or take state from the modulator.
        Default: nothing."""

    def check_target(self, post_model) -> None:
        """Raise ValueError when the rule cannot act on synapses onto ``post_model``."""

    def check_weights(self, weight: np.ndarray) -> None:
        """Raise ValueError when initial weights violate the rule's bounds."""

    def brian2_model(self) -> Brian2RuleSpec:
        """The same rule for the Brian2 reference backend (clock-driven where the rule
        needs it), for cross-checks."""
        raise NotImplementedError
