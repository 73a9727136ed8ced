r"""Calcium-based plasticity of Graupner & Brunel 2012, updated only at events.

Graupner & Brunel 2012 (PNAS 109:3991; noise term as corrected in PNAS 110:2013,
doi:10.1073/pnas.1220044110). Each synapse has a calcium concentration :math:`c`
(dimensionless, threshold :math:`\theta_d = 1` by convention) and an efficacy
:math:`\rho`:

.. math::
    \frac{dc}{dt} = -\frac{c}{\tau_{Ca}} + C_{pre}\sum_i \delta(t - t_i - D)
        + C_{post}\sum_j \delta(t - t_j)

    \tau \frac{d\rho}{dt} = -\rho(1-\rho)(\rho_\star - \rho)
        + \gamma_p (1-\rho)\Theta[c-\theta_p] - \gamma_d \rho\, \Theta[c-\theta_d]
        + \sigma\sqrt{\tau}\sqrt{\Theta[c-\theta_d] + \Theta[c-\theta_p]}\;\eta(t)

A presynaptic spike adds :math:`C_{pre}` to the synapse's calcium ``D`` ms after it
arrives (the NMDA-mediated transient); a postsynaptic spike adds :math:`C_{post}` to
all its afferent synapses at once. The transmitted weight is
:math:`w = w_{min} + (w_{max} - w_{min}) \rho` (clipped to the bounds); the published
"synaptic change" is read from the two states, DOWN (:math:`\rho < \rho_\star`,
strength :math:`w_0`) and UP (strength :math:`b w_0`), see
:func:`synaptic_change`.

**Event-driven scheme** (Higgins, Graupner & Brunel 2014, PLoS Comput. Biol.
10:e1003834). Between two events the calcium only decays, so the interval splits into
a time :math:`t_p` above :math:`\theta_p`, then :math:`t_d` between the thresholds,
then :math:`t_0` below both (:math:`\theta_d < \theta_p` is required). Over each part
:math:`\rho` is advanced exactly:

1. above :math:`\theta_p`: Ornstein–Uhlenbeck relaxation to
   :math:`\bar\rho = \gamma_p/(\gamma_p+\gamma_d)` at rate :math:`(\gamma_p+\gamma_d)/\tau`
   with the exact Gaussian increment of variance
   :math:`\sigma^2 (1 - e^{-2(\gamma_p+\gamma_d)t_p/\tau})/(\gamma_p+\gamma_d)`;
2. between the thresholds: relaxation to 0 at rate :math:`\gamma_d/\tau`, variance
   :math:`\sigma^2 (1 - e^{-2\gamma_d t_d/\tau})/(2\gamma_d)`;
3. below both: the exact flow of the cubic for :math:`\rho_\star = 1/2`: with
   :math:`x = \rho - 1/2`, :math:`x^2(t) = \tfrac14 / (1 + (1/(4x_0^2) - 1) e^{-t/(2\tau)})`,
   sign kept.

**Approximation**: in parts 1 and 2 the cubic bistability term is neglected (as in the
paper's own analysis). The error against clock-driven integration of the full
equation is quantified in ``tests/synapses/test_calcium.py`` and docs/rules/calcium.md.
Units: times in ms (``tau`` too: the published 150 s is 150000 ms).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from neurosim.engine.jit import entry, kernel
from neurosim.engine.rng import normal
from neurosim.params import ParameterSet, parameter
from neurosim.synapses.base import SynapseModel
from neurosim.synapses.traces import decay_tables, decayed


@dataclass(frozen=True)
class GraupnerBrunelParams(ParameterSet):
    """Parameters of ``graupner_brunel`` (defaults: the DP set of Table S1)."""

    tau_Ca: float = parameter(
        20.0, "time", low=0.0, low_open=True, doc="calcium decay time constant"
    )
    C_pre: float = parameter(1.0, low=0.0, doc="presynaptic calcium amplitude")
    C_post: float = parameter(2.0, low=0.0, doc="postsynaptic calcium amplitude")
    theta_d: float = parameter(1.0, low=0.0, low_open=True, doc="depression threshold")
    theta_p: float = parameter(1.3, low=0.0, low_open=True, doc="potentiation threshold")
    gamma_d: float = parameter(200.0, low=0.0, doc="depression rate")
    gamma_p: float = parameter(321.808, low=0.0, doc="potentiation rate")
    sigma: float = parameter(2.8284, low=0.0, doc="noise amplitude")
    tau: float = parameter(150000.0, "time", low=0.0, low_open=True, doc="efficacy time constant")
    rho_star: float = parameter(
        0.5, low=0.5, high=0.5, doc="unstable fixed point (closed form needs 1/2)"
    )
    D: float = parameter(13.7, "time", low=0.0, doc="delay of the presynaptic calcium transient")
    beta: float = parameter(
        0.5, low=0.0, high=1.0, doc="fraction of synapses initially DOWN (readout)"
    )
    b: float = parameter(5.0, low=1.0, doc="UP/DOWN strength ratio (readout)")
    w_min: float = parameter(0.0, low=0.0, doc="weight at rho = 0")
    w_max: float = parameter(1.0, low=0.0, doc="weight at rho = 1")

    def check(self):
        if not self.theta_d < self.theta_p:
            raise ValueError(
                f"theta_d = {self.theta_d} must be below theta_p = {self.theta_p} "
                "(the event-driven scheme relies on it)"
            )
        if not self.w_min <= self.w_max:
            raise ValueError(f"w_min = {self.w_min} must not exceed w_max = {self.w_max}")


#: Positions in the constants vector (see :meth:`GraupnerBrunel.constants`).
(
    _BAND,
    _BAND_DECAY,
    _BAND_VAR,
    _LOG_THETA_D,
    _RATE_P,
    _INV_G,
    _BAR,
    _RATE_D,
    _INV_2GD,
    _INV_TAU,
    _INV_2TAU,
    _TAU_STEPS,
    _TABLE,
) = range(12, 25)


@kernel
def _cubic_flow(rho, t_0, inv_2tau):
    r"""``rho`` after ``t_0`` ms of the cubic flow alone (:math:`\rho_\star = 1/2`).

    With :math:`x = \rho - 1/2`, :math:`q = 1 - 4x^2` and
    :math:`m = 1 - e^{-t_0/(2\tau)}`: :math:`x(t_0) = x_0 / \sqrt{1 - q m}`. While
    :math:`t_0 \ll \tau` (always, with the published tau of minutes) both factors
    are evaluated by their Taylor series to below 1e-19 relative, which avoids an exp,
    a division and a square root per update.
    """
    a = t_0 * inv_2tau
    if a < 1e-3:
        m = a * (1.0 - a / 2.0 * (1.0 - a / 3.0 * (1.0 - a / 4.0 * (1.0 - a / 5.0))))
    else:
        m = -math.expm1(-a)
    x = rho - 0.5
    y = (1.0 - 4.0 * x * x) * m
    if abs(y) < 1e-3:
        # (1 - y)^(-1/2) = sum_k binom(2k, k) (y/4)^k
        g = 1.0 + y * (0.5 + y * (0.375 + y * (0.3125 + y * (0.2734375 + y * 0.24609375))))
        return 0.5 + x * g
    return 0.5 + x / math.sqrt(1.0 - y)


@kernel
def _advance(c0, rho, span, P, R):
    """``rho`` after ``span`` ms of calcium decay from ``c0`` (see module docstring).
    Divisions are precomputed in ``P`` (see :meth:`GraupnerBrunel.constants`)."""
    tau_ca, theta_d, gamma_d, sigma = P[0], P[3], P[5], P[7]
    t_above = 0.0  # time above theta_d
    var = 0.0
    if c0 > theta_d:
        log_d = math.log(c0) - P[_LOG_THETA_D]  # ln(c0/theta_p) = log_d - band
        t_above = min(span, tau_ca * log_d)
        t_d = t_above
        if log_d > P[_BAND]:
            # above theta_p first: Ornstein-Uhlenbeck towards gamma_p/(gamma_p+gamma_d)
            t_p = min(span, tau_ca * (log_d - P[_BAND]))
            if P[_RATE_P] > 0.0:
                decay = math.exp(-P[_RATE_P] * t_p)
                bar = P[_BAR]
                rho = bar + (rho - bar) * decay
                var = (1.0 - decay * decay) * P[_INV_G]
            else:  # no drift: pure diffusion
                var = 2.0 * t_p * P[_INV_TAU]  # limit of (1 - e^(-2gt/tau))/g
            t_d = t_above - t_p
        if t_d > 0.0:
            # between the thresholds: decay to 0 at gamma_d / tau. The whole band
            # (t_d = tau_Ca ln(theta_p/theta_d)) has precomputed factors.
            if t_above < span and log_d > P[_BAND]:
                decay, band_var = P[_BAND_DECAY], P[_BAND_VAR]
            elif gamma_d > 0.0:
                decay = math.exp(-P[_RATE_D] * t_d)
                band_var = (1.0 - decay * decay) * P[_INV_2GD]
            else:
                decay, band_var = 1.0, t_d * P[_INV_TAU]
            rho = rho * decay
            var = var * decay * decay + band_var
    # Both supra-threshold parts are linear Gaussian maps, so their two increments
    # combine into one draw of the summed variance (exact in distribution).
    if sigma > 0.0 and var > 0.0:
        rho += sigma * math.sqrt(var) * normal(R)
    if span > t_above:
        rho = _cubic_flow(rho, span - t_above, P[_INV_2TAU])
    return rho


@kernel
def _touch(s, n, jump, w, Ssyn, P, R):
    """Bring synapse ``s`` to step ``n`` and add ``jump`` to its calcium."""
    c, rho, last = Ssyn[0], Ssyn[1], Ssyn[2]
    dt, w_min, w_max = P[9], P[10], P[11]
    gap = int(n - last[s])
    if gap > 0:
        rho[s] = _advance(c[s], rho[s], gap * dt, P, R)
        c[s] = decayed(c[s], gap, P[_TABLE:], 0, P[_TAU_STEPS])
        last[s] = n
    c[s] += jump
    value = w_min + (w_max - w_min) * rho[s]
    w[s] = min(max(value, w_min), w_max)


@kernel
def gb_on_pre(indptr, post, w, Ssyn, Spre, Spost, P, spikes, count, n, target, R):
    """Delayed presynaptic calcium transients (``C_pre``) of the spiking neurons."""
    c_pre = P[1]
    touched = 0
    for k in range(count):
        i = spikes[k]
        for s in range(indptr[i], indptr[i + 1]):
            _touch(s, n, c_pre, w, Ssyn, P, R)
        touched += indptr[i + 1] - indptr[i]
    return touched


@kernel
def gb_on_transmit(indptr, post, w, Ssyn, Spre, Spost, P, spikes, count, n, target, R):
    """Transmission: bring each synapse to the present step, then send
    ``w = w_min + (w_max - w_min) rho``. Splitting an interval at a transmission is
    exact (every part of the update composes), so it changes no statistics."""
    touched = 0
    for k in range(count):
        i = spikes[k]
        for s in range(indptr[i], indptr[i + 1]):
            _touch(s, n, 0.0, w, Ssyn, P, R)
            target[post[s]] += w[s]
        touched += indptr[i + 1] - indptr[i]
    return touched


@kernel
def gb_on_post(ptr, syn, pre, w, Ssyn, Spre, Spost, P, spikes, count, n, R):
    """Postsynaptic calcium transients (``C_post``) on every afferent synapse."""
    c_post = P[2]
    touched = 0
    for k in range(count):
        j = spikes[k]
        for q in range(ptr[j], ptr[j + 1]):
            _touch(syn[q], n, c_post, w, Ssyn, P, R)
        touched += ptr[j + 1] - ptr[j]
    return touched


@entry
def gb_synchronize(w, Ssyn, P, n, R):
    """Bring every synapse to step ``n`` (no calcium jump)."""
    for s in range(w.shape[0]):
        _touch(s, n, 0.0, w, Ssyn, P, R)


class GraupnerBrunel(SynapseModel):
    """Graupner–Brunel 2012 calcium rule (see :mod:`neurosim.synapses.calcium`).

    Synapse state: ``c`` (calcium), ``rho`` (efficacy), ``last_step``; set the initial
    efficacy per synapse with ``projection.rho = values`` (default 0, or the DOWN/UP
    split given by ``beta`` with :meth:`bistable_start`).
    """

    name = "graupner_brunel"
    Params = GraupnerBrunelParams
    synapse_vars = (("c", "1"), ("rho", "1"), ("last_step", "1"))
    delivers = False
    on_transmit = gb_on_transmit
    on_pre = gb_on_pre
    on_post = gb_on_post
    synchronize = staticmethod(gb_synchronize)

    def constants(self, dt):
        """Parameters, then derived constants at the positions named in the module
        (reciprocals, so that the per-synapse update does not divide), then the
        calcium decay table."""
        p = self.params
        band = math.log(p.theta_p / p.theta_d)
        band_t = p.tau_Ca * band  # time between the thresholds on a full crossing
        band_decay = math.exp(-p.gamma_d * band_t / p.tau)
        g = p.gamma_p + p.gamma_d
        derived = {
            _BAND: band,
            _BAND_DECAY: band_decay,
            _BAND_VAR: (1.0 - band_decay**2) / (2.0 * p.gamma_d)
            if p.gamma_d > 0
            else band_t / p.tau,
            _LOG_THETA_D: math.log(p.theta_d),
            _RATE_P: g / p.tau,
            _INV_G: 1.0 / g if g > 0 else 0.0,
            _BAR: p.gamma_p / g if g > 0 else 0.0,
            _RATE_D: p.gamma_d / p.tau,
            _INV_2GD: 1.0 / (2.0 * p.gamma_d) if p.gamma_d > 0 else 0.0,
            _INV_TAU: 1.0 / p.tau,
            _INV_2TAU: 0.5 / p.tau,
            _TAU_STEPS: p.tau_Ca / dt,
        }
        assert sorted(derived) == list(range(_BAND, _TABLE))
        base = [p.tau_Ca, p.C_pre, p.C_post, p.theta_d, p.theta_p, p.gamma_d, p.gamma_p]
        base += [p.sigma, p.tau, dt, p.w_min, p.w_max]
        return np.array(
            [*base, *(derived[k] for k in sorted(derived)), *decay_tables(dt, p.tau_Ca)]
        )

    def state_assigned(self, var, weight, Ssyn):
        if var == "rho":
            p = self.params
            weight[:] = np.clip(p.w_min + (p.w_max - p.w_min) * Ssyn[1], p.w_min, p.w_max)

    def pre_lag_steps(self, dt):
        return int(round(self.params.D / dt))

    def initial_state(self, n_syn, n_pre, n_post, weight):
        S = np.zeros((3, n_syn))
        weight[:] = self.params.w_min
        return S, np.zeros((0, n_pre)), np.zeros((0, n_post))

    def brian2_model(self):
        """Clock-driven Brian2 synapses (the full equation, noise included).

        The transmitted weight is an expression of the present ``rho``; the pathway
        ``calcium`` (listed in ``lagged``) is delayed by ``pre_lag_steps`` beyond
        transmission. Euler–Maruyama: the Brian2 backend integrates the pure calcium
        decay exactly (a parameter decayed every step), so that the noise, a function
        of the calcium only, is additive for Brian2 (with ``c`` a state variable
        Brian2 would class it as multiplicative and refuse ``euler``; its ``heun``
        would then also integrate the decay by Euler). Without noise the term is
        left out.
        """
        p = self.params
        noise = (
            " + sigma*sqrt((int(c > theta_d) + int(c > theta_p))/(tau*ms))*xi"
            if p.sigma > 0
            else ""
        )
        return {
            "model": f"""
                w = clip(w_min + (w_max - w_min)*rho, w_min, w_max) : 1
                dc/dt = -c/(tau_Ca*ms) : 1 (clock-driven)
                drho/dt = (-rho*(1 - rho)*(rho_star - rho) + gamma_p*(1 - rho)*int(c > theta_p)
                           - gamma_d*rho*int(c > theta_d))/(tau*ms){noise} : 1 (clock-driven)
            """,
            "on_pre": {"pre": "{target} += w", "calcium": "c += C_pre"},
            "on_post": "c += C_post",
            "namespace": p.as_dict(),
            "method": "euler",
            "lagged": ("calcium",),
            "synapse_state": {"c": "c", "rho": "rho"},
        }


def synaptic_change(
    rho_start: np.ndarray, rho_end: np.ndarray, beta: float, b: float, rho_star: float = 0.5
) -> float:
    r"""Ratio of mean synaptic strength after/before a protocol (Graupner & Brunel 2012).

    :math:`U` is the fraction of synapses starting DOWN that end UP and :math:`D` the
    fraction starting UP that end DOWN; with a fraction :math:`\beta` initially DOWN
    and UP/DOWN strength ratio :math:`b`:

    .. math:: \frac{(1-U)\beta + D(1-\beta) + b\,[U\beta + (1-D)(1-\beta)]}{\beta + (1-\beta) b}
    """
    down = rho_start < rho_star
    up = ~down
    if not down.any() or not up.any():
        raise ValueError("synaptic_change needs synapses starting in both states")
    U = float(np.mean(rho_end[down] > rho_star))
    D = float(np.mean(rho_end[up] < rho_star))
    return ((1 - U) * beta + D * (1 - beta) + b * (U * beta + (1 - D) * (1 - beta))) / (
        beta + (1 - beta) * b
    )
