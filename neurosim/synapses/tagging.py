r"""Synaptic tagging and capture: calcium-driven early phase, protein, late phase.

The model of Luboeinski & Tetzlaff 2021 (Commun. Biol. 4:275; equations of Li et al.
2016, PLoS ONE 11:e0161679), with the calcium of Graupner & Brunel 2012. Each synapse
has a calcium concentration :math:`c`, an early-phase weight :math:`h` (mV) and a
late-phase weight :math:`z`; each postsynaptic neuron an amount of plasticity-related
protein :math:`p`, shared by all its afferent synapses (of every projection onto it
that uses this rule):

.. math::
    \frac{dc}{dt} = -\frac{c}{\tau_{Ca}} + C_{pre}\sum_i \delta(t - t_i - D)
        + C_{post}\sum_j \delta(t - t_j)

    \tau_h \frac{dh}{dt} = 0.1\,(h_0 - h) + \gamma_p (h_{max} - h)\,\Theta[c - \theta_p]
        - \gamma_d\, h\, \Theta[c - \theta_d]
        + \sigma\sqrt{\tau_h}\sqrt{\Theta[c-\theta_p] + \Theta[c-\theta_d]}\;\Gamma(t)

    \tau_p \frac{dp}{dt} = -p + \alpha\,\Theta\Big[\sum_{s \to j} |h_s - h_0| - \theta_{pro}\Big]\,(1 - b_j)

    \tau_z \frac{dz}{dt} = p\,(1 - z)\,\Theta[(h - h_0) - \theta_{tag}]
        - p\,(z + 0.5)\,\Theta[(h_0 - h) - \theta_{tag}]

and the transmitted weight is :math:`w = h + h_0 z`. A synapse is *tagged* while
:math:`|h - h_0| > \theta_{tag}`; the neuron synthesises protein while the summed early
change of its afferents exceeds :math:`\theta_{pro}`, unless blocked: :math:`b_j \in
[0, 1]` is the neuron row ``synthesis_block`` (1: synthesis fully blocked, e.g. by
anisomycin), set by the user or by :func:`block_protein_synthesis`.

**Interface** (for networks built on the rule): synapse rows ``c``, ``h`` (early
weight, mV), ``z`` (late weight), ``last_step``, ``post_index``; per-neuron rows (shared
by name with every projection onto the population that uses the rule) ``protein``
(:math:`p` at step ``protein_step``, with source ``protein_source`` =
:math:`\alpha\Theta(1-b)` since then; the present value is
:func:`neurosim.synapses.protein.protein_at`), ``early_sum`` (the summed early change
at step ``early_sum_step``) and ``synthesis_block`` (the block :math:`b`; set it from
``start`` to ``stop`` with :func:`neurosim.synapses.protein.block_protein_synthesis`).
Per projection and postsynaptic
neuron (``S_post``): the protein piece its synapses were last integrated with, and the
step at which its synapses' calcium falls below :math:`\theta_d`.

**Event-driven scheme.** Between two events of a synapse its calcium only decays, so
the interval splits into a time above :math:`\theta_p`, one between the thresholds
and one below both (:func:`neurosim.synapses.calcium.threshold_times`). :math:`h` is
linear in each part, so each part is solved exactly: an Ornstein–Uhlenbeck relaxation
to :math:`(0.1 h_0 + \gamma_p h_{max})/(0.1 + \gamma_p + \gamma_d)` above
:math:`\theta_p` and to :math:`0.1 h_0/(0.1 + \gamma_d)` between the thresholds (one
Gaussian draw of their summed exact variance), then the deterministic relaxation
:math:`h_0 + (h - h_0)e^{-0.1 t/\tau_h}` below both. The tag ends at the closed-form
time :math:`t_{off} = (\tau_h/0.1)\ln(|h - h_0|/\theta_{tag})`, and over a tagged
stretch with :math:`p(t) = u + (p_0 - u)e^{-t/\tau_p}` the late phase is
:math:`1 - z \to (1 - z)e^{-K}` (or :math:`z + 0.5 \to (z + 0.5)e^{-K}`) with
:math:`K = \tau_z^{-1}\int p\,dt` in closed form. The neuron's summed early change
relaxes as one exponential below the thresholds (all :math:`|h - h_0|` decay with the
same rate), so it is kept per neuron as a value and its step, corrected by each
synapse's update (its true :math:`|h - h_0|` replaces the relaxed one).

A clock-driven ``on_step`` loops over neurons only: it brings a neuron's synapses up
to date (one pass over the projection's synapses, in steps where it is needed) when the
calcium of its last active synapse has fallen below :math:`\theta_d` (so that the sum
holds the whole transient) and when its protein source :math:`u` flips (the sum
crosses :math:`\theta_{pro}`, or the block changes), so that between flips :math:`p`
is one exponential. ``advance_quiet`` jumps quiet periods exactly, processing at their
own steps the flips that the sum's decay causes (bit for bit as stepping).

**Approximation**: during a calcium transient (calcium above :math:`\theta_d`, a few
hundred ms after an event) the tag is taken as it is at the end of the transient; the
error in :math:`z` is at most :math:`p\,t_{above}/\tau_z` per transient (below
:math:`3\cdot10^{-4}` for a 1 s tetanus); the neuron's sum, and with it the protein's
switch-on, may lag the crossing of :math:`\theta_{pro}` by the rest of a transient (the
synapse's next event or the settle step: at most a few hundred ms, against
:math:`\tau_p` = 60 min). Between a synapse's events its weight is
current as of its last update (events, the neuron's flips); transmission brings it to
the present step. Initial weights set :math:`h` (:math:`z = 0`); the neuron's sum
counts the changes the rule makes, not initial deviations from :math:`h_0` (it is
kept :math:`\ge 0`). Units: times in ms, :math:`h`, :math:`h_0`, thresholds in mV.

References: :cite:p:`luboeinski2021`, :cite:p:`li2016stc`, :cite:p:`graupner2012`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from neurosim.backends.spec import Brian2RuleSpec
from neurosim.kernels.jit import entry, kernel
from neurosim.kernels.rng import normal
from neurosim.params import ParameterSet, pack, parameter
from neurosim.synapses.base import RULES, SynapseModel
from neurosim.synapses.calcium import _decay, check_thresholds, threshold_times


@dataclass(frozen=True)
class TaggingParams(ParameterSet):
    """Parameters of ``tagging_capture`` (defaults: Luboeinski & Tetzlaff 2021,
    network values; see ``models/synapses/luboeinski_tetzlaff_2021.toml``)."""

    tau_Ca: float = parameter(48.8, "time", low=0.0, low_open=True, doc="calcium decay")
    C_pre: float = parameter(0.6, low=0.0, doc="presynaptic calcium amplitude")
    C_post: float = parameter(0.16548, low=0.0, doc="postsynaptic calcium amplitude")
    D: float = parameter(18.8, "time", low=0.0, doc="delay of the presynaptic calcium")
    theta_d: float = parameter(1.2, low=0.0, low_open=True, doc="depression threshold")
    theta_p: float = parameter(3.0, low=0.0, low_open=True, doc="potentiation threshold")
    gamma_d: float = parameter(313.1, low=0.0, doc="depression rate")
    gamma_p: float = parameter(1645.6, low=0.0, doc="potentiation rate")
    tau_h: float = parameter(688400.0, "time", low=0.0, low_open=True, doc="early-phase tau")
    h0: float = parameter(4.20075, "voltage", low=0.0, low_open=True, doc="resting h")
    h_max: float = parameter(10.0, "voltage", low=0.0, doc="potentiation target of h")
    sigma: float = parameter(2.90436, "voltage", low=0.0, doc="early-phase noise")
    theta_tag: float = parameter(0.840149, "voltage", low=0.0, doc="tagging threshold")
    theta_pro: float = parameter(2.10037, "voltage", low=0.0, doc="protein threshold")
    tau_p: float = parameter(3600000.0, "time", low=0.0, low_open=True, doc="protein tau")
    alpha: float = parameter(1.0, low=0.0, doc="protein synthesis amount")
    tau_z: float = parameter(3600000.0, "time", low=0.0, low_open=True, doc="late-phase tau")
    z_min: float = parameter(-0.5, high=0.0, doc="late-phase lower bound")
    z_max: float = parameter(1.0, low=0.0, doc="late-phase upper bound")

    def check(self):
        check_thresholds(self.theta_d, self.theta_p)


#: Slots of ``P``: the step, calcium (decay per step, jumps, tau, ln theta_d,
#: ln(theta_p/theta_d), theta_d), early phase (h0, fixed point, rate and variance per
#: sigma^2 above theta_p and between the thresholds, relaxation rate 0.1/tau_h),
#: thresholds, protein and late phase; ``STC_SIZE`` is the length.
DT, STEP_DECAY, C_PRE, C_POST, TAU_CA, LOG_THETA_D, BAND, THETA_D = range(8)
H0, P_FIX, P_RATE, P_VAR, D_FIX, D_RATE, D_VAR, RELAX = range(8, 16)
THETA_TAG, THETA_PRO, TAU_P, ALPHA, TAU_Z, Z_MIN, Z_MAX, SIGMA, STC_SIZE = range(16, 25)
#: Rows of ``Ssyn`` (``POST``: the synapse's postsynaptic neuron, filled at the first
#: step, so that the fast-forward hook, which gets no index arrays, can use it).
C, H, Z, LAST, POST = range(5)
#: Rows of ``Spost`` (per projection): the protein piece the projection's synapses
#: were last integrated with (value, step, source), the step at which the calcium of
#: the neuron's last active synapse falls below theta_d (-1: none), a scratch flag.
P_SEEN, SEEN_STEP, U_SEEN, SETTLE, FLAG = range(5)
#: Order of the per-neuron rows (``neuron_vars``), i.e. of ``q``.
PROTEIN, PROTEIN_STEP, PROTEIN_SOURCE, EARLY_SUM, EARLY_SUM_STEP, BLOCK = range(6)
NEURON_VARS = (
    ("protein", "1"),
    ("protein_step", "1"),
    ("protein_source", "1"),
    ("early_sum", "voltage"),
    ("early_sum_step", "1"),
    ("synthesis_block", "1"),
)


@kernel
def protein_integral(p0, u, x, y, tau_p):
    """:math:`\\int_x^y p\\,dt` for :math:`p(t) = u + (p_0 - u)e^{-t/\\tau_p}` (ms)."""
    return u * (y - x) + (p0 - u) * tau_p * (math.exp(-x / tau_p) - math.exp(-y / tau_p))


@kernel
def early_sum_at(Q, q, j, n, P):
    """The summed early change of neuron ``j`` at step ``n`` (relaxed from its value
    at its last update)."""
    s = Q[q[EARLY_SUM], j]
    if s == 0.0:
        return 0.0
    return s * math.exp(-(n - Q[q[EARLY_SUM_STEP], j]) * P[DT] * P[RELAX])


@kernel
def source_at(Q, q, j, n, P):
    """The protein source :math:`\\alpha\\Theta[\\Sigma - \\theta_{pro}](1 - b)` of
    neuron ``j`` at step ``n``."""
    if early_sum_at(Q, q, j, n, P) > P[THETA_PRO]:
        return P[ALPHA] * (1.0 - Q[q[BLOCK], j])
    return 0.0


@kernel
def _transient(h, c0, span, P, R):
    """``h`` after the calcium's time above the thresholds within ``span`` (ms),
    and that time: both Ornstein–Uhlenbeck parts exactly, one Gaussian draw."""
    t_above, t_p = threshold_times(c0, span, P[TAU_CA], P[LOG_THETA_D], P[BAND])
    var = 0.0
    if t_p > 0.0:
        decay, rest = _decay(P[P_RATE] * t_p)
        h = P[P_FIX] + (h - P[P_FIX]) * decay
        var = P[P_VAR] * rest * (1.0 + decay)
    t_d = t_above - t_p
    if t_d > 0.0:
        decay, rest = _decay(P[D_RATE] * t_d)
        h = P[D_FIX] + (h - P[D_FIX]) * decay
        var = var * decay * decay + P[D_VAR] * rest * (1.0 + decay)
    if var > 0.0 and P[SIGMA] > 0.0:
        h += P[SIGMA] * math.sqrt(var) * normal(R)
    return h, t_above


@kernel
def _late(z, dev, start, t_above, t_0, piece, P):
    """``z`` after a tagged stretch: tagged from ``start`` (ms since the protein
    piece's step) through the transient and until the tag ends below the thresholds;
    ``piece`` = (p0, u)."""
    size = abs(dev)
    if size <= P[THETA_TAG] or (piece[0] == 0.0 and piece[1] == 0.0):
        return z
    tagged = t_above + min(t_0, math.log(size / P[THETA_TAG]) / P[RELAX])
    k = protein_integral(piece[0], piece[1], start, start + tagged, P[TAU_P]) / P[TAU_Z]
    if dev > 0.0:
        return P[Z_MAX] - (P[Z_MAX] - z) * math.exp(-k)
    return P[Z_MIN] + (z - P[Z_MIN]) * math.exp(-k)


@kernel
def _advance(s, j, n, jump, w, Ssyn, Spost, P, R, Q, q):
    """Bring synapse ``s`` (onto neuron ``j``) to step ``n``, then add ``jump`` to its
    calcium; update the neuron's early sum and the step at which its calcium settles."""
    a = Ssyn[LAST, s]
    span = (n - a) * P[DT]
    c0, h_a, h0 = Ssyn[C, s], Ssyn[H, s], P[H0]
    h, t_above = _transient(h_a, c0, span, P, R)
    t_0 = span - t_above
    dev = h - h0
    start = (a - Spost[SEEN_STEP, j]) * P[DT]
    piece = (Spost[P_SEEN, j], Spost[U_SEEN, j])
    Ssyn[Z, s] = _late(Ssyn[Z, s], dev, start, t_above, t_0, piece, P)
    h = h0 + dev * math.exp(-P[RELAX] * t_0)
    old = abs(h_a - h0) * math.exp(-P[RELAX] * span)
    total = early_sum_at(Q, q, j, n, P) + abs(h - h0) - old
    Q[q[EARLY_SUM], j] = max(total, 0.0)
    Q[q[EARLY_SUM_STEP], j] = n
    c = c0 * math.exp(-(n - a) * P[STEP_DECAY]) + jump
    Ssyn[C, s], Ssyn[H, s], Ssyn[LAST, s] = c, h, n
    w[s] = h + h0 * Ssyn[Z, s]
    if c >= P[THETA_D]:
        settle = n + math.ceil(P[TAU_CA] * math.log(c / P[THETA_D]) / P[DT])
        Spost[SETTLE, j] = max(Spost[SETTLE, j], settle)


@kernel
def _presynaptic(indptr, post, w, Ssyn, Spost, P, spikes, count, n, jump, target, R, Q, q):
    """Bring the synapses of the ``count`` spiking neurons to step ``n`` and add
    ``jump`` to their calcium; with a ``target`` (non-empty), transmit their weights."""
    touched = 0
    for k in range(count):
        i = spikes[k]
        for s in range(indptr[i], indptr[i + 1]):
            _advance(s, post[s], n, jump, w, Ssyn, Spost, P, R, Q, q)
            if target.shape[0] > 0:
                target[post[s]] += w[s]
        touched += indptr[i + 1] - indptr[i]
    return touched


@kernel
def stc_on_pre(indptr, post, w, Ssyn, Spre, Spost, P, spikes, count, n, target, R, X, M, Q, q):
    """Delayed presynaptic calcium transients (``C_pre``) of the spiking neurons."""
    none = target[:0]
    return _presynaptic(indptr, post, w, Ssyn, Spost, P, spikes, count, n, P[C_PRE], none, R, Q, q)


@kernel
def stc_on_transmit(indptr, post, w, Ssyn, Spre, Spost, P, spikes, count, n, target, R, X, M, Q, q):
    """Transmission: bring each synapse to the present step, then send
    :math:`w = h + h_0 z`."""
    return _presynaptic(indptr, post, w, Ssyn, Spost, P, spikes, count, n, 0.0, target, R, Q, q)


@kernel
def stc_on_post(ptr, syn, pre, w, Ssyn, Spre, Spost, P, spikes, count, n, R, X, M, Q, q):
    """Postsynaptic calcium transients (``C_post``) on every afferent synapse."""
    touched = 0
    for j in spikes[:count]:
        touched += ptr[j + 1] - ptr[j]
        for m in range(ptr[j], ptr[j + 1]):
            _advance(syn[m], j, n, P[C_POST], w, Ssyn, Spost, P, R, Q, q)
    return touched


@kernel
def _flag(Spost, P, n, Q, q):
    """Mark the neurons whose synapses must be brought to step ``n``: 1 where the
    calcium has settled, 2 where the protein source flips. Returns whether any is."""
    any_flag = False
    for j in range(Spost.shape[1]):
        settle = Spost[SETTLE, j]
        if settle >= 0.0 and n >= settle:
            Spost[FLAG, j] = 1.0
            Spost[SETTLE, j] = -1.0
            any_flag = True
        if source_at(Q, q, j, n, P) != Spost[U_SEEN, j]:
            Spost[FLAG, j] = 2.0
            any_flag = True
    return any_flag


@kernel
def _process(w, Ssyn, Spost, P, n, R, Q, q):
    """Bring the synapses of the flagged neurons to step ``n``; start a new protein
    piece where the source flipped (also written to the shared rows)."""
    touched = 0
    for s in range(w.shape[0]):
        j = int(Ssyn[POST, s])
        if Spost[FLAG, j] != 0.0:
            _advance(s, j, n, 0.0, w, Ssyn, Spost, P, R, Q, q)
            touched += 1
    for j in range(Spost.shape[1]):
        if Spost[FLAG, j] == 2.0:
            t = (n - Spost[SEEN_STEP, j]) * P[DT]
            u = Spost[U_SEEN, j]
            p = u + (Spost[P_SEEN, j] - u) * math.exp(-t / P[TAU_P])
            u_new = source_at(Q, q, j, n, P)
            Spost[P_SEEN, j], Spost[SEEN_STEP, j], Spost[U_SEEN, j] = p, n, u_new
            Q[q[PROTEIN], j], Q[q[PROTEIN_STEP], j], Q[q[PROTEIN_SOURCE], j] = p, n, u_new
        Spost[FLAG, j] = 0.0
    return touched


@kernel
def stc_on_step(indptr, post, w, Ssyn, Spre, Spost, P, n, v_post, R, X, M, Q, q):
    """Per neuron: settled calcium and protein flips (see module docstring)."""
    if w.shape[0] > 0 and Ssyn[POST, 0] < 0.0:
        for s in range(w.shape[0]):
            Ssyn[POST, s] = post[s]
    if not _flag(Spost, P, n, Q, q):
        return 0
    return _process(w, Ssyn, Spost, P, n, R, Q, q)


@kernel
def _next_flip(Spost, P, n0, n1, Q, q):
    """The first step in ``[n0, n1)`` at which ``on_step`` would act when nothing
    else happens (the sum's decay below theta_pro, or a pending settle), else ``n1``."""
    first = n1
    for j in range(Spost.shape[1]):
        settle = Spost[SETTLE, j]
        if settle >= 0.0:
            first = min(first, max(n0, int(settle)))
        if source_at(Q, q, j, n0, P) != Spost[U_SEEN, j]:
            return n0
        # the crossing of theta_pro, also before the sum's last update (another
        # projection onto the neuron may have jumped past it already)
        s = Q[q[EARLY_SUM], j]
        if s > 0.0 and Spost[U_SEEN, j] != 0.0:
            m = Q[q[EARLY_SUM_STEP], j] + math.log(s / P[THETA_PRO]) / (P[DT] * P[RELAX])
            m = max(n0, min(first, int(m) - 2))
            while m < first and source_at(Q, q, j, m, P) == Spost[U_SEEN, j]:
                m += 1
            first = min(first, m)
    return first


@entry
def stc_advance_quiet(w, Ssyn, Spost, P, n0, n1, R, Q, q):
    """Jump steps ``n0`` to ``n1`` without events: only the flips that ``on_step``
    would make, each at its own step."""
    n = _next_flip(Spost, P, n0, n1, Q, q)
    while n < n1:
        if _flag(Spost, P, n, Q, q):
            _process(w, Ssyn, Spost, P, n, R, Q, q)
        n = _next_flip(Spost, P, n + 1, n1, Q, q)


@RULES.register
class TaggingCapture(SynapseModel):
    """Synaptic tagging and capture (see :mod:`neurosim.synapses.tagging`).

    Synapse state ``c``, ``h`` (mV), ``z``, ``last_step``; per-neuron rows ``protein``,
    ``protein_step``, ``protein_source``, ``early_sum``, ``early_sum_step``,
    ``synthesis_block``. The initial ``weight`` sets ``h`` (``z = 0``); the transmitted
    weight is ``h + h0 z`` (mV for a voltage-jump receptor).
    """

    name = "tagging_capture"
    Params = TaggingParams
    synapse_vars = (
        ("c", "1"),
        ("h", "voltage"),
        ("z", "1"),
        (SynapseModel.LAST_UPDATE, "1"),
        ("post_index", "1"),
    )
    post_vars = (("p_seen", "1"), ("seen_step", "1"), ("u_seen", "1"), ("settle", "1"))
    post_vars = (*post_vars, ("flag", "1"))
    neuron_vars = NEURON_VARS
    activity_vars = ("c",)  # zeroed by the approximate fast-forward
    delivers, clock_driven = False, True
    on_transmit, on_pre, on_post, on_step = stc_on_transmit, stc_on_pre, stc_on_post, stc_on_step

    def constants(self, dt):
        p = self.params
        g_p = 0.1 + p.gamma_p + p.gamma_d
        g_d = 0.1 + p.gamma_d
        return pack(
            STC_SIZE,
            {
                DT: dt,
                STEP_DECAY: dt / p.tau_Ca,
                C_PRE: p.C_pre,
                C_POST: p.C_post,
                TAU_CA: p.tau_Ca,
                LOG_THETA_D: math.log(p.theta_d),
                BAND: math.log(p.theta_p / p.theta_d),
                THETA_D: p.theta_d,
                H0: p.h0,
                P_FIX: (0.1 * p.h0 + p.gamma_p * p.h_max) / g_p,
                P_RATE: g_p / p.tau_h,
                P_VAR: 1.0 / g_p,  # sigma^2 * 2 / (2 g_p)
                D_FIX: 0.1 * p.h0 / g_d,
                D_RATE: g_d / p.tau_h,
                D_VAR: 0.5 / g_d,
                RELAX: 0.1 / p.tau_h,
                THETA_TAG: p.theta_tag,
                THETA_PRO: p.theta_pro,
                TAU_P: p.tau_p,
                ALPHA: p.alpha,
                TAU_Z: p.tau_z,
                Z_MIN: p.z_min,
                Z_MAX: p.z_max,
                SIGMA: p.sigma,
            },
        )

    def pre_lag_steps(self, dt):
        return int(round(self.params.D / dt))

    def initial_state(self, n_syn, n_pre, n_post, weight):
        S = np.zeros((5, n_syn))
        S[H] = weight
        S[POST] = -1.0
        Spost = np.zeros((5, n_post))
        Spost[SETTLE] = -1.0
        return S, np.zeros((0, n_pre)), Spost

    def check_weights(self, weight):
        """Refuse negative weights (``h`` is an excitatory early-phase weight)."""
        if weight.size and weight.min() < 0:
            raise ValueError(f"{self.name}: weights (h) must be >= 0 mV, got {weight.min()}")

    def state_assigned(self, var, weight, Ssyn):
        """Keep ``w = h + h0 z`` after ``h``, ``z`` or ``weight`` was set (a weight
        sets ``h = w - h0 z``)."""
        h0 = self.params.h0
        if var == "weight":
            Ssyn[H] = weight - h0 * Ssyn[Z]
        elif var in ("h", "z"):
            weight[:] = Ssyn[H] + h0 * Ssyn[Z]

    def advance_quiet(self, w, Ssyn, Spre, Spost, P, n0, n1, R, X, M, Q, q):
        """Exact jump over steps without events: the flips of each neuron's protein
        source that the decay of its early sum causes, each at its own step."""
        if w.shape[0] and Ssyn[POST, 0] < 0:
            raise RuntimeError(f"{self.name}: fast-forward before the first step of a run")
        stc_advance_quiet(w, Ssyn, Spost, P, n0, n1, R, Q, q)

    def brian2_model(self) -> Brian2RuleSpec:
        raise NotImplementedError(f"{self.name} has no Brian2 counterpart")
