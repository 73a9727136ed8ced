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

The synapses one event touches are advanced together, in branch-free blocks that the
compiler vectorises (:func:`_advance_block`), with normals from a buffered vectorised
generator (:func:`neurosim.kernels.rng.refill_normals`).

**Approximation**: in parts 1 and 2 the cubic bistability term is neglected (as in the
paper's own analysis). The error against clock-driven integration of the full
equation is quantified in ``tests/synapses/test_calcium.py`` and docs/rules/calcium.md.
Units: times in ms (``tau`` too: the published 150 s is 150000 ms).

References: :cite:p:`graupner2012` (the bibliography of the documentation, ``docs/references.bib``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from neurosim.backends.spec import Brian2RuleSpec
from neurosim.kernels import vmath
from neurosim.kernels.jit import entry, kernel
from neurosim.kernels.rng import SCRATCH, buffered_state, take_normals
from neurosim.params import ParameterSet, pack, parameter
from neurosim.synapses.base import RULES, SynapseModel, check_bounds


def check_thresholds(theta_d: float, theta_p: float) -> None:
    """Raise ValueError unless ``theta_d < theta_p`` (the event-driven schemes of the
    calcium rules split each interval at the two thresholds in that order)."""
    if not theta_d < theta_p:
        raise ValueError(
            f"theta_d = {theta_d} must be below theta_p = {theta_p} "
            "(the event-driven scheme relies on it)"
        )


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
        check_thresholds(self.theta_d, self.theta_p)
        if not self.w_min <= self.w_max:
            raise ValueError(f"w_min = {self.w_min} must not exceed w_max = {self.w_max}")


#: Slots of ``P`` (see :func:`neurosim.params.pack`): ``tau_Ca``, the calcium jumps,
#: ``sigma``, the step and the weight bounds, then constants derived from the
#: parameters (reciprocals, so that the per-synapse update does not divide):
#: ``BAND`` = ln(theta_p/theta_d), ``LOG_THETA_D``, the relaxation rates above
#: theta_p (``RATE_P``, its fixed point ``BAR``, ``INV_G`` = 1/(gamma_p + gamma_d))
#: and between the thresholds (``RATE_D``, ``INV_2GD`` = 1/(2 gamma_d)), ``INV_TAU``,
#: ``INV_2TAU``, the calcium decay per step ``STEP_DECAY`` and ``BAND_ARG``, the
#: largest argument of the decay between the thresholds; ``GB_SIZE`` is the length.
TAU_CA, C_PRE, C_POST, SIGMA, DT, W_MIN, W_MAX, BAND, LOG_THETA_D = range(9)
RATE_P, INV_G, BAR, RATE_D, INV_2GD, INV_TAU, INV_2TAU = range(9, 16)
STEP_DECAY, BAND_ARG, GB_SIZE = range(16, 19)
#: Synapses advanced together in one vectorised block (and the scratch per block).
BLOCK = 256
#: Blocks are padded to a multiple of this (the widest vector, in doubles), so that
#: no synapse goes through the slow scalar remainder of the vectorised loop.
_PAD = 8
#: Below this argument, :math:`1 - e^{-a}` comes from its Taylor polynomial of degree
#: 8 (remainder below :math:`a^9/9! < 3e-24`, relative 3e-22).
_SMALL = 0.01


@kernel
def _one_minus_exp_small(a):
    """:math:`1 - e^{-a}` for :math:`0 \\le a \\le 0.01` (degree 8, no cancellation).
    Constant reciprocals are multiplied: a division, even by a constant, is a slow
    vector instruction, and LLVM keeps it to round exactly."""
    h = a * (1.0 / 8.0)
    h = a * (1.0 / 7.0) * (1.0 - h)
    h = a * (1.0 / 6.0) * (1.0 - h)
    h = a * (1.0 / 5.0) * (1.0 - h)
    h = a * (1.0 / 4.0) * (1.0 - h)
    h = a * (1.0 / 3.0) * (1.0 - h)
    h = a * 0.5 * (1.0 - h)
    return a * (1.0 - h)


@kernel
def _decay(a):
    """:math:`(e^{-a}, 1 - e^{-a})` for :math:`a \\ge 0`, both to full relative
    precision: below :data:`_SMALL` the second from its series, above it the first from
    :func:`~neurosim.kernels.vmath.exp_neg` (both are computed; a select picks)."""
    rest = _one_minus_exp_small(min(a, _SMALL))
    e = vmath.exp_neg(-a)
    small = a < _SMALL
    return (1.0 - rest if small else e), (rest if small else 1.0 - e)


@kernel
def _decay_if_large(a, small):
    """:func:`_decay` of ``a``, or, where ``small`` says that ``a`` is at most
    :data:`_SMALL` (a flag fixed for a whole loop), :math:`(1 - r, r)` with
    :math:`r = 1 - e^{-a}` from its series alone."""
    if small:
        rest = _one_minus_exp_small(a)
        return 1.0 - rest, rest
    return _decay(a)


@kernel
def threshold_times(c0, span, tau_ca, log_theta_d, band):
    r"""``(t_above, t_p)``: how long a calcium decaying from ``c0`` with ``tau_ca``
    stays above :math:`\theta_d` and above :math:`\theta_p` within ``span`` (ms),
    from :math:`\ln(c_0/\theta_d)` (``log_theta_d`` = :math:`\ln\theta_d`,
    ``band`` = :math:`\ln(\theta_p/\theta_d)`); branch-free, so that loops using it
    vectorise."""
    log_d = vmath.log(max(c0, 1e-300)) - log_theta_d  # ln(c0/theta_d)
    t_above = min(span, max(0.0, tau_ca * log_d))  # above theta_d
    t_p = min(span, max(0.0, tau_ca * (log_d - band)))  # above theta_p
    return t_above, t_p


@kernel
def _advance_block(c, rho, last, n, jump, P, z, short_gaps):
    r"""Bring synapses ``c, rho, last`` (views of one block) to step ``n``, then add
    ``jump`` to their calcium; ``z`` holds one standard normal per synapse.

    The update of the module docstring, written without branches (selects only) and
    with :mod:`~neurosim.kernels.vmath` functions, so that LLVM runs it on eight
    synapses per AVX-512 instruction: the times above the thresholds from
    :math:`\ln(c_0/\theta_d)`; both Ornstein–Uhlenbeck parts (a part of length 0
    leaves :math:`\rho` unchanged and adds no variance); one Gaussian increment of
    their summed variance, :math:`\sigma\sqrt{v}\,z`; the cubic flow over the time
    :math:`t_0` below both, :math:`x \to x/\sqrt{1 - (1 - 4x^2)(1 - e^{-t_0/(2\tau)})}`;
    the calcium decay :math:`e^{-g\,dt/\tau_{Ca}}` over ``g`` steps. (Not from a
    table: a load at a data-dependent index might alias the stores, which keeps LLVM
    from vectorising the loop.) A synapse without noise variance (calcium below
    :math:`\theta_d` all along) ignores its ``z``.

    Two exponentials have arguments that are often small, and then come from
    :func:`_one_minus_exp_small`: the decay between the thresholds, whose argument is at most
    :math:`\gamma_d \tau_{Ca} \ln(\theta_p/\theta_d)/\tau` (7e-3 for the DP set;
    decided per rule), and :math:`1 - e^{-t_0/(2\tau)}` when ``short_gaps`` (every
    synapse of the block last updated less than :math:`0.01 \cdot 2\tau` ago, 3 s with
    the published tau). No result is formed by a cancelling subtraction: variances use
    :math:`1 - e^{-2a} = (1 - e^{-a})(1 + e^{-a})` with :math:`1 - e^{-a}` exact to
    rounding (:func:`_decay`), and the cubic flow's radicand is
    :math:`e^{-a} + 4x^2 (1 - e^{-a})`.
    """
    tau_ca, sigma, dt = P[TAU_CA], P[SIGMA], P[DT]
    band, log_theta_d = P[BAND], P[LOG_THETA_D]
    rate_p, inv_g, bar = P[RATE_P], P[INV_G], P[BAR]
    rate_d, inv_2gd, inv_tau, inv_2tau = P[RATE_D], P[INV_2GD], P[INV_TAU], P[INV_2TAU]
    step_decay = P[STEP_DECAY]
    band_small = P[BAND_ARG] <= _SMALL
    for k in range(c.shape[0]):
        gap = n - last[k]
        span = gap * dt
        c0, r = c[k], rho[k]
        t_above, t_p = threshold_times(c0, span, tau_ca, log_theta_d, band)
        t_d = t_above - t_p
        # above theta_p: relaxation to gamma_p/(gamma_p + gamma_d) (no drift: diffusion).
        # The variance uses 1 - e^(-2a) = (1 - e^(-a))(1 + e^(-a)) with 1 - e^(-a) from
        # its series for small a, so that slow rates keep their noise.
        decay, rest = _decay(rate_p * t_p)
        r = bar + (r - bar) * decay if t_p > 0.0 else r
        var = rest * (1.0 + decay) * inv_g if rate_p > 0.0 else 2.0 * t_p * inv_tau
        # between the thresholds: relaxation to 0
        a = rate_d * t_d
        decay, rest = _decay_if_large(a, band_small)
        r = r * decay
        band_var = rest * (1.0 + decay) * inv_2gd if rate_d > 0.0 else t_d * inv_tau
        var = var * decay * decay + band_var
        # both parts are linear Gaussian maps: one draw of the summed variance
        sd = var * vmath.rsqrt(max(var, 1e-300)) if var > 0.0 else 0.0
        r = r + sigma * sd * z[k]
        # below both thresholds: the cubic flow, x / sqrt(1 - (1 - 4x^2) m) with the
        # radicand written as e^(-a) + 4x^2 m: two non-negative terms, no cancellation
        # (1 - y loses all digits when m -> 1 near rho = 1/2)
        t_0 = span - t_above
        a = t_0 * inv_2tau
        e, m = _decay_if_large(a, short_gaps)
        x = r - 0.5
        rho[k] = 0.5 + x * vmath.rsqrt(e + 4.0 * x * x * m) if t_0 > 0.0 else r
        c[k] = c0 * vmath.exp_neg(-gap * step_decay) + jump
        last[k] = n


@kernel
def _advance_synapses(start, m, ids, gather, w, Ssyn, P, n, jump, R):
    """Advance ``m`` synapses: ``ids[start:start + m]`` when ``gather``, else the
    contiguous ``start`` to ``start + m`` (``m`` at most :data:`BLOCK`). They are
    staged in the scratch of ``R`` (rows c, rho, last), padded with inert entries to a
    multiple of :data:`_PAD`, advanced there by :func:`_advance_block`, and written
    back with their weights ``w = w_min + (w_max - w_min) rho`` (clipped)."""
    c, rho, last = Ssyn[0], Ssyn[1], Ssyn[2]
    work = R[SCRATCH : SCRATCH + 3 * BLOCK].view(np.float64)
    bc, brho, blast = work[:BLOCK], work[BLOCK : 2 * BLOCK], work[2 * BLOCK :]
    oldest = n
    for q in range(m):
        s = ids[start + q] if gather else start + q
        bc[q], brho[q], blast[q] = c[s], rho[s], last[s]
        oldest = min(oldest, blast[q])
    padded = (m + _PAD - 1) // _PAD * _PAD
    for q in range(m, padded):
        bc[q], brho[q], blast[q] = 0.0, 0.0, n
    short_gaps = (n - oldest) * P[DT] * P[INV_2TAU] < _SMALL
    off = take_normals(R, padded)
    z = R[off : off + padded].view(np.float64)
    _advance_block(bc[:padded], brho[:padded], blast[:padded], n, jump, P, z, short_gaps)
    w_min, w_max = P[W_MIN], P[W_MAX]
    for q in range(m):
        s = ids[start + q] if gather else start + q
        c[s], rho[s], last[s] = bc[q], brho[q], n
        w[s] = min(max(w_min + (w_max - w_min) * brho[q], w_min), w_max)


@kernel
def _advance_range(lo, hi, w, Ssyn, P, n, jump, R, target, post, transmit):
    """Advance the contiguous synapses ``lo`` to ``hi`` in blocks of :data:`BLOCK`;
    with ``transmit``, add each new weight to ``target[post]``."""
    for start in range(lo, hi, BLOCK):
        _advance_synapses(start, min(hi - start, BLOCK), post, False, w, Ssyn, P, n, jump, R)
    if transmit:
        for s in range(lo, hi):
            target[post[s]] += w[s]


@kernel
def gb_on_pre(indptr, post, w, Ssyn, Spre, Spost, P, spikes, count, n, target, R, X, M, Q, q):
    """Delayed presynaptic calcium transients (``C_pre``) of the spiking neurons."""
    touched = 0
    for k in range(count):
        i = spikes[k]
        lo, hi = indptr[i], indptr[i + 1]
        _advance_range(lo, hi, w, Ssyn, P, float(n), P[C_PRE], R, target, post, False)
        touched += hi - lo
    return touched


@kernel
def gb_on_transmit(indptr, post, w, Ssyn, Spre, Spost, P, spikes, count, n, target, R, X, M, Q, q):
    """Transmission: bring each synapse to the present step, then send
    ``w = w_min + (w_max - w_min) rho``. Splitting an interval at a transmission is
    exact (every part of the update composes), so it changes no statistics."""
    touched = 0
    for k in range(count):
        i = spikes[k]
        lo, hi = indptr[i], indptr[i + 1]
        _advance_range(lo, hi, w, Ssyn, P, float(n), 0.0, R, target, post, True)
        touched += hi - lo
    return touched


@kernel
def gb_on_post(ptr, syn, pre, w, Ssyn, Spre, Spost, P, spikes, count, n, R, X, M, Q, q):
    """Postsynaptic calcium transients (``C_post``) on every afferent synapse: the
    afferents, scattered in memory, are gathered into blocks in the stream's scratch
    area, advanced there, and written back."""
    touched = 0
    for k in range(count):
        j = spikes[k]
        for start in range(ptr[j], ptr[j + 1], BLOCK):
            m = min(ptr[j + 1] - start, BLOCK)
            _advance_synapses(start, m, syn, True, w, Ssyn, P, float(n), P[C_POST], R)
        touched += ptr[j + 1] - ptr[j]
    return touched


@entry
def gb_synchronize(w, Ssyn, P, n, R, X, M, Q, q):
    """Bring every synapse to step ``n`` (no calcium jump)."""
    no_post = np.zeros(0, dtype=np.uint32)
    _advance_range(0, w.shape[0], w, Ssyn, P, float(n), 0.0, R, w, no_post, False)


@RULES.register
class GraupnerBrunel(SynapseModel):
    """Graupner–Brunel 2012 calcium rule (see :mod:`neurosim.synapses.calcium`).

    Synapse state: ``c`` (calcium), ``rho`` (efficacy), ``last_step``; set the initial
    efficacy per synapse with ``projection.rho = values`` or through the weight: the
    initial ``weight`` (which must lie in ``[w_min, w_max]``) and every later
    ``projection.weight = values`` set ``rho = (w - w_min) / (w_max - w_min)``.
    """

    name = "graupner_brunel"
    Params = GraupnerBrunelParams
    synapse_vars = (("c", "1"), ("rho", "1"), (SynapseModel.LAST_UPDATE, "1"))
    delivers = False
    on_transmit = gb_on_transmit
    on_pre = gb_on_pre
    on_post = gb_on_post
    synchronize = staticmethod(gb_synchronize)

    def constants(self, dt):
        p = self.params
        g = p.gamma_p + p.gamma_d
        band = math.log(p.theta_p / p.theta_d)
        return pack(
            GB_SIZE,
            {
                TAU_CA: p.tau_Ca,
                C_PRE: p.C_pre,
                C_POST: p.C_post,
                SIGMA: p.sigma,
                DT: dt,
                W_MIN: p.w_min,
                W_MAX: p.w_max,
                BAND: band,
                LOG_THETA_D: math.log(p.theta_d),
                RATE_P: g / p.tau,
                INV_G: 1.0 / g if g > 0 else 0.0,
                BAR: p.gamma_p / g if g > 0 else 0.0,
                RATE_D: p.gamma_d / p.tau,
                INV_2GD: 1.0 / (2.0 * p.gamma_d) if p.gamma_d > 0 else 0.0,
                INV_TAU: 1.0 / p.tau,
                INV_2TAU: 0.5 / p.tau,
                STEP_DECAY: dt / p.tau_Ca,
                # t_d <= tau_Ca band
                BAND_ARG: p.gamma_d / p.tau * p.tau_Ca * band,
            },
        )

    def random_state(self, seed: int, name: str) -> np.ndarray:
        """A stream with buffered normals and scratch for one block of gathered
        synapses (:func:`neurosim.kernels.rng.buffered_state`)."""
        return buffered_state(seed, name, scratch=3 * BLOCK)

    def state_assigned(self, var, weight, Ssyn):
        """Keep ``w = w_min + (w_max - w_min) rho`` after ``rho`` or ``weight`` was set."""
        p = self.params
        if var == "rho":
            weight[:] = np.clip(p.w_min + (p.w_max - p.w_min) * Ssyn[1], p.w_min, p.w_max)
        elif var == "weight":
            Ssyn[1] = self.rho_of(weight)

    def check_weights(self, weight):
        """Refuse weights outside ``[w_min, w_max]`` (no efficacy rho maps to them)."""
        p = self.params
        note = " (w = w_min + (w_max - w_min) rho, rho in [0, 1])"
        check_bounds(weight, self.name, p.w_min, p.w_max, note)

    def rho_of(self, weight: np.ndarray) -> np.ndarray:
        """The efficacy of each weight: ``(w - w_min) / (w_max - w_min)`` (0 when
        ``w_min == w_max``)."""
        p = self.params
        span = p.w_max - p.w_min
        return (weight - p.w_min) / span if span > 0 else np.zeros_like(weight)

    def pre_lag_steps(self, dt):
        return int(round(self.params.D / dt))

    def initial_state(self, n_syn, n_pre, n_post, weight):
        S = np.zeros((3, n_syn))
        S[1] = self.rho_of(weight)
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
        return Brian2RuleSpec(
            model=f"""
                w = clip(w_min + (w_max - w_min)*rho, w_min, w_max) : 1
                dc/dt = -c/(tau_Ca*ms) : 1 (clock-driven)
                drho/dt = (-rho*(1 - rho)*(rho_star - rho) + gamma_p*(1 - rho)*int(c > theta_p)
                           - gamma_d*rho*int(c > theta_d))/(tau*ms){noise} : 1 (clock-driven)
            """,
            on_pre={"pre": "{target} += w", "calcium": "c += C_pre"},
            on_post="c += C_post",
            namespace=p.as_dict(),
            method="euler",
            lagged=("calcium",),
            synapse_state={"c": "c", "rho": "rho"},
        )


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
