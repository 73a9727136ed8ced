r"""Izhikevich's simple model neuron.

Izhikevich 2003, IEEE Trans. Neural Netw. 14:1569 (NEST ``izhikevich``):

.. math::
    \frac{dV}{dt} = 0.04 V^2 + 5 V + 140 - u + I, \qquad \frac{du}{dt} = a(bV - u)

with V in mV, t in ms and I (and u) in the model's units of mV/ms; as in NEST, a
current of 1 pA counts as 1 mV/ms. When V >= V_th: V <- c, u <- u + d. V and u are
advanced by forward Euler from the values at the start of the step (Brian2's
``euler``). Synaptic input is a voltage jump: receptors ``exc`` and ``inh`` both add
the (signed) weight in mV to V. Defaults: regular spiking, a 0.02/ms, b 0.2/ms,
c -65 mV, d 8 mV/ms, V_th 30 mV; initial V = c, u = bV.

``izhikevich_noisy`` is the same neuron with a random input: every step each neuron
adds to I a current drawn uniformly from :math:`[-I_{noise}/2,\ I_{noise}/2)`, held
over the step, from the population's own random stream: the "random thalamic input"
of Izhikevich's networks (``13 * (rand - 0.5)`` every 1 ms step in
:cite:p:`izhikevich2007`'s published code, i.e. ``I_noise = 13`` pA at ``dt = 1`` ms,
the default). The draws are per step, so the input's variance per unit time depends on
``dt``. ``izhikevich`` draws nothing.

References: :cite:p:`izhikevich2003` (the bibliography of the documentation, ``docs/references.bib``).
"""

from __future__ import annotations

from dataclasses import dataclass

from neurosim.backends.spec import Brian2NeuronSpec
from neurosim.kernels.jit import kernel
from neurosim.kernels.rng import uniform
from neurosim.neurons.base import MODELS, NeuronModel, current, fire_and_store
from neurosim.params import ParameterSet, pack, parameter

#: Slots of ``P`` (see :func:`neurosim.params.pack`): the step, ``a`` (recovery rate),
#: ``b`` (recovery sensitivity), ``c`` (reset), ``d`` (recovery jump), ``V_th`` and
#: the width of the uniform random current (``I_noise`` of ``izhikevich_noisy``, else 0);
#: ``IZHIKEVICH_SIZE`` is the length of ``P``.
H, RATE_U, SENS_U, V_RESET, JUMP_U, V_TH, NOISE, IZHIKEVICH_SIZE = range(8)


@dataclass(frozen=True)
class IzhikevichParams(ParameterSet):
    """Parameters of ``izhikevich`` (defaults: regular spiking, Izhikevich 2003)."""

    a: float = parameter(0.02, "1", doc="recovery rate (1/ms)")
    b: float = parameter(0.2, "1", doc="recovery sensitivity (1/ms)")
    c: float = parameter(-65.0, "voltage", doc="reset potential")
    d: float = parameter(8.0, "1", doc="recovery increment (mV/ms)")
    V_th: float = parameter(30.0, "voltage", doc="spike cut-off")
    I_e: float = parameter(0.0, "current", doc="constant external current (pA = mV/ms)")


@dataclass(frozen=True)
class NoisyIzhikevichParams(IzhikevichParams):
    """Parameters of ``izhikevich_noisy``: those of ``izhikevich`` and the width of its
    random input (default: Izhikevich 2007's published code, 13 pA at dt = 1 ms)."""

    I_noise: float = parameter(
        13.0, "current", low=0.0, doc="width of a uniform random current drawn every step"
    )


@kernel
def step_izhikevich(S, P, A, B, R, I, n, spikes):
    """Advance ``izhikevich`` neurons one step (forward Euler); see module docstring."""
    v, u = S[0], S[1]
    h, a, b, c, d, v_th = P[H], P[RATE_U], P[SENS_U], P[V_RESET], P[JUMP_U], P[V_TH]
    noise = P[NOISE]
    noisy = noise != 0.0
    count = 0
    finite = True
    for i in range(v.shape[0]):
        vi = v[i]
        ui = u[i]
        Ii = current(I, i)
        if noisy:
            Ii += noise * (uniform(R) - 0.5)
        v_new = vi + h * (0.04 * vi * vi + 5.0 * vi + 140.0 - ui + Ii)
        u_new = ui + h * a * (b * vi - ui)
        count, ok = fire_and_store(v_new >= v_th, i, v_new, u_new, v, u, c, d, spikes, count)
        finite &= ok
    return count if finite else -1


@MODELS.register
class Izhikevich(NeuronModel):
    """Izhikevich 2003 simple model (see :mod:`neurosim.neurons.izhikevich`)."""

    name = "izhikevich"
    Params = IzhikevichParams
    state_vars = ((NeuronModel.MEMBRANE, "voltage"), ("u", "1"))
    receptors = {"exc": NeuronModel.MEMBRANE, "inh": NeuronModel.MEMBRANE}
    step = step_izhikevich
    zero_current_as_empty = True

    def initial_values(self):
        p = self.params
        return {self.MEMBRANE: p.c, "u": p.b * p.c}

    def noise_width(self) -> float:
        """Width of the uniform random input current (pA): 0, none."""
        return 0.0

    def constants(self, dt):
        p = self.params
        return pack(
            IZHIKEVICH_SIZE,
            {
                H: dt,
                RATE_U: p.a,
                SENS_U: p.b,
                V_RESET: p.c,
                JUMP_U: p.d,
                V_TH: p.V_th,
                NOISE: self.noise_width(),
            },
        )

    def brian2_model(self):
        equations = """
                dv/dt = (0.04*v**2 + 5*v + 140 - u + I)/ms : 1
                du/dt = a*(b*v - u)/ms : 1
                I : 1
            """
        if self.noise_width():  # only then, so that other networks draw no numbers
            equations = equations.replace("+ I)", "+ I + I_rand)") + (
                "I_rand = I_noise*(rand() - 0.5) : 1 (constant over dt)\n"
            )
        return Brian2NeuronSpec(
            equations=equations,
            threshold="v >= V_th",
            reset="v = c; u += d",
            refractory=0.0,
            method="euler",
            namespace=self.params.as_dict(),
        )


@MODELS.register
class NoisyIzhikevich(Izhikevich):
    """``izhikevich`` with a uniform random input current drawn every step (see
    :mod:`neurosim.neurons.izhikevich`)."""

    name = "izhikevich_noisy"
    Params = NoisyIzhikevichParams

    def noise_width(self) -> float:
        return self.params.I_noise
