r"""A rule for tests only: eligibility x modulator closed exactly at modulator events.

Per synapse, an eligibility trace :math:`e` (jumps by 1 at each presynaptic event,
decays with ``tau_e``) and the modulator concentration :math:`m` seen at the synapse's
last update (decays with ``tau_m``, baseline 0, instant rise, until the next release).
The weight integrates

.. math:: \frac{dw}{dt} = e(t)\, m(t),

closed exactly between updates: over a gap :math:`T` from values :math:`e_0, m_0`,
:math:`\Delta w = e_0 m_0 \tau (1 - e^{-T/\tau})` with
:math:`1/\tau = 1/\tau_e + 1/\tau_m`. A synapse is updated at its presynaptic events
and, for every synapse, by ``on_modulator`` when a release changes :math:`m`, so that
between updates :math:`m` is one exponential. The kernels also record what they read:
``m_seen`` and ``v_seen`` (the modulator's ``c`` and the postsynaptic ``v`` at the last
presynaptic event), ``m_before`` (the modulator before the last release), and add 1 to
the per-neuron row ``protein`` of the postsynaptic neuron at each presynaptic event.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from neurosim.backends.spec import Brian2RuleSpec
from neurosim.kernels.jit import kernel
from neurosim.neurons.modulator import at
from neurosim.params import ParameterSet, pack, parameter
from neurosim.synapses.base import SynapseModel

DT, TAU_E, TAU_M, PROBE_SIZE = range(4)
E, M_LAST, LAST, M_SEEN, V_SEEN, M_BEFORE = range(6)


@dataclass(frozen=True)
class ProbeParams(ParameterSet):
    """Parameters of the test rule."""

    tau_e: float = parameter(20.0, "time", low=0.0, low_open=True, doc="eligibility decay")
    tau_m: float = parameter(50.0, "time", low=0.0, low_open=True, doc="modulator decay")


@kernel
def _bring(w, Ssyn, P, s, n):
    """Close the integral of ``e m`` of synapse ``s`` up to step ``n``."""
    gap = (n - Ssyn[LAST, s]) * P[DT]
    tau = 1.0 / (1.0 / P[TAU_E] + 1.0 / P[TAU_M])
    w[s] += Ssyn[E, s] * Ssyn[M_LAST, s] * tau * (1.0 - math.exp(-gap / tau))
    Ssyn[E, s] *= math.exp(-gap / P[TAU_E])
    Ssyn[M_LAST, s] *= math.exp(-gap / P[TAU_M])
    Ssyn[LAST, s] = n


@kernel
def probe_on_pre(indptr, post, w, Ssyn, Spre, Spost, P, spikes, count, n, target, R, X, M, Q, q):
    touched = 0
    for k in range(count):
        i = spikes[k]
        for s in range(indptr[i], indptr[i + 1]):
            j = post[s]
            _bring(w, Ssyn, P, s, n)
            Ssyn[E, s] += 1.0
            Ssyn[M_SEEN, s] = at(M, 0, j)
            Ssyn[V_SEEN, s] = X[0, j]
            Q[q[0], j] += 1.0
        touched += indptr[i + 1] - indptr[i]
    return touched


@kernel
def probe_on_post(ptr, syn, pre, w, Ssyn, Spre, Spost, P, spikes, count, n, R, X, M, Q, q):
    return 0


@kernel
def probe_on_modulator(indptr, post, w, Ssyn, Spre, Spost, P, n, R, X, M, Q, q, M_before):
    for s in range(w.shape[0]):
        j = post[s]
        _bring(w, Ssyn, P, s, n)
        Ssyn[M_BEFORE, s] = at(M_before, 0, j)
        Ssyn[M_LAST, s] = at(M, 0, j)
    return w.shape[0]


class EligibilityProbe(SynapseModel):
    """Test rule: eligibility x modulator (see :mod:`tests.synapses.modulated_rule`)."""

    name = "eligibility_probe"
    Params = ProbeParams
    synapse_vars = (
        ("e", "1"),
        ("m_last", "1"),
        (SynapseModel.LAST_UPDATE, "1"),
        ("m_seen", "1"),
        ("v_seen", "1"),
        ("m_before", "1"),
    )
    neuron_vars = (("protein", "1"),)
    on_pre = probe_on_pre
    on_post = probe_on_post
    on_modulator = probe_on_modulator

    def constants(self, dt):
        p = self.params
        return pack(PROBE_SIZE, {DT: dt, TAU_E: p.tau_e, TAU_M: p.tau_m})

    def brian2_model(self):
        """Only the per-neuron row: ``protein_post += 1`` at presynaptic events (the
        Brian2 backend does not pass modulators to rules)."""
        return Brian2RuleSpec(model="w : 1", on_pre="protein_post += 1", namespace={})

    def initial_state(self, n_syn, n_pre, n_post, weight):
        S = np.zeros((len(self.synapse_vars), n_syn))
        return S, np.zeros((0, n_pre)), np.zeros((0, n_post))
