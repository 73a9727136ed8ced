r"""Leaky integrate-and-fire neurons with exponential synapses.

Two models share one threshold/reset/refractory scheme:

``lif`` — current-based (NEST ``iaf_psc_exp``)
    .. math::
        C \frac{dV}{dt} = -\frac{C}{\tau_m}(V - E_L) + I_{syn,e} + I_{syn,i} + I_{ext},
        \qquad \frac{dI_{syn,x}}{dt} = -\frac{I_{syn,x}}{\tau_{syn,x}}

    integrated exactly on the time grid (Rotter & Diesmann 1999, Biol. Cybern. 81:381):
    :math:`V_{n+1} = E_L + (V_n - E_L)e^{-h/\tau_m} + I_{ext}\tau_m(1-e^{-h/\tau_m})/C
    + \sum_x I_{syn,x} P_{21,x}` with
    :math:`P_{21,x} = e^{-h/\tau_m}(e^{(1/\tau_m - 1/\tau_{syn,x})h} - 1) /
    (C(1/\tau_m - 1/\tau_{syn,x}))`. Receptors ``exc``/``inh`` add the weight (pA,
    signed) to :math:`I_{syn,e}`/:math:`I_{syn,i}`.
    Defaults: NEST ``iaf_psc_exp`` (C 250 pF, tau_m 10 ms, E_L -70 mV, V_th -55 mV,
    V_reset -70 mV, t_ref 2 ms, tau_syn 2 ms).

``lif_cond`` — conductance-based (NEST ``iaf_cond_exp``; Vogels & Abbott 2005)
    .. math::
        C \frac{dV}{dt} = g_L(E_L - V) + g_e(E_e - V) + g_i(E_i - V) + I_{ext},
        \qquad \frac{dg_x}{dt} = -\frac{g_x}{\tau_x}

    Conductances decay exactly; V is advanced with the conductances of the start of
    the step, by forward Euler (``method="euler"``, applied to V only; the
    conductances still decay exactly) or by exponential Euler (``method="exponential_euler"``:
    :math:`V_{n+1} = V_\infty + (V_n - V_\infty) e^{-h g_{tot}/C}`, exact for frozen
    conductances; the exponential is :func:`neurosim.kernels.vmath.exp`, within 1 ulp
    of the C library's and vectorised over neurons). Receptors ``exc``/``inh`` add the weight (nS, >= 0) to
    :math:`g_e`/:math:`g_i`. Defaults: the COBA network of Vogels & Abbott 2005
    (J. Neurosci. 25:10786) as used by Brette et al. 2007 (J. Comput. Neurosci.
    23:349): C 200 pF, g_L 10 nS, E_L -60 mV, V_th -50 mV, V_reset -60 mV, t_ref 5 ms,
    tau_e 5 ms, tau_i 10 ms, E_e 0 mV, E_i -80 mV.

Both: a neuron fires in the step where V exceeds V_th (strictly), the spike is stamped
with the step's start time, V is set to V_reset and held there for ``t_ref`` (rounded
to whole steps as Brian2 does, ``n_ref = int((t_ref + 1e-3 dt)/dt)``; the neuron
integrates again once ``n - n_spike >= n_ref``,
Brian2's rule). Synaptic variables decay during refractoriness.

References: :cite:p:`gerstner2014,vogels2005` (the bibliography of the documentation, ``docs/references.bib``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from neurosim.backends.spec import Brian2NeuronSpec
from neurosim.kernels import vmath
from neurosim.kernels.jit import kernel
from neurosim.neurons.base import (
    MODELS,
    NeuronModel,
    current,
    refractory_steps,
    synaptic_layout,
    threshold_reset,
)
from neurosim.params import ParameterSet, pack, parameter

#: Slots of ``P`` that both models fill alike (see :func:`neurosim.params.pack`).
E_L, V_TH, V_RESET, N_REF, DECAY_EX, DECAY_IN = range(6)
#: Slots of ``P`` of ``lif``: propagators of V from V, the external current and the
#: synaptic currents; ``LIF_SIZE`` is the length of ``P``.
P22, P20, P21_EX, P21_IN, LIF_SIZE = range(6, 11)
#: Slots of ``P`` of ``lif_cond``: dt / C, the leak, the reversal potentials and the
#: integration method (1: exponential Euler); ``LIF_COND_SIZE`` is the length of ``P``.
H_C, G_L, E_E, E_I, EXP_EULER, LIF_COND_SIZE = range(6, 12)


def _check_reset_below_threshold(p):
    if p.V_reset >= p.V_th:
        raise ValueError(f"V_reset = {p.V_reset} mV must be below V_th = {p.V_th} mV")


@dataclass(frozen=True)
class LIFCurrentParams(ParameterSet):
    """Parameters of ``lif`` (defaults: NEST ``iaf_psc_exp``)."""

    C: float = parameter(250.0, "capacitance", low=0.0, low_open=True, doc="membrane capacitance")
    tau_m: float = parameter(10.0, "time", low=0.0, low_open=True, doc="membrane time constant")
    E_L: float = parameter(-70.0, "voltage", doc="resting potential")
    V_th: float = parameter(-55.0, "voltage", doc="spike threshold")
    V_reset: float = parameter(-70.0, "voltage", doc="reset potential")
    t_ref: float = parameter(2.0, "time", low=0.0, doc="refractory period")
    tau_syn_ex: float = parameter(
        2.0, "time", low=0.0, low_open=True, doc="excitatory synaptic time constant"
    )
    tau_syn_in: float = parameter(
        2.0, "time", low=0.0, low_open=True, doc="inhibitory synaptic time constant"
    )
    I_e: float = parameter(0.0, "current", doc="constant external current")

    def check(self):
        _check_reset_below_threshold(self)


@dataclass(frozen=True)
class LIFCondParams(ParameterSet):
    """Parameters of ``lif_cond`` (defaults: Vogels & Abbott 2005 COBA)."""

    C: float = parameter(200.0, "capacitance", low=0.0, low_open=True, doc="membrane capacitance")
    g_L: float = parameter(10.0, "conductance", low=0.0, low_open=True, doc="leak conductance")
    E_L: float = parameter(-60.0, "voltage", doc="leak reversal potential")
    V_th: float = parameter(-50.0, "voltage", doc="spike threshold")
    V_reset: float = parameter(-60.0, "voltage", doc="reset potential")
    t_ref: float = parameter(5.0, "time", low=0.0, doc="refractory period")
    E_e: float = parameter(0.0, "voltage", doc="excitatory reversal potential")
    E_i: float = parameter(-80.0, "voltage", doc="inhibitory reversal potential")
    tau_e: float = parameter(
        5.0, "time", low=0.0, low_open=True, doc="excitatory conductance decay"
    )
    tau_i: float = parameter(
        10.0, "time", low=0.0, low_open=True, doc="inhibitory conductance decay"
    )
    I_e: float = parameter(0.0, "current", doc="constant external current")
    method: str = parameter(
        "exponential_euler", choices=("euler", "exponential_euler"), doc="integration of V"
    )

    def check(self):
        _check_reset_below_threshold(self)


def _p21(h: float, tau_m: float, tau_s: float, C: float) -> float:
    """Exact propagator from an exponentially decaying current to V (see docstring)."""
    a, b = 1.0 / tau_m, 1.0 / tau_s
    if abs(a - b) * h < 1e-12:
        return h * math.exp(-a * h) / C
    return math.exp(-a * h) * math.expm1((a - b) * h) / (a - b) / C


@kernel
def _integrate_current(v, ie, ii, last, I, n, e_l, p22, p20, p21e, p21i, de, di, n_ref):
    finite = True
    for i in range(v.shape[0]):
        vi = v[i]
        v_new = e_l + (vi - e_l) * p22 + current(I, i) * p20 + ie[i] * p21e + ii[i] * p21i
        v_new = v_new if n - last[i] >= n_ref else vi
        v[i] = v_new
        ie[i] *= de
        ii[i] *= di
        finite &= v_new - v_new == 0.0
    return finite


@kernel
def step_lif_current(S, P, A, B, R, I, n, spikes):
    """Advance ``lif`` neurons one step (exact propagators in ``P``); see module."""
    v, last = S[0], S[3]
    props = (P[P22], P[P20], P[P21_EX], P[P21_IN], P[DECAY_EX], P[DECAY_IN])
    finite = _integrate_current(v, S[1], S[2], last, I, n, P[E_L], *props, P[N_REF])
    count = threshold_reset(v, last, n, P[V_TH], P[V_RESET], P[N_REF], spikes)
    return count if finite else -1


@kernel
def _integrate_cond_euler(v, ge, gi, last, I, n, h_c, g_l, e_l, e_e, e_i, de, di, n_ref):
    finite = True
    for i in range(v.shape[0]):
        vi = v[i]
        gei = ge[i]
        gii = gi[i]
        v_new = vi + h_c * (g_l * (e_l - vi) + gei * (e_e - vi) + gii * (e_i - vi) + current(I, i))
        v_new = v_new if n - last[i] >= n_ref else vi
        v[i] = v_new
        ge[i] = gei * de
        gi[i] = gii * di
        finite &= v_new - v_new == 0.0
    return finite


@kernel
def _integrate_cond_exp_euler(v, ge, gi, last, I, n, h_c, g_l, e_l, e_e, e_i, de, di, n_ref):
    # branch-free (the refractory case is a select), so that the loop vectorises
    finite = True
    for i in range(v.shape[0]):
        vi = v[i]
        gei = ge[i]
        gii = gi[i]
        g_tot = g_l + gei + gii
        v_inf = (g_l * e_l + gei * e_e + gii * e_i + current(I, i)) / g_tot
        v_new = v_inf + (vi - v_inf) * vmath.exp(-h_c * g_tot)
        v_new = v_new if n - last[i] >= n_ref else vi
        v[i] = v_new
        ge[i] = gei * de
        gi[i] = gii * di
        finite &= v_new - v_new == 0.0
    return finite


@kernel
def step_lif_cond(S, P, A, B, R, I, n, spikes):
    """Advance ``lif_cond`` neurons one step; see module docstring."""
    v, last = S[0], S[3]
    consts = (P[H_C], P[G_L], P[E_L], P[E_E], P[E_I], P[DECAY_EX], P[DECAY_IN], P[N_REF])
    args = (v, S[1], S[2], last, I, n, *consts)
    if P[EXP_EULER] != 0.0:
        finite = _integrate_cond_exp_euler(*args)
    else:
        finite = _integrate_cond_euler(*args)
    count = threshold_reset(v, last, n, P[V_TH], P[V_RESET], P[N_REF], spikes)
    return count if finite else -1


def _shared_slots(p, dt, tau_ex, tau_in) -> dict[int, float]:
    """Values of the slots both models share (``tau_ex``, ``tau_in``: synaptic decays)."""
    return {
        E_L: p.E_L,
        V_TH: p.V_th,
        V_RESET: p.V_reset,
        N_REF: refractory_steps(p.t_ref, dt),
        DECAY_EX: math.exp(-dt / tau_ex),
        DECAY_IN: math.exp(-dt / tau_in),
    }


@MODELS.register
class LIF(NeuronModel):
    """Current-based LIF with exponential synaptic currents (see :mod:`neurosim.neurons.lif`)."""

    name = "lif"
    Params = LIFCurrentParams
    state_vars, receptors = synaptic_layout("I_syn_ex", "I_syn_in", "current")
    step = step_lif_current
    zero_current_as_empty = True

    def constants(self, dt):
        p = self.params
        return pack(
            LIF_SIZE,
            {
                **_shared_slots(p, dt, p.tau_syn_ex, p.tau_syn_in),
                P22: math.exp(-dt / p.tau_m),
                P20: -p.tau_m / p.C * math.expm1(-dt / p.tau_m),
                P21_EX: _p21(dt, p.tau_m, p.tau_syn_ex, p.C),
                P21_IN: _p21(dt, p.tau_m, p.tau_syn_in, p.C),
            },
        )

    def brian2_model(self):
        p = self.params
        return Brian2NeuronSpec(
            equations="""
                dv/dt = -(v - E_L)/tau_m/ms + (I_syn_ex + I_syn_in + I)/C/ms : 1 (unless refractory)
                dI_syn_ex/dt = -I_syn_ex/tau_syn_ex/ms : 1
                dI_syn_in/dt = -I_syn_in/tau_syn_in/ms : 1
                I : 1
            """,
            threshold="v > V_th",
            reset="v = V_reset",
            refractory=p.t_ref,
            method="exact",
            namespace=p.as_dict(),
        )


@MODELS.register
class LIFCond(NeuronModel):
    """Conductance-based LIF with exponential conductances (see :mod:`neurosim.neurons.lif`)."""

    name = "lif_cond"
    Params = LIFCondParams
    state_vars, receptors = synaptic_layout("g_e", "g_i", "conductance")
    step = step_lif_cond
    zero_current_as_empty = True

    def euler_limits(self):
        """With ``method="euler"``, dt must stay below ``tau_m = C / g_L``."""
        p = self.params
        return {"tau_m = C/g_L": p.C / p.g_L} if p.method == "euler" else {}

    def constants(self, dt):
        p = self.params
        return pack(
            LIF_COND_SIZE,
            {
                **_shared_slots(p, dt, p.tau_e, p.tau_i),
                H_C: dt / p.C,
                G_L: p.g_L,
                E_E: p.E_e,
                E_I: p.E_i,
                EXP_EULER: 1.0 if p.method == "exponential_euler" else 0.0,
            },
        )

    def brian2_model(self):
        p = self.params
        ns = p.as_dict()
        del ns["method"]
        return Brian2NeuronSpec(
            equations="""
                dv/dt = (g_L*(E_L - v) + g_e*(E_e - v) + g_i*(E_i - v) + I)/C/ms : 1 (unless refractory)
                dg_e/dt = -g_e/tau_e/ms : 1
                dg_i/dt = -g_i/tau_i/ms : 1
                I : 1
            """,
            threshold="v > V_th",
            reset="v = V_reset",
            refractory=p.t_ref,
            method=p.method,
            namespace=ns,
        )
