r"""Dopamine-modulated STDP (Izhikevich 2007), event-driven and exact.

Izhikevich 2007 (Cereb. Cortex 17:2443) links spike-timing-dependent plasticity to a
reward signal through a slow synaptic eligibility trace :math:`c` (the "synaptic tag"):
pre/post spike pairs do not change the weight :math:`s` but the tag, and the weight
changes only while dopamine :math:`d` is present,

.. math::
    \frac{dc}{dt} = -\frac{c}{\tau_c} + \text{STDP}(\Delta t)\,\delta(t - t_{pre/post}),
    \qquad
    \frac{ds}{dt} = k\, c(t)\, d(t),

so that a reward that arrives seconds after the pairing (while :math:`c` has not yet
decayed, :math:`\tau_c \approx 1` s) still reinforces the synapse that caused it. Here
:math:`d` is the concentration :math:`c_M` of the projection's modulator
(:mod:`neurosim.neurons.modulator`, ``connect(..., synapse="stdp_dopamine",
modulator=da)``), decaying to its baseline (tonic dopamine) with ``tau_decay`` and
optionally rising with ``tau_rise``; :math:`k` (``rate``, 1/ms) converts
concentration x time into a weight change (1/ms: :math:`ds/dt = c\,d` with time in ms).

STDP (pair rule, traces per neuron): a presynaptic trace :math:`x` (``tau_plus``) and a
postsynaptic trace :math:`y` (``tau_minus``) jump at each spike, to 1 with
``interaction = "nearest"`` (Izhikevich's published code resets a neuron's trace at
each of its spikes, so that each spike pairs with the latest spike of the other side)
or by 1 with ``"all_to_all"``. At a postsynaptic spike :math:`c \mathrel{+}= A_+ x`, at
a presynaptic event :math:`c \mathrel{-}= A_- y` (:math:`A_\pm` in weight units).

Event-driven exact integration. A synapse keeps :math:`c_0`, the modulator's concentration
:math:`d_0` (deviation from baseline :math:`D_0 = d_0 - b`) and its rising part
:math:`r_0` at its last update :math:`t_0`. Until the next release the modulator follows
:math:`d(t) = b + (D_0 + r_0/h) e^{-u/\tau_d} - (r_0/h) e^{-u/\tau_r}`,
:math:`u = t - t_0`, so the weight change over a gap :math:`T` is

.. math::
    \Delta s = k\, c_0 \left[ b\, F(\tau_c) + \left(D_0 + \frac{r_0}{h}\right)
    F\!\left(\tau_{cd}\right) - \frac{r_0}{h} F\!\left(\tau_{cr}\right) \right],
    \qquad F(\tau) = \tau \left(1 - e^{-T/\tau}\right),

with :math:`1/\tau_{cd} = 1/\tau_c + 1/\tau_d`, :math:`1/\tau_{cr} = 1/\tau_c +
1/\tau_r` (the last term is absent without a rise). A synapse is brought up to date at
its own pre/post events and, for every synapse, in ``on_modulator`` when a release
changes the modulator (its snapshot is then the modulator's new state), so between two
updates the modulator is exactly this trajectory; steps without events cost nothing,
and a fast-forward jump (which advances the modulator by its exact solution and leaves
synapses alone) changes nothing either. The modulator's ``baseline``, ``tau_decay``,
``tau_rise`` and peak factor :math:`h` are bound into the rule's kernel constants by
the projection (:meth:`StdpDopamine.bind_modulator`), at build time and again when the
modulator's parameters change (:meth:`Population.set_params
<neurosim.population.Population.set_params>` first brings every synapse up to date
with the old values), so the rule never holds stale values.

Weight bounds: :math:`s` is clipped to ``[0, w_max]`` at each update. Between updates
:math:`c` keeps its sign and :math:`d \ge 0` (non-negative baseline and releases), so
:math:`ds/dt` has one sign and :math:`s` is monotonic: clipping at the end of the gap
equals clipping the continuous trajectory.

Units: :math:`s`, ``A_plus``, ``A_minus`` and ``w_max`` in the receptor's unit (for the
``izhikevich`` neuron a weight is a jump of V in mV, as in Izhikevich's network);
:math:`c` in weight units; :math:`d` dimensionless; ``rate`` in 1/ms. Defaults and the
published set ``izhikevich_2007_dopamine`` follow the paper and its published code
(``daspnet.m``): see ``models/synapses/izhikevich_2007_dopamine.toml``.

References: :cite:p:`izhikevich2007` (the bibliography of the documentation, ``docs/references.bib``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from neurosim.backends.spec import Brian2RuleSpec
from neurosim.kernels.jit import kernel
from neurosim.neurons.base import NEVER
from neurosim.neurons.modulator import BASELINE as M_BASELINE
from neurosim.neurons.modulator import INV_PEAK, TAU_DECAY, TAU_RISE
from neurosim.params import ParameterSet, pack, parameter
from neurosim.synapses.base import RULES, SynapseModel, check_bounds
from neurosim.synapses.traces import decay_tables, decayed

#: Slots of ``P`` (see :func:`neurosim.params.pack`): the step (ms), ``tau_c`` (ms),
#: ``tau_plus``/``tau_minus`` in steps, amplitudes, ``w_max``, 1 for nearest-spike
#: interaction, ``rate``; then the bound modulator's baseline, ``1/tau_decay``,
#: ``1/tau_rise`` (0 without a rise), ``1/h``, :math:`\tau_{cd}`, :math:`\tau_{cr}` and
#: 1 once bound. The decay tables (``tau_plus``, ``tau_minus``) follow ``DA_SIZE``.
DT, TAU_C, TS_PLUS, TS_MINUS, A_PLUS, A_MINUS, W_MAX, NEAREST, RATE = range(9)
D_BASE, D_INV_TAU, D_INV_RISE, D_INV_H, TAU_CD, TAU_CR, BOUND, DA_SIZE = range(9, 17)
#: Rows of ``Ssyn``: eligibility, the modulator's concentration and rising part at the
#: synapse's last update, and the step of that update.
ELIG, DOPA, RISE, LAST = range(4)

_INTERACTIONS = ("all_to_all", "nearest")


@dataclass(frozen=True)
class DopamineSTDPParams(ParameterSet):
    r"""Parameters of ``stdp_dopamine``: defaults are the equations of Izhikevich 2007
    as written (``rate`` 1/ms: :math:`ds/dt = c\,d`) with the time constants,
    amplitudes and bound of its published code ``daspnet.m``; the set
    ``izhikevich_2007_dopamine`` also has the code's update once per 10 ms
    (``rate = 0.1`` /ms). Weights in the receptor's unit, mV for ``izhikevich``."""

    tau_c: float = parameter(1000.0, "time", low=0.0, low_open=True, doc="eligibility decay")
    tau_plus: float = parameter(20.0, "time", low=0.0, low_open=True, doc="pre trace decay")
    tau_minus: float = parameter(20.0, "time", low=0.0, low_open=True, doc="post trace decay")
    A_plus: float = parameter(0.1, low=0.0, doc="eligibility jump of pre-then-post (weight unit)")
    A_minus: float = parameter(0.15, low=0.0, doc="eligibility drop of post-then-pre (weight unit)")
    w_max: float = parameter(4.0, low=0.0, low_open=True, doc="upper weight bound (lower: 0)")
    rate: float = parameter(
        1.0, "1", low=0.0, doc="weight change per ms per unit eligibility x dopamine (1/ms)"
    )
    interaction: str = parameter("nearest", choices=_INTERACTIONS, doc="spike interaction")


