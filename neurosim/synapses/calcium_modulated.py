r"""Calcium-based eligibility traces converted by a neuromodulator, updated at events.

A three-factor rule in which calcium sets the eligibility and a neuromodulator decides
:cite:p:`gerstner2018`. The calcium transient is that of Graupner & Brunel 2012
:cite:p:`graupner2012` (see :mod:`neurosim.synapses.calcium`); it drives two
eligibility traces, one for potentiation and one for depression, as in the
experiments of He et al. 2015 :cite:p:`he2015`, where Hebbian pairing leaves distinct,
silent LTP and LTD traces in cortical synapses that monoamines convert into lasting
changes seconds later, and in the model of Huertas, Schwettmann & Shouval 2016
:cite:p:`huertas2016`: an LTP and an LTD trace with their own dynamics and magnitudes,
which compete when a reinforcement signal converts them both.

Per synapse, with :math:`\Theta` the Heaviside function:

.. math::
    \frac{dc}{dt} = -\frac{c}{\tau_{Ca}} + C_{pre}\sum_i \delta(t - t_i - D)
        + C_{post}\sum_j \delta(t - t_j)

    \frac{dx_p}{dt} = -\frac{x_p}{\tau_p} + \frac{1 - x_p}{\tau_{ip}}\,\Theta[c - \theta_p],
    \qquad
    \frac{dx_d}{dt} = -\frac{x_d}{\tau_d} + \frac{1 - x_d}{\tau_{id}}\,\Theta[c - \theta_d]

    \frac{dw}{dt} = \frac{m(t)}{\tau_w}\,\bigl(A_p x_p - A_d x_d\bigr),
    \qquad w \in [w_{min}, w_{max}]

The traces :math:`x_p, x_d \in [0, 1]` are fractions of their maximum; each is induced
while the calcium is above its threshold (the Hebbian term of the three-factor rule)
and saturates, a form chosen so that the update stays exact between events;
:math:`m(t)` is the concentration of the modulator the projection reads
(:mod:`neurosim.neurons.modulator`): without it (:math:`m = 0`) the traces rise and
decay and the weight never changes. Which trace wins depends on when the modulator
comes: a trace that decays faster converts mostly soon after the pairing.

**Event-driven scheme, exact between events.** A synapse is brought up to date at its
presynaptic calcium events (``D`` ms after transmission), at transmission, at
postsynaptic spikes and, every synapse of the projection, when a release reaches the
modulator (``on_modulator``). Between two updates the calcium only decays, so the
interval splits, as in :mod:`neurosim.synapses.calcium`, into a time :math:`t_p` above
:math:`\theta_p`, then :math:`t_d` between the thresholds, then :math:`t_0` below both
(:math:`\theta_d < \theta_p`). In each part every trace is one exponential,
:math:`x(t) = x_\infty + (x_0 - x_\infty) e^{-kt}` (:math:`k = 1/\tau + 1/\tau_i`,
:math:`x_\infty = \tau_i^{-1}/k` while induced; :math:`k = 1/\tau`, :math:`x_\infty = 0`
otherwise), and the modulator, without a release in between, is

.. math::
    m(t) = b + K_d e^{-t/\tau_{md}} - K_r e^{-t/\tau_{mr}},
    \qquad K_r = r_0/h, \quad K_d = c_0 - b + K_r

(:math:`c_0, r_0` its state at the last update, :math:`b` its baseline, :math:`h` its
peak factor; :math:`K_r = 0` without a rise). The weight change over a part is then a
sum of integrals :math:`\int_0^T e^{-\lambda t} dt = (1 - e^{-\lambda T})/\lambda`,
exact to rounding. The bounds are applied at the end of each part (the weight is
clipped to :math:`[w_{min}, w_{max}]`), and the part below both thresholds, the long
one, is first cut where the conversion :math:`A_p x_p - A_d x_d` changes sign (at most
once while both traces decay, at :math:`t^* = \ln(A_p x_p / A_d x_d) /
(1/\tau_p - 1/\tau_d)`). With a non-negative modulator the weight then moves one way
in each piece, so the hard bounds are exact there; only in the parts above a threshold
(milliseconds after each transient) is a bound reached mid-part applied at its end.

The rule keeps the modulator's trajectory per synapse, so it needs the modulator's
time constants and baseline: the projection binds them into the rule's constants from
the modulator it reads (:meth:`CalciumModulated.bind_modulator`, also after the
modulator's parameters change), so they are given once, to the modulator; a projection
without a modulator is refused.

Units: times in ms; calcium, traces, concentrations dimensionless; ``A_p``, ``A_d``,
``w_min``, ``w_max`` in the receptor's weight unit.

References: :cite:p:`graupner2012,he2015,huertas2016,gerstner2018`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from neurosim.kernels.jit import entry, kernel
from neurosim.neurons.modulator import BASELINE, INV_PEAK, TAU_DECAY, TAU_RISE, at
from neurosim.params import pack, parameter
from neurosim.synapses.base import RULES, SynapseModel, check_bounds
from neurosim.synapses.calcium import CalciumTransientParams

#: Rows of ``Ssyn``: calcium, the two traces, the modulator's ``c`` and ``r`` as of the
#: last update, the step of the last update.
CA, XP, XD, MC, MR, LAST = range(6)

#: Slots of ``P``: the step, calcium constants, the traces' rates and fixed points
#: while induced, their decay rates, conversion gains ``A / tau_w``, weight bounds,
#: and the modulator's baseline, decay and rise rates (0 without a rise) and ``1/h``.
DT, TAU_CA, C_PRE, C_POST, LOG_THETA_D, LOG_THETA_P = range(6)
K_P, XI_P, K_D, XI_D, DECAY_P, DECAY_D, GAIN_P, GAIN_D = range(6, 14)
W_MIN, W_MAX, M_BASE, M_RATE_D, M_RATE_R, M_INV_H, CM_SIZE = range(14, 21)


@dataclass(frozen=True)
class CalciumModulatedParams(CalciumTransientParams):
    """Parameters of ``calcium_modulated``. Calcium: the DP set of Graupner & Brunel
    2012, Table S1; traces, conversion and bounds: illustrative values (see
    docs/rules/calcium_modulated.md); modulator: the defaults of ``modulator``."""

    D: float = parameter(13.7, "time", low=0.0, doc="delay of the presynaptic calcium transient")
    tau_p: float = parameter(3000.0, "time", low=0.0, low_open=True, doc="decay of the LTP trace")
    tau_ip: float = parameter(
        100.0, "time", low=0.0, low_open=True, doc="induction of the LTP trace (above theta_p)"
    )
    A_p: float = parameter(1.0, low=0.0, doc="conversion of the LTP trace (weight unit)")
    tau_d: float = parameter(10000.0, "time", low=0.0, low_open=True, doc="decay of the LTD trace")
    tau_id: float = parameter(
        200.0, "time", low=0.0, low_open=True, doc="induction of the LTD trace (above theta_d)"
    )
    A_d: float = parameter(0.5, low=0.0, doc="conversion of the LTD trace (weight unit)")
    tau_w: float = parameter(1000.0, "time", low=0.0, low_open=True, doc="conversion time constant")
    w_min: float = parameter(0.0, low=0.0, doc="lower weight bound")
    w_max: float = parameter(1.0, low=0.0, doc="upper weight bound")

    def check(self):
        super().check()
        if not self.w_min <= self.w_max:
            raise ValueError(
                f"CalciumModulatedParams: w_min = {self.w_min} must not exceed w_max = {self.w_max}"
            )


@kernel
def _area(lam, T):
    """:math:`\\int_0^T e^{-\\lambda t} dt = (1 - e^{-\\lambda T})/\\lambda` (``T`` at
    :math:`\\lambda T \\to 0`, from its series below 1e-8)."""
    a = lam * T
    if a < 1e-8:
        return T * (1.0 - 0.5 * a)
    return -math.expm1(-a) / lam


@kernel
def _trace_area(x0, xi, k, b, kd, kr, T, P):
    """:math:`\\int_0^T x(t) m(t) dt` for :math:`x = x_\\infty + (x_0 - x_\\infty)
    e^{-kt}` and :math:`m = b + K_d e^{-t/\\tau_{md}} - K_r e^{-t/\\tau_{mr}}`; and
    :math:`x(T)`."""
    ad, ar = P[M_RATE_D], P[M_RATE_R]
    steady = xi * (b * T + kd * _area(ad, T) - kr * _area(ar, T))
    moving = (x0 - xi) * (b * _area(k, T) + kd * _area(k + ad, T) - kr * _area(k + ar, T))
    return steady + moving, xi + (x0 - xi) * math.exp(-k * T)


@kernel
def _part(T, on_p, on_d, w, xp, xd, kd, kr, P):
    """Over a part of length ``T`` in which the LTP (``on_p``) and LTD (``on_d``)
    traces are induced or not: the new weight (clipped to its bounds) and the new
    ``x_p, x_d, K_d, K_r``."""
    if T <= 0.0:
        return w, xp, xd, kd, kr
    b = P[M_BASE]
    k = P[K_P] if on_p else P[DECAY_P]
    area_p, xp = _trace_area(xp, P[XI_P] if on_p else 0.0, k, b, kd, kr, T, P)
    k = P[K_D] if on_d else P[DECAY_D]
    area_d, xd = _trace_area(xd, P[XI_D] if on_d else 0.0, k, b, kd, kr, T, P)
    kd = kd * math.exp(-P[M_RATE_D] * T)
    kr = kr * math.exp(-P[M_RATE_R] * T)
    w = w + (P[GAIN_P] * area_p - P[GAIN_D] * area_d)
    return min(max(w, P[W_MIN]), P[W_MAX]), xp, xd, kd, kr


@kernel
def _crossing(xp, xd, P):
    """While both traces decay, the time at which :math:`A_p x_p e^{-t/\\tau_p} =
    A_d x_d e^{-t/\\tau_d}` (where the conversion changes sign; at most once), or -1."""
    a, b, rate = P[GAIN_P] * xp, P[GAIN_D] * xd, P[DECAY_P] - P[DECAY_D]
    if a <= 0.0 or b <= 0.0 or rate == 0.0:
        return -1.0
    return math.log(a / b) / rate


@kernel
def _update(s, n, jump, w, Ssyn, P):
    """Bring synapse ``s`` to step ``n`` by the exact solution (module docstring), then
    add ``jump`` to its calcium. The part below both thresholds is split where the
    conversion changes sign, so that the bounds, applied after each piece, are exact
    there (for a non-negative modulator)."""
    span = max(0.0, (n - Ssyn[LAST, s]) * P[DT])
    c0 = Ssyn[CA, s]
    log_c = math.log(max(c0, 1e-300))
    t_above = min(span, max(0.0, P[TAU_CA] * (log_c - P[LOG_THETA_D])))
    t_p = min(span, max(0.0, P[TAU_CA] * (log_c - P[LOG_THETA_P])))
    kr = Ssyn[MR, s] * P[M_INV_H]
    ws, xp, xd, kd = w[s], Ssyn[XP, s], Ssyn[XD, s], Ssyn[MC, s] - P[M_BASE] + kr
    ws, xp, xd, kd, kr = _part(t_p, True, True, ws, xp, xd, kd, kr, P)
    ws, xp, xd, kd, kr = _part(t_above - t_p, False, True, ws, xp, xd, kd, kr, P)
    t_0 = span - t_above
    cut = min(max(_crossing(xp, xd, P), 0.0), t_0)
    ws, xp, xd, kd, kr = _part(cut, False, False, ws, xp, xd, kd, kr, P)
    ws, xp, xd, kd, kr = _part(t_0 - cut, False, False, ws, xp, xd, kd, kr, P)
    w[s] = ws
    Ssyn[XP, s], Ssyn[XD, s] = xp, xd
    Ssyn[MR, s] = Ssyn[MR, s] * math.exp(-P[M_RATE_R] * span)
    Ssyn[MC, s] = P[M_BASE] + kd - kr
    Ssyn[CA, s] = c0 * math.exp(-span / P[TAU_CA]) + jump
    Ssyn[LAST, s] = n


@kernel
def _events(ptr, ids, gather, w, Ssyn, P, spikes, count, n, jump, target, post, transmit):
    """Update to step ``n`` the synapses of the spiking neurons (``ptr[i]`` to
    ``ptr[i + 1]``: the synapses themselves, or with ``gather`` their indices in
    ``ids``), add ``jump`` to their calcium and, with ``transmit``, send their weights
    to ``target[post]``."""
    touched = 0
    for k in range(count):
        i = spikes[k]
        for p in range(ptr[i], ptr[i + 1]):
            s = ids[p] if gather else p
            _update(s, float(n), jump, w, Ssyn, P)
            if transmit:
                target[post[s]] += w[s]
        touched += ptr[i + 1] - ptr[i]
    return touched


@kernel
def cm_on_pre(indptr, post, w, Ssyn, Spre, Spost, P, spikes, count, n, target, R, X, M, Q, q):
    """Delayed presynaptic calcium transients (``C_pre``) of the spiking neurons."""
    return _events(indptr, post, False, w, Ssyn, P, spikes, count, n, P[C_PRE], target, post, False)


@kernel
def cm_on_transmit(indptr, post, w, Ssyn, Spre, Spost, P, spikes, count, n, target, R, X, M, Q, q):
    """Transmission: bring each synapse to the present step, then send its weight."""
    return _events(indptr, post, False, w, Ssyn, P, spikes, count, n, 0.0, target, post, True)


@kernel
def cm_on_post(ptr, syn, pre, w, Ssyn, Spre, Spost, P, spikes, count, n, R, X, M, Q, q):
    """Postsynaptic calcium transients (``C_post``) on every afferent synapse."""
    return _events(ptr, syn, True, w, Ssyn, P, spikes, count, n, P[C_POST], w, syn, False)


@kernel
def cm_on_modulator(indptr, post, w, Ssyn, Spre, Spost, P, n, R, X, M, Q, q, M_before):
    """A release reached the modulator: close every synapse's integral up to step
    ``n`` over the trajectory it kept, then take the modulator's new state."""
    for s in range(w.shape[0]):
        j = post[s]
        _update(s, float(n), 0.0, w, Ssyn, P)
        Ssyn[MC, s] = at(M, 0, j)
        Ssyn[MR, s] = at(M, 1, j)
    return w.shape[0]


