r"""Adaptive exponential integrate-and-fire neuron (AdEx) with exponential conductances.

Brette & Gerstner 2005, J. Neurophysiol. 94:3637 (NEST ``aeif_cond_exp``):

.. math::
    C \frac{dV}{dt} = g_L(E_L - V) + g_L \Delta_T e^{(V - V_T)/\Delta_T} - w
        + g_e(E_e - V) + g_i(E_i - V) + I_{ext}

    \tau_w \frac{dw}{dt} = a(V - E_L) - w,
    \qquad \frac{dg_x}{dt} = -\frac{g_x}{\tau_x}

When V exceeds V_peak: V <- V_reset, w <- w + b, and V is held for ``t_ref``. V and w
are advanced by forward Euler from the values at the start of the step (Brian2's
``euler``); the conductances decay exactly. Units: V, E, V_T, Delta_T mV; C pF;
g, a nS; w, b, I pA; tau ms. Defaults: Brette & Gerstner 2005 Table 1 (tonic
spiking fit) with NEST's synaptic defaults (tau_syn_ex 0.2 ms, tau_syn_in 2 ms,
E_ex 0 mV, E_in -85 mV) and V_peak 0 mV.

References: :cite:p:`brette2005` (the bibliography of the documentation, ``docs/references.bib``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from neurosim.backends.spec import Brian2NeuronSpec
from neurosim.kernels.jit import kernel
from neurosim.neurons.base import (
    MODELS,
    NeuronModel,
    current,
    fire_and_store,
    refractory_steps,
    synaptic_layout,
)
from neurosim.params import ParameterSet, pack, parameter

#: Slots of ``P`` (see :func:`neurosim.params.pack`): the step, the parameters of the
#: same names (``C_M``: C, ``A_SUB``: a, ``B_SPIKE``: b), the refractory period in
#: steps and the conductance decays per step;
#: ``ADEX_SIZE`` is the length of ``P``.
(H, C_M, G_L, E_L, V_T, DELTA_T, V_PEAK, V_RESET, N_REF, A_SUB, B_SPIKE, TAU_W, E_E, E_I) = range(
    14
)
DECAY_E, DECAY_I, ADEX_SIZE = range(14, 17)


@dataclass(frozen=True)
class AdExParams(ParameterSet):
    """Parameters of ``adex`` (defaults: Brette & Gerstner 2005)."""

    C: float = parameter(281.0, "capacitance", low=0.0, low_open=True, doc="membrane capacitance")
    g_L: float = parameter(30.0, "conductance", low=0.0, low_open=True, doc="leak conductance")
    E_L: float = parameter(-70.6, "voltage", doc="leak reversal potential")
    V_T: float = parameter(-50.4, "voltage", doc="exponential threshold (rheobase) potential")
    Delta_T: float = parameter(2.0, "voltage", low=0.0, low_open=True, doc="slope factor")
    V_peak: float = parameter(0.0, "voltage", doc="spike detection potential")
    V_reset: float = parameter(-70.6, "voltage", doc="reset potential")
    t_ref: float = parameter(0.0, "time", low=0.0, doc="refractory period")
    a: float = parameter(4.0, "conductance", doc="subthreshold adaptation")
    b: float = parameter(80.5, "current", doc="spike-triggered adaptation increment")
    tau_w: float = parameter(144.0, "time", low=0.0, low_open=True, doc="adaptation time constant")
    E_e: float = parameter(0.0, "voltage", doc="excitatory reversal potential")
    E_i: float = parameter(-85.0, "voltage", doc="inhibitory reversal potential")
    tau_e: float = parameter(
        0.2, "time", low=0.0, low_open=True, doc="excitatory conductance decay"
    )
    tau_i: float = parameter(
        2.0, "time", low=0.0, low_open=True, doc="inhibitory conductance decay"
    )
    I_e: float = parameter(0.0, "current", doc="constant external current")

    def check(self):
        if self.V_reset >= self.V_peak:
            raise ValueError(f"V_reset = {self.V_reset} mV must be below V_peak = {self.V_peak} mV")


@kernel
def step_adex(S, P, A, B, R, I, n, spikes):
    """Advance ``adex`` neurons one step (forward Euler); see module docstring."""
    v, w, ge, gi, last = S[0], S[1], S[2], S[3], S[4]
    h, c, g_l, e_l, v_t, d_t = P[H], P[C_M], P[G_L], P[E_L], P[V_T], P[DELTA_T]
    v_peak, v_reset, n_ref = P[V_PEAK], P[V_RESET], P[N_REF]
    a, b, tau_w = P[A_SUB], P[B_SPIKE], P[TAU_W]
    e_e, e_i, de, di = P[E_E], P[E_I], P[DECAY_E], P[DECAY_I]
    count = 0
    finite = True
    for i in range(v.shape[0]):
        vi = v[i]
        wi = w[i]
        if n - last[i] >= n_ref:
            dv = (
                g_l * (e_l - vi)
                + g_l * d_t * math.exp((vi - v_t) / d_t)
                - wi
                + ge[i] * (e_e - vi)
                + gi[i] * (e_i - vi)
                + current(I, i)
            ) / c
            vi = vi + h * dv
        wi = wi + h * (a * (v[i] - e_l) - wi) / tau_w
        fire = vi > v_peak and n - last[i] >= n_ref
        last[i] = n if fire else last[i]
        count, ok = fire_and_store(fire, i, vi, wi, v, w, v_reset, b, spikes, count)
        ge[i] *= de
        gi[i] *= di
        finite &= ok
    return count if finite else -1


@MODELS.register
class AdEx(NeuronModel):
    """Adaptive exponential integrate-and-fire neuron (see :mod:`neurosim.neurons.adex`)."""

    name = "adex"
    Params = AdExParams
    state_vars, receptors = synaptic_layout("g_e", "g_i", "conductance", ("w", "current"))
    step = step_adex
    zero_current_as_empty = True

    def euler_limits(self):
        """V and w are advanced by forward Euler: dt must stay below ``tau_w`` and the
        membrane time constant ``C / g_L``."""
        p = self.params
        return {"tau_w": p.tau_w, "tau_m = C/g_L": p.C / p.g_L}

    def constants(self, dt):
        p = self.params
        return pack(
            ADEX_SIZE,
            {
                H: dt,
                C_M: p.C,
                G_L: p.g_L,
                E_L: p.E_L,
                V_T: p.V_T,
                DELTA_T: p.Delta_T,
                V_PEAK: p.V_peak,
                V_RESET: p.V_reset,
                N_REF: refractory_steps(p.t_ref, dt),
                A_SUB: p.a,
                B_SPIKE: p.b,
                TAU_W: p.tau_w,
                E_E: p.E_e,
                E_I: p.E_i,
                DECAY_E: math.exp(-dt / p.tau_e),
                DECAY_I: math.exp(-dt / p.tau_i),
            },
        )

    def brian2_model(self):
        p = self.params
        return Brian2NeuronSpec(
            equations="""
                dv/dt = (g_L*(E_L - v) + g_L*Delta_T*exp((v - V_T)/Delta_T) - w
                         + g_e*(E_e - v) + g_i*(E_i - v) + I)/C/ms : 1 (unless refractory)
                dw/dt = (a*(v - E_L) - w)/tau_w/ms : 1
                dg_e/dt = -g_e/tau_e/ms : 1
                dg_i/dt = -g_i/tau_i/ms : 1
                I : 1
            """,
            threshold="v > V_peak",
            reset="v = V_reset; w += b",
            refractory=p.t_ref,
            method="euler",
            namespace=p.as_dict(),
        )