@kernel
def _gain(gap, tau):
    """:math:`\\tau (1 - e^{-gap/\\tau})` (ms), accurate for small gaps."""
    return -tau * math.expm1(-gap / tau)


@kernel
def _bring(w, Ssyn, P, s, n):
    """Close :math:`\\int k c\\, d\\, dt` of synapse ``s`` from its last update to step
    ``n`` over the modulator's exact trajectory, clip, and advance its snapshot."""
    gap = (n - Ssyn[LAST, s]) * P[DT]
    if gap <= 0.0:
        return
    c0, d0, r0 = Ssyn[ELIG, s], Ssyn[DOPA, s] - P[D_BASE], Ssyn[RISE, s]
    rise = r0 * P[D_INV_H]
    if c0 != 0.0:
        total = P[D_BASE] * _gain(gap, P[TAU_C]) + (d0 + rise) * _gain(gap, P[TAU_CD])
        if P[D_INV_RISE] > 0.0:
            total -= rise * _gain(gap, P[TAU_CR])
        value = w[s] + P[RATE] * c0 * total
        w[s] = 0.0 if value < 0.0 else (P[W_MAX] if value > P[W_MAX] else value)
        Ssyn[ELIG, s] = c0 * math.exp(-gap / P[TAU_C])
    e_d = math.exp(-gap * P[D_INV_TAU])
    e_r = math.exp(-gap * P[D_INV_RISE]) if P[D_INV_RISE] > 0.0 else 0.0
    Ssyn[DOPA, s] = P[D_BASE] + d0 * e_d + rise * (e_d - e_r)
    Ssyn[RISE, s] = r0 * e_r
    Ssyn[LAST, s] = n


@kernel
def _trace_jump(S, k, n, table, which, tau_steps, nearest):
    """Trace of neuron ``k`` (row 0, last spike in row 1) after a spike at step ``n``."""
    S[0, k] = 1.0 if nearest else decayed(S[0, k], int(n - S[1, k]), table, which, tau_steps) + 1.0
    S[1, k] = n


