r"""Calcium control hypothesis: NMDA-receptor calcium sets the sign and rate of plasticity.

Shouval, Bear & Cooper 2002 (PNAS 99:10831); equations and parameter values as in
the published re-implementation of the model (values with the 1e-4 correction of P2
noted there). Per synapse, calcium :math:`[Ca]` (µM) and weight :math:`w`:

.. math::
    \frac{d[Ca]}{dt} = P_0\, G_{NMDA}\, g(t)\, B(V)\, (V_r - V) - \frac{[Ca]}{\tau_{Ca}},
    \qquad
    \frac{dw}{dt} = \eta([Ca])\,\big(\Omega([Ca]) - \lambda w\big)

- NMDA open fraction of the presynaptic neuron,
  :math:`g(t) = \sum_i a_i (I_f e^{-(t-t_i)/\tau_f} + I_s e^{-(t-t_i)/\tau_s})`, where
  each spike opens the closed fraction, :math:`a_i = 1 - g(t_i^-)`;
- magnesium block :math:`B(V) = 1/(1 + e^{-0.062 V}[Mg]/3.57)` (Jahr & Stevens 1990);
- dendritic voltage :math:`V = V_{soma} + BPAP(t - t_{post} - 2\,\text{ms})`, with the
  back-propagating action potential
  :math:`BPAP(s) = 100\,\text{mV}\,(b_f e^{-s/\tau_{bf}} + b_s e^{-s/\tau_{bs}})` after
  the last postsynaptic spike. :math:`V_{soma}` is the postsynaptic neuron's membrane
  potential (``voltage="membrane"``), or, for protocols on spike sources,
  :math:`V_{rest}` plus an EPSP kernel
  :math:`s (e^{-t/\tau_1} - e^{-t/\tau_2})` normalised to peak ``s`` after each
  presynaptic spike (``voltage="kernel"``, the paper's own set-up);
- :math:`\Omega(c) = 0.25 + \mathrm{sig}(c - \alpha_2, \beta_2) - 0.25\,\mathrm{sig}(c - \alpha_1, \beta_1)`,
  :math:`\mathrm{sig}(x, \beta) = 1/(1 + e^{-\beta x})`: low calcium depresses, high
  calcium potentiates;
- :math:`\eta(c) = 1/\tau_w(c)`, :math:`\tau_w = P_1/(P_2 + c^{P_3}) + P_4` (s).

**Clock-driven part.** Calcium depends on the dendritic voltage at every instant while
NMDA receptors are open, so it has no event-driven closed form: the synapses of a
presynaptic neuron are integrated every step (exact calcium decay, Euler for the
influx and for w) only while that neuron's NMDA gate or their calcium is above
``1e-6`` of its scale — about 3 s after its last spike. Otherwise calcium is zero and
:math:`w` relaxes exactly to :math:`\Omega(0)/\lambda` with rate :math:`\lambda\eta(0)`,
applied when the synapse is next touched.

References: :cite:p:`shouval2002` (the bibliography of the documentation, ``docs/references.bib``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from neurosim.backends.spec import Brian2RuleSpec
from neurosim.kernels.jit import entry, kernel
from neurosim.neurons.base import NEVER, NeuronModel
from neurosim.params import ParameterSet, pack, parameter
from neurosim.synapses.base import RULES, SynapseModel

#: Slots of ``P`` (see :func:`neurosim.params.pack`): the step, then the parameters of
#: the same names, with ``G_CA`` = P0 G_NMDA, ``KERNEL`` (1 with ``voltage="kernel"``),
#: ``ACTIVE_STEPS`` (steps a presynaptic neuron's synapses stay integrated after its
#: spike) and ``EPSP_SCALE`` (the EPSP kernel's factor for a peak of
#: ``epsp_amplitude``); ``SHOUVAL_SIZE`` is the length of ``P``.
DT, TAU_CA, G_CA, I_F, TAU_F, TAU_S, V_R, MG = range(8)
BPAP_AMPLITUDE, BPAP_FAST, TAU_BPAP_FAST, TAU_BPAP_SLOW, BPAP_DELAY = range(8, 13)
ALPHA1, ALPHA2, BETA1, BETA2, P1, P2, P3, P4, LAM = range(13, 22)
KERNEL, TAU_EPSP_DECAY, TAU_EPSP_RISE, ACTIVE_STEPS, V_REST, EPSP_SCALE = range(22, 28)
SHOUVAL_SIZE = 28


@dataclass(frozen=True)
class ShouvalParams(ParameterSet):
    """Parameters of ``shouval_2002`` (calcium in µM, times in ms)."""

    tau_Ca: float = parameter(50.0, "time", low=0.0, low_open=True, doc="calcium decay")
    P0: float = parameter(0.5, low=0.0, doc="NMDA open probability factor")
    G_NMDA: float = parameter(1.0 / 500.0, low=0.0, doc="NMDA calcium conductance (µM/(ms mV))")
    I_f: float = parameter(0.5, low=0.0, high=1.0, doc="fast NMDA component")
    tau_f: float = parameter(50.0, "time", low=0.0, low_open=True, doc="fast NMDA decay")
    tau_s: float = parameter(200.0, "time", low=0.0, low_open=True, doc="slow NMDA decay")
    V_r: float = parameter(130.0, "voltage", doc="calcium reversal potential")
    Mg: float = parameter(1.0, low=0.0, doc="extracellular magnesium (mM)")
    bpap_amplitude: float = parameter(100.0, "voltage", low=0.0, doc="BPAP peak")
    bpap_fast: float = parameter(0.75, low=0.0, high=1.0, doc="fast BPAP fraction")
    tau_bpap_fast: float = parameter(3.0, "time", low=0.0, low_open=True, doc="fast BPAP decay")
    tau_bpap_slow: float = parameter(
        25.0, "time", low=0.0, low_open=True, doc="slow BPAP (ADP) decay"
    )
    bpap_delay: float = parameter(2.0, "time", low=0.0, doc="BPAP arrival after the spike")
    alpha1: float = parameter(0.35, low=0.0, doc="depression onset (µM)")
    alpha2: float = parameter(0.55, low=0.0, doc="potentiation onset (µM)")
    beta1: float = parameter(80.0, low=0.0, doc="steepness at alpha1 (1/µM)")
    beta2: float = parameter(80.0, low=0.0, doc="steepness at alpha2 (1/µM)")
    P1: float = parameter(0.1, low=0.0, low_open=True, doc="learning-rate P1 (s)")
    P2: float = parameter(1e-5, low=0.0, low_open=True, doc="learning-rate P2 (µM^P3)")
    P3: float = parameter(3.0, low=0.0, doc="learning-rate exponent")
    P4: float = parameter(1.0, low=0.0, low_open=True, doc="learning-rate P4 (s)")
    lam: float = parameter(1.0, low=0.0, low_open=True, doc="weight decay factor lambda")
    voltage: str = parameter(
        "membrane", choices=("membrane", "kernel"), doc="somatic voltage source"
    )
    V_rest: float = parameter(-65.0, "voltage", doc="resting potential (kernel mode)")
    epsp_amplitude: float = parameter(1.0, "voltage", low=0.0, doc="EPSP peak (kernel mode)")
    tau_epsp_decay: float = parameter(50.0, "time", low=0.0, low_open=True, doc="EPSP decay")
    tau_epsp_rise: float = parameter(5.0, "time", low=0.0, low_open=True, doc="EPSP rise")

    def check(self):
        if not self.alpha1 < self.alpha2:
            raise ValueError(f"alpha1 = {self.alpha1} must be below alpha2 = {self.alpha2}")
        if not self.tau_epsp_rise < self.tau_epsp_decay:
            raise ValueError("tau_epsp_rise must be shorter than tau_epsp_decay")


@kernel
def _sig(x, beta):
    return 1.0 / (1.0 + math.exp(-beta * x))


@kernel
def omega(ca, P):
    """Omega function of the calcium control hypothesis."""
    return 0.25 + _sig(ca - P[ALPHA2], P[BETA2]) - 0.25 * _sig(ca - P[ALPHA1], P[BETA1])


@kernel
def eta(ca, P):
    """Learning rate (1/ms)."""
    return 1.0 / (1000.0 * (P[P1] / (P[P2] + ca ** P[P3]) + P[P4]))


@kernel
def _relax(w, span, P):
    """Exact relaxation of w with zero calcium over ``span`` ms."""
    lam = P[LAM]
    target = omega(0.0, P) / lam
    return target + (w - target) * math.exp(-lam * eta(0.0, P) * span)


@kernel
def sh_on_pre(indptr, post, w, Ssyn, Spre, Spost, P, spikes, count, n, target, R, X, M, Q, q):
    """Presynaptic spikes: bring idle synapses up to date, open NMDA receptors."""
    dt = P[DT]
    last = Ssyn[1]
    touched = 0
    for k in range(count):
        i = spikes[k]
        gap = (n - Spre[4, i]) * dt
        fast = Spre[0, i] * math.exp(-gap / P[TAU_F])
        slow = Spre[1, i] * math.exp(-gap / P[TAU_S])
        opened = 1.0 - (fast + slow)
        if opened < 0.0:
            opened = 0.0
        Spre[0, i] = fast + opened * P[I_F]
        Spre[1, i] = slow + opened * (1.0 - P[I_F])
        e_decay = Spre[2, i] * math.exp(-gap / P[TAU_EPSP_DECAY])
        e_rise = Spre[3, i] * math.exp(-gap / P[TAU_EPSP_RISE])
        Spre[2, i] = e_decay + 1.0
        Spre[3, i] = e_rise + 1.0
        Spre[4, i] = n
        for s in range(indptr[i], indptr[i + 1]):
            if Ssyn[0, s] == 0.0 and last[s] < n:
                w[s] = _relax(w[s], (n - last[s]) * dt, P)
                last[s] = n
            target[post[s]] += w[s]
        touched += indptr[i + 1] - indptr[i]
    return touched


@kernel
def sh_on_post(ptr, syn, pre, w, Ssyn, Spre, Spost, P, spikes, count, n, R, X, M, Q, q):
    """Postsynaptic spikes start a back-propagating action potential."""
    for k in range(count):
        Spost[0, spikes[k]] = n
    return 0


@kernel
def sh_on_step(indptr, post, w, Ssyn, Spre, Spost, P, n, v_post, R, X, M, Q, q):
    """Integrate the synapses of presynaptic neurons whose NMDA receptors or calcium
    are active (clock-driven; see module docstring)."""
    dt, tau_ca, g0, v_r, mg = P[DT], P[TAU_CA], P[G_CA], P[V_R], P[MG]
    active_steps = P[ACTIVE_STEPS]
    ca_decay = math.exp(-dt / tau_ca)
    kernel = P[KERNEL] != 0.0
    ca, last = Ssyn[0], Ssyn[1]
    touched = 0
    for i in range(indptr.shape[0] - 1):
        since = n - Spre[4, i]
        if since > active_steps or Spre[4, i] < 0:
            continue
        gap = since * dt
        gate = Spre[0, i] * math.exp(-gap / P[TAU_F]) + Spre[1, i] * math.exp(-gap / P[TAU_S])
        epsp = 0.0
        if kernel:
            epsp = P[EPSP_SCALE] * (
                Spre[2, i] * math.exp(-gap / P[TAU_EPSP_DECAY])
                - Spre[3, i] * math.exp(-gap / P[TAU_EPSP_RISE])
            )
        for s in range(indptr[i], indptr[i + 1]):
            j = post[s]
            if kernel:
                v = P[V_REST] + epsp
            else:
                v = v_post[j]
            t_bp = (n - Spost[0, j]) * dt - P[BPAP_DELAY]
            if Spost[0, j] >= 0 and t_bp >= 0.0:
                fast = P[BPAP_FAST] * math.exp(-t_bp / P[TAU_BPAP_FAST])
                slow = (1.0 - P[BPAP_FAST]) * math.exp(-t_bp / P[TAU_BPAP_SLOW])
                v += P[BPAP_AMPLITUDE] * (fast + slow)
            block = 1.0 / (1.0 + math.exp(-0.062 * v) * mg / 3.57)
            c = ca[s] * ca_decay + dt * g0 * gate * block * (v_r - v)
            if c < 0.0:
                c = 0.0
            w[s] += dt * eta(c, P) * (omega(c, P) - P[LAM] * w[s])
            ca[s] = c if since < active_steps else 0.0
            last[s] = n
        touched += indptr[i + 1] - indptr[i]
    return touched


@RULES.register
class Shouval2002(SynapseModel):
    """Calcium control hypothesis (see :mod:`neurosim.synapses.nmda_calcium`)."""

    name = "shouval_2002"
    Params = ShouvalParams
    synapse_vars = (("Ca", "1"), (SynapseModel.LAST_UPDATE, "1"))
    pre_vars = (
        ("nmda_fast", "1"),
        ("nmda_slow", "1"),
        ("epsp_decay", "1"),
        ("epsp_rise", "1"),
        (SynapseModel.LAST_SPIKE, "1"),
    )
    post_vars = ((SynapseModel.LAST_SPIKE, "1"),)
    clock_driven = True
    on_pre = sh_on_pre
    on_post = sh_on_post
    on_step = sh_on_step

    def constants(self, dt):
        p = self.params
        # EPSP kernel normalised to peak 1: peak of e^{-t/a} - e^{-t/b} at
        # t* = ln(a/b) a b / (a - b)
        a, b = p.tau_epsp_decay, p.tau_epsp_rise
        t_peak = math.log(a / b) * a * b / (a - b)
        norm = math.exp(-t_peak / a) - math.exp(-t_peak / b)
        longest = max(p.tau_s, p.tau_epsp_decay)
        # active while the gate exceeds 1e-6 of its scale, plus 20 calcium decays
        active = math.ceil((longest * math.log(1e6) + 20 * p.tau_Ca) / dt)
        return pack(
            SHOUVAL_SIZE,
            {
                DT: dt,
                TAU_CA: p.tau_Ca,
                G_CA: p.P0 * p.G_NMDA,
                I_F: p.I_f,
                TAU_F: p.tau_f,
                TAU_S: p.tau_s,
                V_R: p.V_r,
                MG: p.Mg,
                BPAP_AMPLITUDE: p.bpap_amplitude,
                BPAP_FAST: p.bpap_fast,
                TAU_BPAP_FAST: p.tau_bpap_fast,
                TAU_BPAP_SLOW: p.tau_bpap_slow,
                BPAP_DELAY: p.bpap_delay,
                ALPHA1: p.alpha1,
                ALPHA2: p.alpha2,
                BETA1: p.beta1,
                BETA2: p.beta2,
                P1: p.P1,
                P2: p.P2,
                P3: p.P3,
                P4: p.P4,
                LAM: p.lam,
                KERNEL: 1.0 if p.voltage == "kernel" else 0.0,
                TAU_EPSP_DECAY: p.tau_epsp_decay,
                TAU_EPSP_RISE: p.tau_epsp_rise,
                ACTIVE_STEPS: float(active),
                V_REST: p.V_rest,
                EPSP_SCALE: p.epsp_amplitude / norm,
            },
        )

    def check_target(self, post_model):
        names = [v for v, _ in post_model.state_vars]
        if self.params.voltage == "membrane" and NeuronModel.MEMBRANE not in names:
            raise ValueError(
                f"shouval_2002 with voltage='membrane' needs a postsynaptic membrane "
                f"potential; {post_model.name} has none (use voltage='kernel')"
            )

    def initial_state(self, n_syn, n_pre, n_post, weight):
        Spre = np.zeros((len(self.pre_vars), n_pre))
        Spre[4] = NEVER
        Spost = np.full((len(self.post_vars), n_post), NEVER)
        return np.zeros((len(self.synapse_vars), n_syn)), Spre, Spost

    def brian2_model(self):
        """Clock-driven Brian2 synapses written from the module docstring.

        Per synapse: calcium ``Ca`` and weight ``w`` (clock-driven, Brian2's ``euler``);
        the NMDA gate and (kernel mode) the EPSP as closed forms of the time since the
        last presynaptic event ``last_pre_t`` with amplitudes that each event updates
        (the closed fraction opens, the kernel adds one normalised EPSP); the BPAP from
        the last postsynaptic spike ``last_post_t``. The BPAP starts at the grid step
        where ``t - last_post_t`` reaches ``bpap_delay`` (compared with a tolerance of
        1e-6 dt against the rounding of clock times).
        """
        p = self.params
        a, b = p.tau_epsp_decay, p.tau_epsp_rise
        t_peak = math.log(a / b) * a * b / (a - b)
        norm = math.exp(-t_peak / a) - math.exp(-t_peak / b)
        namespace = {k: v for k, v in p.as_dict().items() if k != "voltage"}
        namespace["epsp_scale"] = p.epsp_amplitude / norm
        since_pre = "(t - last_pre_t)"
        if p.voltage == "kernel":
            soma = (
                f"V_rest + epsp_scale*(epsp_decay*exp(-{since_pre}/(tau_epsp_decay*ms))"
                f" - epsp_rise*exp(-{since_pre}/(tau_epsp_rise*ms)))"
            )
        else:
            soma = "v_post"
        bp = "(t - last_post_t - bpap_delay*ms)"
        decayed = {
            name: f"{name}*exp(-{since_pre}/({tau}*ms))"
            for name, tau in (
                ("nmda_fast", "tau_f"),
                ("nmda_slow", "tau_s"),
                ("epsp_decay", "tau_epsp_decay"),
                ("epsp_rise", "tau_epsp_rise"),
            )
        }
        return Brian2RuleSpec(
            model=f"""
                dCa/dt = P0*G_NMDA*gate*B_Mg*(V_r - V_dend)/ms - Ca/(tau_Ca*ms) : 1 (clock-driven)
                dw/dt = (Omega - lam*w)/(1000*(P1/(P2 + Ca**P3) + P4)*ms) : 1 (clock-driven)
                gate = {decayed["nmda_fast"]} + {decayed["nmda_slow"]} : 1
                Omega = 0.25 + 1/(1 + exp(-beta2*(Ca - alpha2)))
                        - 0.25/(1 + exp(-beta1*(Ca - alpha1))) : 1
                B_Mg = 1/(1 + exp(-0.062*V_dend)*Mg/3.57) : 1
                V_dend = V_soma + int({bp} > -1e-6*dt)*bpap_amplitude*(
                         bpap_fast*exp(-{bp}/(tau_bpap_fast*ms))
                         + (1 - bpap_fast)*exp(-{bp}/(tau_bpap_slow*ms))) : 1
                V_soma = {soma} : 1
                nmda_fast : 1
                nmda_slow : 1
                epsp_decay : 1
                epsp_rise : 1
                last_pre_t : second
                last_post_t : second
            """,
            on_pre=f"""
                opened = clip(1 - {decayed["nmda_fast"]} - {decayed["nmda_slow"]}, 0, 1)
                nmda_fast = {decayed["nmda_fast"]} + I_f*opened
                nmda_slow = {decayed["nmda_slow"]} + (1 - I_f)*opened
                epsp_decay = {decayed["epsp_decay"]} + 1
                epsp_rise = {decayed["epsp_rise"]} + 1
                last_pre_t = t
                {{target}} += w
            """,
            on_post="last_post_t = t",
            namespace=namespace,
            method="euler",
            pre_state={
                "nmda_fast": "nmda_fast",
                "nmda_slow": "nmda_slow",
                "epsp_decay": "epsp_decay",
                "epsp_rise": "epsp_rise",
                "last_pre_t": self.LAST_SPIKE,
            },
            post_state={"last_post_t": self.LAST_SPIKE},
            synapse_state={"Ca": "Ca"},
        )


@entry
def sh_synchronize(w, Ssyn, P, n, R, X, M, Q, q):
    """Bring idle synapses (zero calcium) to step ``n`` by their exact relaxation."""
    ca, last = Ssyn[0], Ssyn[1]
    for s in range(w.shape[0]):
        if ca[s] == 0.0 and last[s] < n:
            w[s] = _relax(w[s], (n - last[s]) * P[DT], P)
            last[s] = n


Shouval2002.synchronize = staticmethod(sh_synchronize)
