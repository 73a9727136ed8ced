r"""Spike-timing-dependent plasticity: pair rule and triplet rule, event-driven.

Traces are kept per presynaptic and per postsynaptic neuron of the projection (not
per synapse: for a projection with one delay the per-synapse traces of all-to-all
interaction are identical) and decay exactly between spikes (see
:mod:`neurosim.synapses.traces`). Interaction: ``all_to_all`` (a trace jumps by 1 at
each spike) or ``nearest`` (reset to 1: each spike pairs only with the latest spike of
the other side; Morrison, Diesmann & Gerstner 2008, Biol. Cybern. 98:459).

``stdp_pair`` — pair rule in the weight-dependence family of Gütig et al. 2003
(J. Neurosci. 23:3697), NEST ``stdp_synapse`` form. With :math:`\hat w = w / w_{max}`:

.. math::
    \text{post spike:}\quad \hat w \leftarrow \min(1,\ \hat w + A_+ (1-\hat w)^{\mu_+} x_{pre}),
    \qquad
    \text{pre spike:}\quad \hat w \leftarrow \max(w_{min}/w_{max},\ \hat w - A_- \hat w^{\mu_-} y_{post})

``mu_plus = mu_minus = 0`` is additive STDP (Song, Miller & Abbott 2000,
Nat. Neurosci. 3:919), ``1`` multiplicative (van Rossum, Bi & Turrigiano 2000,
J. Neurosci. 20:8812). Defaults: tau_plus 16.8 ms, tau_minus 33.7 ms (Bi & Poo 1998
window as fitted by Pfister & Gerstner 2006), A_plus 0.01, A_minus 0.0105 (slight
depression dominance, Song et al. 2000).

``stdp_triplet`` — Pfister & Gerstner 2006 (J. Neurosci. 26:9673): presynaptic traces
:math:`r_1` (tau_plus), :math:`r_2` (tau_x), postsynaptic :math:`o_1` (tau_minus),
:math:`o_2` (tau_y):

.. math::
    \text{pre:}\quad w \leftarrow w - o_1 (A_2^- + A_3^- r_2) \text{ (} r_2 \text{ before its jump)},
    \qquad
    \text{post:}\quad w \leftarrow w + r_1 (A_2^+ + A_3^+ o_2) \text{ (} o_2 \text{ before its jump)}

with changes in weight units, clipped to [w_min, w_max] (NEST ``stdp_triplet_synapse``).
Published sets (visual cortex, hippocampal cultures; all-to-all and nearest-spike,
minimal and full) are in ``models/synapses``.

Order (as Brian2's STDP example): at a presynaptic event the present weight is
transmitted, then depressed; at a postsynaptic spike the weight is potentiated.

References: :cite:p:`song2000,vanrossum2000,gutig2003,bi1998,pfister2006` (the bibliography of the documentation, ``docs/references.bib``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurosim.backends.spec import Brian2RuleSpec
from neurosim.kernels.jit import kernel
from neurosim.neurons.base import NEVER
from neurosim.params import ParameterSet, pack, parameter
from neurosim.synapses.base import RULES, SynapseModel, check_bounds
from neurosim.synapses.traces import decay_tables, decayed

_INTERACTIONS = ("all_to_all", "nearest")

#: Slots of ``P`` that both rules fill alike (see :func:`neurosim.params.pack`):
#: ``tau_plus`` and ``tau_minus`` in steps, the weight bounds, 1 for nearest-spike
#: interaction.
TS_PLUS, TS_MINUS, W_MIN, W_MAX, NEAREST = range(5)
#: Slots of ``P`` of ``stdp_pair``; its decay tables (``tau_plus``, ``tau_minus``)
#: follow from ``PAIR_SIZE`` on.
A_PLUS, A_MINUS, MU_PLUS, MU_MINUS, PAIR_SIZE = range(5, 10)
#: Slots of ``P`` of ``stdp_triplet`` (``tau_x``, ``tau_y`` in steps); its decay
#: tables (``tau_plus``, ``tau_x``, ``tau_minus``, ``tau_y``) follow from
#: ``TRIPLET_SIZE`` on.
TS_X, TS_Y, A2_PLUS, A3_PLUS, A2_MINUS, A3_MINUS, TRIPLET_SIZE = range(5, 12)


def _check_bounds(p):
    if not p.w_min < p.w_max:
        raise ValueError(f"w_min = {p.w_min} must be below w_max = {p.w_max}")


@dataclass(frozen=True)
class PairSTDPParams(ParameterSet):
    """Parameters of ``stdp_pair`` (weights in the receptor's unit)."""

    tau_plus: float = parameter(
        16.8, "time", low=0.0, low_open=True, doc="presynaptic trace time constant"
    )
    tau_minus: float = parameter(
        33.7, "time", low=0.0, low_open=True, doc="postsynaptic trace time constant"
    )
    A_plus: float = parameter(0.01, low=0.0, doc="potentiation amplitude (fraction of w_max)")
    A_minus: float = parameter(0.0105, low=0.0, doc="depression amplitude (fraction of w_max)")
    mu_plus: float = parameter(0.0, low=0.0, high=1.0, doc="weight dependence of potentiation")
    mu_minus: float = parameter(0.0, low=0.0, high=1.0, doc="weight dependence of depression")
    w_min: float = parameter(0.0, low=0.0, doc="lower weight bound")
    w_max: float = parameter(1.0, low=0.0, low_open=True, doc="upper weight bound")
    interaction: str = parameter("all_to_all", choices=_INTERACTIONS, doc="spike interaction")

    def check(self):
        _check_bounds(self)


def _trace_rows():
    return (("trace", "1"), (SynapseModel.LAST_UPDATE, "1"))


def _shared_slots(p, dt) -> dict[int, float]:
    """Values of the slots both rules share."""
    return {
        TS_PLUS: p.tau_plus / dt,
        TS_MINUS: p.tau_minus / dt,
        W_MIN: p.w_min,
        W_MAX: p.w_max,
        NEAREST: 1.0 if p.interaction == "nearest" else 0.0,
    }


@kernel
def _jump(S, k, n, table, which, tau_steps, nearest):
    value = 1.0 if nearest else decayed(S[0, k], int(n - S[1, k]), table, which, tau_steps) + 1.0
    S[0, k] = value
    S[1, k] = n


@kernel
def _depress(w, y, a_minus, mu, w_min, w_max):
    scale = 1.0 if mu == 0.0 else (w / w_max) ** mu
    w -= w_max * a_minus * scale * y
    return w_min if w < w_min else w


@kernel
def _potentiate(w, x, a_plus, mu, w_max):
    scale = 1.0 if mu == 0.0 else (1.0 - w / w_max) ** mu
    w += w_max * a_plus * scale * x
    return w_max if w > w_max else w


@kernel
def pair_on_pre(indptr, post, w, Ssyn, Spre, Spost, P, spikes, count, n, target, R, X, M, Q, q):
    """Presynaptic events of ``stdp_pair``: transmit, update the pre trace, depress."""
    ts_plus, ts_minus, a_minus, mu_minus = P[TS_PLUS], P[TS_MINUS], P[A_MINUS], P[MU_MINUS]
    w_min, w_max, nearest = P[W_MIN], P[W_MAX], P[NEAREST] != 0.0
    table = P[PAIR_SIZE:]
    touched = 0
    for k in range(count):
        i = spikes[k]
        _jump(Spre, i, n, table, 0, ts_plus, nearest)
        for s in range(indptr[i], indptr[i + 1]):
            j = post[s]
            target[j] += w[s]
            y = decayed(Spost[0, j], int(n - Spost[1, j]), table, 1, ts_minus)
            w[s] = _depress(w[s], y, a_minus, mu_minus, w_min, w_max)
        touched += indptr[i + 1] - indptr[i]
    return touched


@kernel
def pair_on_post(ptr, syn, pre, w, Ssyn, Spre, Spost, P, spikes, count, n, R, X, M, Q, q):
    """Postsynaptic spikes of ``stdp_pair``: update the post trace, potentiate."""
    ts_plus, ts_minus, a_plus, mu_plus = P[TS_PLUS], P[TS_MINUS], P[A_PLUS], P[MU_PLUS]
    w_max, nearest = P[W_MAX], P[NEAREST] != 0.0
    table = P[PAIR_SIZE:]
    touched = 0
    for k in range(count):
        j = spikes[k]
        _jump(Spost, j, n, table, 1, ts_minus, nearest)
        for q in range(ptr[j], ptr[j + 1]):
            s = syn[q]
            i = pre[q]
            x = decayed(Spre[0, i], int(n - Spre[1, i]), table, 0, ts_plus)
            w[s] = _potentiate(w[s], x, a_plus, mu_plus, w_max)
        touched += ptr[j + 1] - ptr[j]
    return touched


class _TraceRule(SynapseModel):
    def initial_state(self, n_syn, n_pre, n_post, weight):
        Spre = np.zeros((len(self.pre_vars), n_pre))
        Spost = np.zeros((len(self.post_vars), n_post))
        Spre[-1] = Spost[-1] = NEVER  # traces at zero
        return np.zeros((0, n_syn)), Spre, Spost

    def check_weights(self, weight):
        check_bounds(weight, self.name, self.params.w_min, self.params.w_max)


@RULES.register
class PairSTDP(_TraceRule):
    """Pair STDP, additive to multiplicative (see :mod:`neurosim.synapses.stdp`)."""

    name = "stdp_pair"
    Params = PairSTDPParams
    pre_vars = _trace_rows()
    post_vars = _trace_rows()
    on_pre = pair_on_pre
    on_post = pair_on_post

    def constants(self, dt):
        p = self.params
        head = pack(
            PAIR_SIZE,
            {
                **_shared_slots(p, dt),
                A_PLUS: p.A_plus,
                A_MINUS: p.A_minus,
                MU_PLUS: p.mu_plus,
                MU_MINUS: p.mu_minus,
            },
        )
        return np.concatenate([head, decay_tables(dt, p.tau_plus, p.tau_minus)])

    def brian2_model(self):
        """Brian2 synapses: per-synapse event-driven traces ``apre`` and ``apost``
        (Brian2 reserves the suffixes ``_pre``/``_post``); ``{target}`` is the receptor
        variable (the line is dropped for ``receptor=None``)."""
        p = self.params
        jump = "= 1" if p.interaction == "nearest" else "+= 1"
        return Brian2RuleSpec(
            model="""
                w : 1
                dapre/dt = -apre/(tau_plus*ms) : 1 (event-driven)
                dapost/dt = -apost/(tau_minus*ms) : 1 (event-driven)
            """,
            on_pre=f"""
                {{target}} += w
                apre {jump}
                w = clip(w - w_max*A_minus*(w/w_max)**mu_minus*apost, w_min, w_max)
            """,
            on_post=f"""
                apost {jump}
                w = clip(w + w_max*A_plus*(1 - w/w_max)**mu_plus*apre, w_min, w_max)
            """,
            namespace={k: v for k, v in p.as_dict().items() if k != "interaction"},
            pre_traces={"apre": ("trace", p.tau_plus)},
            post_traces={"apost": ("trace", p.tau_minus)},
        )


@dataclass(frozen=True)
class TripletSTDPParams(ParameterSet):
    """Parameters of ``stdp_triplet`` (defaults: visual cortex, all-to-all, full model,
    Pfister & Gerstner 2006 Table 4; weights in the receptor's unit)."""

    tau_plus: float = parameter(16.8, "time", low=0.0, low_open=True, doc="r1 time constant")
    tau_x: float = parameter(101.0, "time", low=0.0, low_open=True, doc="r2 time constant")
    tau_minus: float = parameter(33.7, "time", low=0.0, low_open=True, doc="o1 time constant")
    tau_y: float = parameter(125.0, "time", low=0.0, low_open=True, doc="o2 time constant")
    A2_plus: float = parameter(5e-10, low=0.0, doc="pair potentiation amplitude")
    A3_plus: float = parameter(6.2e-3, low=0.0, doc="triplet potentiation amplitude")
    A2_minus: float = parameter(7e-3, low=0.0, doc="pair depression amplitude")
    A3_minus: float = parameter(2.3e-4, low=0.0, doc="triplet depression amplitude")
    w_min: float = parameter(0.0, low=0.0, doc="lower weight bound")
    w_max: float = parameter(1e3, low=0.0, low_open=True, doc="upper weight bound")
    interaction: str = parameter("all_to_all", choices=_INTERACTIONS, doc="spike interaction")

    def check(self):
        _check_bounds(self)


@kernel
def _triplet_traces(S, k, n, table, first, ts_a, ts_b):
    """Both traces of neuron ``k`` (rows 0 and 1 of ``S``, last update in row 2) decayed
    to step ``n``, by tables ``first`` and ``first + 1``."""
    gap = int(n - S[2, k])
    return decayed(S[0, k], gap, table, first, ts_a), decayed(S[1, k], gap, table, first + 1, ts_b)


@kernel
def _triplet_jump(S, k, n, a, b, nearest):
    """After a spike of neuron ``k``: both traces jump from their decayed values ``a``,
    ``b`` by 1 (to 1 with nearest-spike interaction); ``n`` becomes the last update."""
    S[0, k] = 1.0 if nearest else a + 1.0
    S[1, k] = 1.0 if nearest else b + 1.0
    S[2, k] = n


@kernel
def triplet_on_pre(indptr, post, w, Ssyn, Spre, Spost, P, spikes, count, n, target, R, X, M, Q, q):
    """Presynaptic events of ``stdp_triplet``: transmit, depress, then jump r1, r2."""
    ts_plus, ts_x, ts_minus = P[TS_PLUS], P[TS_X], P[TS_MINUS]
    a2m, a3m, w_min, nearest = P[A2_MINUS], P[A3_MINUS], P[W_MIN], P[NEAREST] != 0.0
    table = P[TRIPLET_SIZE:]
    touched = 0
    for k in range(count):
        i = spikes[k]
        r1, r2 = _triplet_traces(Spre, i, n, table, 0, ts_plus, ts_x)
        for s in range(indptr[i], indptr[i + 1]):
            j = post[s]
            target[j] += w[s]
            o1 = decayed(Spost[0, j], int(n - Spost[2, j]), table, 2, ts_minus)
            value = w[s] - o1 * (a2m + a3m * r2)
            w[s] = w_min if value < w_min else value
        _triplet_jump(Spre, i, n, r1, r2, nearest)
        touched += indptr[i + 1] - indptr[i]
    return touched


@kernel
def triplet_on_post(ptr, syn, pre, w, Ssyn, Spre, Spost, P, spikes, count, n, R, X, M, Q, q):
    """Postsynaptic spikes of ``stdp_triplet``: potentiate, then jump o1, o2."""
    ts_plus, ts_minus, ts_y = P[TS_PLUS], P[TS_MINUS], P[TS_Y]
    a2p, a3p, w_max, nearest = P[A2_PLUS], P[A3_PLUS], P[W_MAX], P[NEAREST] != 0.0
    table = P[TRIPLET_SIZE:]
    touched = 0
    for k in range(count):
        j = spikes[k]
        o1, o2 = _triplet_traces(Spost, j, n, table, 2, ts_minus, ts_y)
        for q in range(ptr[j], ptr[j + 1]):
            s = syn[q]
            i = pre[q]
            r1 = decayed(Spre[0, i], int(n - Spre[2, i]), table, 0, ts_plus)
            value = w[s] + r1 * (a2p + a3p * o2)
            w[s] = w_max if value > w_max else value
        _triplet_jump(Spost, j, n, o1, o2, nearest)
        touched += ptr[j + 1] - ptr[j]
    return touched


@RULES.register
class TripletSTDP(_TraceRule):
    """Triplet STDP of Pfister & Gerstner 2006 (see :mod:`neurosim.synapses.stdp`)."""

    name = "stdp_triplet"
    Params = TripletSTDPParams
    pre_vars = (("r1", "1"), ("r2", "1"), (SynapseModel.LAST_UPDATE, "1"))
    post_vars = (("o1", "1"), ("o2", "1"), (SynapseModel.LAST_UPDATE, "1"))
    on_pre = triplet_on_pre
    on_post = triplet_on_post

    def constants(self, dt):
        p = self.params
        head = pack(
            TRIPLET_SIZE,
            {
                **_shared_slots(p, dt),
                TS_X: p.tau_x / dt,
                TS_Y: p.tau_y / dt,
                A2_PLUS: p.A2_plus,
                A3_PLUS: p.A3_plus,
                A2_MINUS: p.A2_minus,
                A3_MINUS: p.A3_minus,
            },
        )
        return np.concatenate([head, decay_tables(dt, p.tau_plus, p.tau_x, p.tau_minus, p.tau_y)])

    def brian2_model(self):
        """Brian2 synapses with per-synapse event-driven traces (see ``PairSTDP``)."""
        p = self.params
        jump = "= 1" if p.interaction == "nearest" else "+= 1"
        return Brian2RuleSpec(
            model="""
                w : 1
                dr1/dt = -r1/tau_plus/ms : 1 (event-driven)
                dr2/dt = -r2/tau_x/ms : 1 (event-driven)
                do1/dt = -o1/tau_minus/ms : 1 (event-driven)
                do2/dt = -o2/tau_y/ms : 1 (event-driven)
            """,
            on_pre=f"""
                {{target}} += w
                w = clip(w - o1*(A2_minus + A3_minus*r2), w_min, w_max)
                r1 {jump}
                r2 {jump}
            """,
            on_post=f"""
                w = clip(w + r1*(A2_plus + A3_plus*o2), w_min, w_max)
                o1 {jump}
                o2 {jump}
            """,
            namespace={k: v for k, v in p.as_dict().items() if k != "interaction"},
            pre_traces={"r1": ("r1", p.tau_plus), "r2": ("r2", p.tau_x)},
            post_traces={"o1": ("o1", p.tau_minus), "o2": ("o2", p.tau_y)},
        )