@kernel
def _tag(Ssyn, s, trace, k, n, P, which, amplitude):
    """Add ``amplitude`` x the trace of neuron ``k`` (row 0 of ``trace``, last jump in
    row 1; decay table ``which``) at step ``n`` to the eligibility of synapse ``s``."""
    tau_steps = P[TS_PLUS] if which == 0 else P[TS_MINUS]
    value = decayed(trace[0, k], int(n - trace[1, k]), P[DA_SIZE:], which, tau_steps)
    Ssyn[ELIG, s] += amplitude * value


@kernel
def da_on_pre(indptr, post, w, Ssyn, Spre, Spost, P, spikes, count, n, target, R, X, M, Q, q):
    """Presynaptic events of ``stdp_dopamine``: bring each synapse up to date, transmit
    its weight, lower its eligibility by ``A_minus`` x the postsynaptic trace."""
    touched = 0
    for k in range(count):
        i = spikes[k]
        for s in range(indptr[i], indptr[i + 1]):
            _bring(w, Ssyn, P, s, n)
            target[post[s]] += w[s]
            _tag(Ssyn, s, Spost, post[s], n, P, 1, -P[A_MINUS])
        _trace_jump(Spre, i, n, P[DA_SIZE:], 0, P[TS_PLUS], P[NEAREST] != 0.0)
        touched += indptr[i + 1] - indptr[i]
    return touched


@kernel
def da_on_post(ptr, syn, pre, w, Ssyn, Spre, Spost, P, spikes, count, n, R, X, M, Q, q):
    """Postsynaptic spikes of ``stdp_dopamine``: bring each afferent synapse up to date,
    raise its eligibility by ``A_plus`` x the presynaptic trace."""
    touched = 0
    for k in range(count):
        j = spikes[k]
        for e in range(ptr[j], ptr[j + 1]):
            _bring(w, Ssyn, P, syn[e], n)
            _tag(Ssyn, syn[e], Spre, pre[e], n, P, 0, P[A_PLUS])
        _trace_jump(Spost, j, n, P[DA_SIZE:], 1, P[TS_MINUS], P[NEAREST] != 0.0)
        touched += ptr[j + 1] - ptr[j]
    return touched


@kernel
def da_synchronize(w, Ssyn, P, n, R, X, M, Q, q):
    """Bring every synapse to step ``n`` (weights current, snapshots advanced)."""
    for s in range(w.shape[0]):
        _bring(w, Ssyn, P, s, n)


@kernel
def da_on_modulator(indptr, post, w, Ssyn, Spre, Spost, P, n, R, X, M, Q, q, M_before):
    """A release changed the modulator (state ``M`` at step ``n``): close every
    synapse's integral up to ``n`` over the trajectory before it, then take the new
    state as the synapse's snapshot."""
    da_synchronize(w, Ssyn, P, n, R, X, M, Q, q)
    if M.shape[1] == 1:
        Ssyn[DOPA, :] = M[0, 0]
        Ssyn[RISE, :] = M[1, 0]
    else:
        for s in range(w.shape[0]):
            Ssyn[DOPA, s], Ssyn[RISE, s] = M[0, post[s]], M[1, post[s]]
    return w.shape[0]


