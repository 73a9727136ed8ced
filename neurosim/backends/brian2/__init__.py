"""The Brian2 reference backend: the same network built and run by Brian2.

``Network(backend="brian2")`` hands its description to :class:`Brian2Engine`, which
builds it in Brian2's runtime mode (Cython code generation, falling back to NumPy only
if Cython cannot compile) and runs it, so that every neurosim model can be checked
against an independent simulator. Brian2 is imported only by this package, which
:class:`~neurosim.network.Network` imports only when it runs with this backend.

Models describe themselves through ``brian2_model()``
(:mod:`neurosim.backends.spec`); each module here maps one kind of component and says
how:

- :mod:`~neurosim.backends.brian2.engine`: clock, run in pieces, current inputs,
  continuing runs;
- :mod:`~neurosim.backends.brian2.neurons`: neuron populations and spike sources;
- :mod:`~neurosim.backends.brian2.equations`: exact exponential decays, renames;
- :mod:`~neurosim.backends.brian2.synapses`: static and plastic projections, delays;
- :mod:`~neurosim.backends.brian2.state`: state copied in and out around every run;
- :mod:`~neurosim.backends.brian2.monitors`: monitors.

Limits
------
- Random numbers come from Brian2's generator, seeded with ``brian2.seed(network.seed)``
  when the engine is built (this also seeds NumPy's global generator, which Brian2's
  runtime draws from), not from neurosim's xoshiro streams: networks with Poisson
  sources agree only statistically, and interleaving other draws from NumPy's global
  generator changes the Brian2 run.
  Connectivity, weights, delays and initial values are neurosim's, so they are equal.
- Spikes in transit in the numba engine's ring buffers, or in an earlier Brian2 engine
  of the same network (before a structural change), are not carried over.
- Event counters (:meth:`Network.counters`) are kept by the numba engine only.
- Plastic projections agree exactly with the numba engine for event-driven rules
  (STDP, Tsodyks–Markram: the same closed forms at the same events); clock-driven
  rules differ by the integration schemes (Euler–Maruyama of the full Graupner–Brunel
  equation vs neurosim's event-driven scheme; Euler vs neurosim's split for
  Shouval's calcium and weight), quantified in ``tests/synapses/test_brian2_rules.py``.
  Graupner–Brunel's ``w_syn`` is ``w(rho)`` at every step (transmission and weight
  monitors), whereas neurosim updates ``proj.weight`` at the synapse's calcium events
  only; traces of neurons without synapses in the projection are not kept.
- A plastic projection that reads a modulator (``connect(..., modulator=...)``) runs
  only if its rule describes itself reading it (``SynapseModel.brian2_modulated``):
  the rule's synapses then keep their own copy of the modulator, fed by the same
  static releases (``Brian2RuleSpec.releases``, see
  :func:`~neurosim.backends.brian2.synapses.release_synapses`); other such projections
  are refused. Modulators themselves and per-neuron plasticity rows are supported.
- Brian2's runtime mode runs Python per time step and object: it is the reference,
  not a fast path.
"""

from neurosim.backends.brian2.engine import Brian2Engine

__all__ = ["Brian2Engine"]
