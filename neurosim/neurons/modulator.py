r"""Neuromodulator concentrations that plasticity rules read.

A modulator population holds one concentration :math:`c` per element: ``n = 1`` for a
global signal (dopamine broadcast to a whole projection), ``n = post.n`` for one per
postsynaptic neuron (an instructive or plateau signal). Spikes reach it through
``connect(source, modulator, receptor="release")``; a release of weight :math:`w`
(dimensionless) raises the concentration above its baseline :math:`b` by a peak of
exactly :math:`w`:

``tau_rise = 0`` (instant release)
    .. math:: \frac{dc}{dt} = -\frac{c - b}{\tau_d}, \qquad c \leftarrow c + w

    so :math:`c(t) - b = w\, e^{-t/\tau_d}` (peak :math:`w` at the release, area
    :math:`w \tau_d` in ms).

``tau_rise > 0`` (a signal that peaks later than its cause)
    .. math::
        \frac{dr}{dt} = -\frac{r}{\tau_r}, \qquad
        \frac{dc}{dt} = -\frac{c - b}{\tau_d} + g \frac{r}{\tau_r}, \qquad
        r \leftarrow r + w

    with :math:`g = (\tau_d - \tau_r)/(\tau_d h)`, so that
    :math:`c(t) - b = (w/h)\,(e^{-t/\tau_d} - e^{-t/\tau_r})`, which peaks at
    :math:`w` at

    .. math::
        t_{peak} = \frac{\tau_r \tau_d}{\tau_d - \tau_r} \ln\frac{\tau_d}{\tau_r},
        \qquad h = e^{-t_{peak}/\tau_d} - e^{-t_{peak}/\tau_r},

    with area :math:`w (\tau_d - \tau_r)/h` (ms). E.g. ``tau_decay = 30 min``,
    ``tau_rise = 6 min`` put the peak of an illness signal 12.07 min after an
    injection. The rise must be the shorter time constant (``tau_rise < tau_decay``).

Both are integrated by their exact solution on the time grid (no Euler step), with
:math:`E_d = e^{-\Delta t/\tau_d}`, :math:`E_r = e^{-\Delta t/\tau_r}` (0 without a
rise):

.. math::
    c_{n+1} = b + (c_n - b) E_d + \frac{r_n}{h} (E_d - E_r), \qquad r_{n+1} = r_n E_r,

and :meth:`Modulator.advance_quiet` jumps ``k`` steps at once with :math:`E^k`. A release
delivered in step :math:`n` is in the state at :math:`t_{n+1}` (the engine's delivery
convention). A modulator never spikes and ignores injected current.

Units: concentrations are dimensionless; time constants in ms. The difference of
exponentials is the usual alpha-like kernel of volume transmission (e.g. the
eligibility/dopamine model of Izhikevich 2007, Cereb. Cortex 17:2443, there with an
instant rise).

References: :cite:p:`izhikevich2007` (the bibliography of the documentation, ``docs/references.bib``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from neurosim.backends.spec import Brian2NeuronSpec
from neurosim.kernels.jit import kernel
from neurosim.neurons.base import MODELS, NeuronModel
from neurosim.params import ParameterSet, pack, parameter

#: Slots of ``P`` (see :func:`neurosim.params.pack`): baseline, per-step decay factors
#: of ``c`` (``E_d``) and ``r`` (``E_r``), per-step gain of ``r`` into ``c``
#: (``(E_d - E_r)/h``), the two time constants (ms) and ``1/h``.
BASELINE, DECAY, RISE, GAIN, TAU_DECAY, TAU_RISE, INV_PEAK, MODULATOR_SIZE = range(8)


@dataclass(frozen=True)
class ModulatorParams(ParameterSet):
    """Parameters of ``modulator``."""

    tau_decay: float = parameter(
        200.0, "time", low=0.0, low_open=True, doc="decay of the concentration"
    )
    tau_rise: float = parameter(
        0.0, "time", low=0.0, doc="rise of the concentration (0: instant release)"
    )
    baseline: float = parameter(0.0, "1", doc="concentration without release")

    def check(self) -> None:
        if self.tau_rise > 0 and not self.tau_rise < self.tau_decay:
            raise ValueError(
                f"ModulatorParams: parameter 'tau_rise' = {self.tau_rise!r} ms must be 0 or "
                f"below tau_decay = {self.tau_decay!r} ms (the rise is the faster process)"
            )


def peak_time(tau_decay: float, tau_rise: float) -> float:
    """Time (ms) from a release to the peak of the concentration:
    :math:`\\tau_r\\tau_d/(\\tau_d - \\tau_r)\\ln(\\tau_d/\\tau_r)`, 0 without a rise."""
    if tau_rise == 0:
        return 0.0
    return tau_rise * tau_decay / (tau_decay - tau_rise) * math.log(tau_decay / tau_rise)


def _peak_factor(tau_decay: float, tau_rise: float) -> float:
    """:math:`h = e^{-t_{peak}/\\tau_d} - e^{-t_{peak}/\\tau_r}` (1 without a rise)."""
    if tau_rise == 0:
        return 1.0
    t = peak_time(tau_decay, tau_rise)
    return math.exp(-t / tau_decay) - math.exp(-t / tau_rise)


@kernel
def step_modulator(S, P, A, B, R, I, n, spikes):
    """Advance ``modulator`` concentrations one step by their exact solution; never
    spikes (returns 0, or -1 if the state is not finite)."""
    c, r = S[0], S[1]
    base, e_d, e_r, gain = P[BASELINE], P[DECAY], P[RISE], P[GAIN]
    finite = True
    for i in range(c.shape[0]):
        ci = base + (c[i] - base) * e_d + gain * r[i]
        ri = r[i] * e_r
        c[i] = ci
        r[i] = ri
        finite &= (ci - ci == 0.0) and (ri - ri == 0.0)
    return 0 if finite else -1


@MODELS.register
class Modulator(NeuronModel):
    """Neuromodulator concentration (see :mod:`neurosim.neurons.modulator`).

    State rows: ``c`` (concentration) and ``r`` (released, still rising; 0 without a
    rise). Receptor ``release`` adds the weight to ``c`` (``tau_rise = 0``) or to
    ``r`` (``tau_rise > 0``), so that a release of weight ``w`` peaks at ``w`` above
    the baseline either way.
    """

    name = "modulator"
    Params = ModulatorParams
    state_vars = (("c", "1"), ("r", "1"))
    receptors = {"release": "c"}
    step = step_modulator

    def __init__(self, params=None, **values):
        super().__init__(params, **values)
        self.receptors = {"release": "r" if self.params.tau_rise > 0 else "c"}

    def initial_values(self):
        return {"c": self.params.baseline}

    def constants(self, dt):
        p = self.params
        e_d = math.exp(-dt / p.tau_decay)
        e_r = math.exp(-dt / p.tau_rise) if p.tau_rise > 0 else 0.0
        inv_h = 1.0 / _peak_factor(p.tau_decay, p.tau_rise)
        return pack(
            MODULATOR_SIZE,
            {
                BASELINE: p.baseline,
                DECAY: e_d,
                RISE: e_r,
                GAIN: (e_d - e_r) * inv_h if p.tau_rise > 0 else 0.0,
                TAU_DECAY: p.tau_decay,
                TAU_RISE: p.tau_rise,
                INV_PEAK: inv_h,
            },
        )

    def peak_time(self) -> float:
        """Time (ms) from a release to the peak of the concentration."""
        return peak_time(self.params.tau_decay, self.params.tau_rise)

    def advance_quiet(self, S, P, dt, steps) -> bool:
        """Advance the state ``S`` by ``steps`` steps without releases, in place, by the
        exact solution (the same as ``steps`` calls of the step kernel, up to
        rounding); returns True."""
        e_d = math.exp(-steps * dt / P[TAU_DECAY])
        e_r = math.exp(-steps * dt / P[TAU_RISE]) if P[TAU_RISE] > 0 else 0.0
        gain = (e_d - e_r) * P[INV_PEAK] if P[TAU_RISE] > 0 else 0.0
        base = P[BASELINE]
        S[0] = base + (S[0] - base) * e_d + gain * S[1]
        S[1] *= e_r
        return True

    def brian2_model(self):
        """The same equations for a Brian2 ``NeuronGroup`` (no threshold), integrated
        exactly (``method="exact"``)."""
        p = self.params
        if p.tau_rise > 0:
            gain = (p.tau_decay - p.tau_rise) / (
                p.tau_decay * _peak_factor(p.tau_decay, p.tau_rise)
            )
            equations = """
                dc/dt = -(c - baseline)/(tau_decay*ms) + gain*r/(tau_rise*ms) : 1
                dr/dt = -r/(tau_rise*ms) : 1
            """
        else:
            gain = 0.0
            equations = """
                dc/dt = -(c - baseline)/(tau_decay*ms) : 1
                r : 1
            """
        return Brian2NeuronSpec(
            equations=equations + "I : 1\n",
            threshold=None,
            reset=None,
            refractory=0.0,
            method="exact",
            namespace={**p.as_dict(), "gain": gain},
        )


@kernel
def remember(S, before):
    """Copy the modulator state ``S`` into ``before``."""
    for k in range(S.shape[0]):
        for i in range(S.shape[1]):
            before[k, i] = S[k, i]


@kernel
def released(S, before):
    """Whether the modulator state ``S`` differs from ``before``, the copy taken right
    after its last update: a release (or an assignment) reached it since."""
    for k in range(S.shape[0]):
        for i in range(S.shape[1]):
            if S[k, i] != before[k, i]:
                return True
    return False


@kernel
def at(M, row, j):
    """Row ``row`` of modulator state ``M`` as seen by postsynaptic neuron ``j``: its
    own column for a per-neuron modulator, column 0 for a global one."""
    return M[row, j] if M.shape[1] > 1 else M[row, 0]


def check_reader(modulator, network, post, synapse) -> None:
    """Raise an error unless ``modulator`` can be read by a plastic projection onto
    ``post`` in ``network``: a modulator population of the same network with one
    concentration or one per neuron of ``post``, read by a plasticity rule."""
    model = getattr(modulator, "model", None)
    if getattr(modulator, "network", None) is not network or not isinstance(model, Modulator):
        raise TypeError(
            f"modulator = {modulator!r} must be a modulator population of this network "
            "(made by Network.add_modulator)"
        )
    if synapse is None:
        raise ValueError(
            f"modulator = {modulator.name!r} needs a plasticity rule (synapse=...) to read it"
        )
    if modulator.n not in (1, post.n):
        raise ValueError(
            f"modulator {modulator.name!r} has n = {modulator.n} concentrations; a projection "
            f"onto {post.name!r} reads n = 1 (global) or n = {post.n} (one per neuron)"
        )