@RULES.register
class StdpDopamine(SynapseModel):
    """Dopamine-modulated STDP, Izhikevich 2007 (see :mod:`neurosim.synapses.dopamine`)."""

    name, Params, brian2_modulated = "stdp_dopamine", DopamineSTDPParams, True
    #: eligibility, the modulator's concentration and rising part at the last update
    synapse_vars = (("c", "1"), ("d", "1"), ("d_rise", "1"), (SynapseModel.LAST_UPDATE, "1"))
    pre_vars = post_vars = (("trace", "1"), (SynapseModel.LAST_UPDATE, "1"))
    on_pre, on_post, on_modulator = da_on_pre, da_on_post, da_on_modulator
    synchronize = staticmethod(da_synchronize)

    def constants(self, dt):
        """Kernel constants; the modulator's slots stay unbound (``BOUND = 0``) until
        :meth:`bind_modulator` fills them."""
        p = self.params
        head = pack(
            DA_SIZE,
            {
                DT: dt,
                TAU_C: p.tau_c,
                TS_PLUS: p.tau_plus / dt,
                TS_MINUS: p.tau_minus / dt,
                A_PLUS: p.A_plus,
                A_MINUS: p.A_minus,
                W_MAX: p.w_max,
                NEAREST: 1.0 if p.interaction == "nearest" else 0.0,
                RATE: p.rate,
                **dict.fromkeys(range(D_BASE, DA_SIZE), 0.0),
            },
        )
        return np.concatenate([head, decay_tables(dt, p.tau_plus, p.tau_minus)])

    def bind_modulator(self, P, modulator, dt):
        """``P`` with the slots of the modulator model ``modulator`` filled: baseline,
        inverse time constants, peak factor and the combined time constants
        :math:`\\tau_{cd}`, :math:`\\tau_{cr}` of the closed form."""
        mp = modulator.constants(dt)
        if mp[M_BASELINE] < 0:
            raise ValueError(
                f"stdp_dopamine: the modulator's parameter 'baseline' = {float(mp[M_BASELINE])!r} "
                "must be >= 0 (dopamine is a concentration; accepted range [0, inf))"
            )
        P = np.array(P, dtype=float)
        tau_c, tau_d, tau_r = self.params.tau_c, mp[TAU_DECAY], mp[TAU_RISE]
        P[D_BASE] = mp[M_BASELINE]
        P[D_INV_TAU] = 1.0 / tau_d
        P[D_INV_RISE] = 1.0 / tau_r if tau_r > 0 else 0.0
        P[D_INV_H] = mp[INV_PEAK]
        P[TAU_CD] = 1.0 / (1.0 / tau_c + 1.0 / tau_d)
        P[TAU_CR] = 1.0 / (1.0 / tau_c + 1.0 / tau_r) if tau_r > 0 else 0.0
        P[BOUND] = 1.0
        return P

    def attach(self, projection):
        """Refuse a projection without a modulator; take every synapse's snapshot of
        the modulator from its present state (at the projection's creation, and after
        an assignment to the modulator's state, when the synapses are up to date)."""
        if projection.modulator is None:
            raise ValueError(
                f"projection {projection.name!r}: rule 'stdp_dopamine' reads dopamine from a "
                "modulator; pass modulator=<a population made by Network.add_modulator>"
            )
        projection.rule_constants()  # the modulator's values are accepted
        M = projection.modulator.S
        cols = projection.post.astype(np.int64) if M.shape[1] > 1 else 0
        projection.S_syn[DOPA] = M[0, cols]
        projection.S_syn[RISE] = M[1, cols]

    def initial_state(self, n_syn, n_pre, n_post, weight):
        Spre = np.zeros((len(self.pre_vars), n_pre))
        Spost = np.zeros((len(self.post_vars), n_post))
        Spre[-1] = Spost[-1] = NEVER  # traces at zero
        return np.zeros((len(self.synapse_vars), n_syn)), Spre, Spost

    def check_weights(self, weight):
        check_bounds(weight, self.name, 0.0, self.params.w_max)

    def brian2_model(self, modulator=None):
        """Brian2 synapses integrating the same equations step by step (``rk4``): the
        weight, the eligibility and each synapse's own copy of the modulator
        (``dopa``, ``dopa_rise``, with the modulator's equations; releases reach it
        through ``releases``) are clock-driven, the STDP traces event-driven as in
        ``stdp_pair``; the weight is clipped at the end of every step. ``modulator``:
        the model of the modulator the projection reads."""
        if modulator is None:
            raise ValueError("stdp_dopamine: the Brian2 description needs the modulator model")
        p, mp = self.params, modulator.brian2_model().namespace
        jump = "= 1" if p.interaction == "nearest" else "+= 1"
        rise = mp["tau_rise"] > 0
        dopamine = "-(dopa - baseline)/(tau_decay*ms)"
        if rise:
            dopamine += " + gain*dopa_rise/(tau_rise*ms)"
        rising = (
            "ddopa_rise/dt = -dopa_rise/(tau_rise*ms) : 1 (clock-driven)"
            if rise
            else "dopa_rise : 1"
        )
        namespace = {k: v for k, v in p.as_dict().items() if k != "interaction"}
        namespace.update({k: mp[k] for k in ("baseline", "tau_decay", "tau_rise", "gain")})
        return Brian2RuleSpec(
            model=f"""
                dw/dt = rate*c*dopa/ms : 1 (clock-driven)
                dc/dt = -c/(tau_c*ms) : 1 (clock-driven)
                ddopa/dt = {dopamine} : 1 (clock-driven)
                {rising}
                dapre/dt = -apre/(tau_plus*ms) : 1 (event-driven)
                dapost/dt = -apost/(tau_minus*ms) : 1 (event-driven)
            """,
            on_pre=f"""
                {{target}} += w
                c -= A_minus*apost
                apre {jump}
            """,
            on_post=f"""
                c += A_plus*apre
                apost {jump}
            """,
            namespace=namespace,
            method=("rk4",),
            synapse_state={"c": "c", "dopa": "d", "dopa_rise": "d_rise"},
            pre_traces={"apre": ("trace", p.tau_plus)},
            post_traces={"apost": ("trace", p.tau_minus)},
            releases={"c": "dopa", "r": "dopa_rise"},
            regularly="w = clip(w, 0, w_max)",
        )