@entry
def cm_synchronize(w, Ssyn, P, n, R, X, M, Q, q):
    """Bring every synapse to step ``n`` (no calcium jump)."""
    for s in range(w.shape[0]):
        _update(s, float(n), 0.0, w, Ssyn, P)


@RULES.register
class CalciumModulated(SynapseModel):
    """Calcium eligibility converted by a neuromodulator (see
    :mod:`neurosim.synapses.calcium_modulated`).

    Synapse state: ``c`` (calcium), ``x_p``, ``x_d`` (LTP and LTD traces), ``m_c``,
    ``m_r`` (the modulator as of the last update), ``last_step``. The projection must
    read a modulator (``connect(..., synapse=rule, modulator=m)``), whose time constants
    and baseline the rule takes from it. Initial weights lie in ``[w_min, w_max]``.
    """

    name = "calcium_modulated"
    Params = CalciumModulatedParams
    delivers = False
    synchronize = staticmethod(cm_synchronize)
    synapse_vars = (
        ("c", "1"),
        ("x_p", "1"),
        ("x_d", "1"),
        ("m_c", "1"),
        ("m_r", "1"),
        (SynapseModel.LAST_UPDATE, "1"),
    )
    on_modulator = cm_on_modulator
    on_pre = cm_on_pre
    on_post = cm_on_post
    on_transmit = cm_on_transmit

    def constants(self, dt):
        p = self.params
        k_p, k_d = 1.0 / p.tau_p + 1.0 / p.tau_ip, 1.0 / p.tau_d + 1.0 / p.tau_id
        return pack(
            CM_SIZE,
            {
                DT: dt,
                TAU_CA: p.tau_Ca,
                C_PRE: p.C_pre,
                C_POST: p.C_post,
                LOG_THETA_D: math.log(p.theta_d),
                LOG_THETA_P: math.log(p.theta_p),
                K_P: k_p,
                XI_P: 1.0 / p.tau_ip / k_p,
                K_D: k_d,
                XI_D: 1.0 / p.tau_id / k_d,
                DECAY_P: 1.0 / p.tau_p,
                DECAY_D: 1.0 / p.tau_d,
                GAIN_P: p.A_p / p.tau_w,
                GAIN_D: p.A_d / p.tau_w,
                W_MIN: p.w_min,
                W_MAX: p.w_max,
                **dict.fromkeys((M_BASE, M_RATE_D, M_RATE_R, M_INV_H), 0.0),  # bind_modulator
            },
        )

    def pre_lag_steps(self, dt):
        return int(round(self.params.D / dt))

    def initial_state(self, n_syn, n_pre, n_post, weight):
        S = np.zeros((len(self.synapse_vars), n_syn))
        return S, np.zeros((0, n_pre)), np.zeros((0, n_post))

    def check_weights(self, weight):
        """Refuse weights outside ``[w_min, w_max]``."""
        p = self.params
        check_bounds(weight, self.name, p.w_min, p.w_max)

    def bind_modulator(self, P, modulator, dt):
        """``P`` with the modulator's baseline, decay and rise rates and inverse peak
        factor (from the model ``modulator`` the projection reads)."""
        mp = modulator.constants(dt)
        P = np.array(P, dtype=float)
        rise = mp[TAU_RISE] > 0
        P[M_BASE] = mp[BASELINE]
        P[M_RATE_D] = 1.0 / mp[TAU_DECAY]
        P[M_RATE_R] = 1.0 / mp[TAU_RISE] if rise else 0.0
        P[M_INV_H] = mp[INV_PEAK] if rise else 0.0
        return P

    def attach(self, projection):
        """Refuse a projection without a modulator; take every synapse's copy of the
        modulator (rows ``m_c``, ``m_r``) from its present state (at the projection's
        creation, and after an assignment to the modulator's state)."""
        if projection.modulator is None:
            raise ValueError(
                f"projection {projection.name!r}: {self.name}: the projection must read a "
                "modulator (connect(..., synapse=rule, modulator=m)); without one no weight "
                "changes"
            )
        M = projection.modulator.S
        cols = projection.post.astype(np.int64) if M.shape[1] > 1 else 0
        projection.S_syn[MC] = M[0, cols]
        projection.S_syn[MR] = M[1, cols]

    def brian2_model(self):
        """Not available: the Brian2 backend does not pass modulators to rules."""
        raise NotImplementedError(
            f"{self.name}: no Brian2 model (the Brian2 backend does not pass modulators to rules)"
        )
