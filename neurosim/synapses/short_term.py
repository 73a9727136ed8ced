r"""Tsodyks–Markram short-term plasticity (depression and facilitation).

Markram, Wang & Tsodyks 1998 (PNAS 95:5323) in the form of NEST's
``tsodyks2_synapse`` (Fuhrmann et al. 2002, J. Neurophysiol. 87:140). Each synapse has
resources :math:`x` (fraction available, recovers to 1 with ``tau_d``) and utilisation
:math:`u` (decays to 0 with ``tau_f`` between spikes). At a presynaptic spike after a
gap :math:`\Delta`:

.. math::
    x \leftarrow 1 + (x - 1) e^{-\Delta/\tau_d}, \qquad
    u \leftarrow U + u (1 - U) e^{-\Delta/\tau_f}, \qquad
    r = u x, \qquad x \leftarrow x - r,

and the target receives :math:`w r`. The first spike has :math:`u = U`, :math:`r = U`.
``tau_f = 0`` gives pure depression (:math:`u = U`). The release probability ``U`` is
a per-synapse state (``projection.U``) so that a long-term rule can change it.
Defaults: depressing neocortical synapse, U 0.5, tau_d 800 ms, tau_f 0 (Markram et al.
1998); facilitating sets are in ``models/synapses``.

References: :cite:p:`markram1998,tsodyks2000` (the bibliography of the documentation, ``docs/references.bib``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurosim.backends.spec import Brian2RuleSpec
from neurosim.kernels.jit import kernel
from neurosim.neurons.base import NEVER
from neurosim.params import ParameterSet, pack, parameter
from neurosim.synapses.base import RULES, SynapseModel
from neurosim.synapses.traces import decay_tables, decayed

#: Slots of ``P`` (see :func:`neurosim.params.pack`): ``tau_d`` and ``tau_f`` in steps;
#: the decay tables of ``tau_d`` and ``tau_f`` follow from ``TM_SIZE`` on.
TS_D, TS_F, TM_SIZE = range(3)


@dataclass(frozen=True)
class TsodyksMarkramParams(ParameterSet):
    """Parameters of ``tsodyks_markram``."""

    U: float = parameter(0.5, low=0.0, high=1.0, doc="release probability (initial, per synapse)")
    tau_d: float = parameter(800.0, "time", low=0.0, low_open=True, doc="recovery from depression")
    tau_f: float = parameter(0.0, "time", low=0.0, doc="decay of facilitation (0: none)")


@kernel
def tm_on_pre(indptr, post, w, Ssyn, Spre, Spost, P, spikes, count, n, target, R, X, M, Q, q):
    """Presynaptic spikes: recover, facilitate, release ``u x`` of the resources."""
    ts_d, ts_f = P[TS_D], P[TS_F]
    table = P[TM_SIZE:]
    u, x, last, U = Ssyn[0], Ssyn[1], Ssyn[2], Ssyn[3]
    touched = 0
    for k in range(count):
        i = spikes[k]
        for s in range(indptr[i], indptr[i + 1]):
            gap = int(n - last[s])
            xs = 1.0 + decayed(x[s] - 1.0, gap, table, 0, ts_d)
            if ts_f > 0.0:
                us = U[s] + decayed(u[s], gap, table, 1, ts_f) * (1.0 - U[s])
            else:
                us = U[s]
            r = us * xs
            target[post[s]] += w[s] * r
            x[s] = xs - r
            u[s] = us
            last[s] = n
        touched += indptr[i + 1] - indptr[i]
    return touched


@kernel
def tm_on_post(ptr, syn, pre, w, Ssyn, Spre, Spost, P, spikes, count, n, R, X, M, Q, q):
    """Short-term plasticity ignores postsynaptic spikes."""
    return 0


@RULES.register
class TsodyksMarkram(SynapseModel):
    """Tsodyks–Markram short-term plasticity (see :mod:`neurosim.synapses.short_term`)."""

    name = "tsodyks_markram"
    Params = TsodyksMarkramParams
    synapse_vars = (("u", "1"), ("x", "1"), (SynapseModel.LAST_UPDATE, "1"), ("U", "1"))
    on_pre = tm_on_pre
    on_post = tm_on_post

    def constants(self, dt):
        p = self.params
        tau_f = p.tau_f if p.tau_f > 0 else 1.0
        head = pack(TM_SIZE, {TS_D: p.tau_d / dt, TS_F: p.tau_f / dt})
        return np.concatenate([head, decay_tables(dt, p.tau_d, tau_f)])

    def initial_state(self, n_syn, n_pre, n_post, weight):
        S = np.zeros((4, n_syn))
        S[1] = 1.0
        S[2] = NEVER
        S[3] = self.params.U
        return S, np.zeros((0, n_pre)), np.zeros((0, n_post))

    def brian2_model(self):
        """Brian2 synapses with event-driven ``x`` and ``u`` (state as of ``lastupdate``,
        the synapse's last spike, as ``last_step`` in neurosim)."""
        p = self.params
        facil = "u = U + u*(1 - U)" if p.tau_f > 0 else "u = U"
        return Brian2RuleSpec(
            model=f"""
                w : 1
                U : 1
                dx/dt = (1 - x)/(tau_d*ms) : 1 (event-driven)
                du/dt = -u/({"tau_f" if p.tau_f > 0 else "1"}*ms) : 1 (event-driven)
            """,
            on_pre=f"""
                {facil}
                {{target}} += w*u*x
                x -= u*x
            """,
            namespace={"tau_d": p.tau_d, "tau_f": p.tau_f},
            init={"x": 1.0, "u": 0.0, "U": p.U},
            synapse_state={"u": "u", "x": "x", "U": "U"},
            lastupdate=self.LAST_UPDATE,
        )
