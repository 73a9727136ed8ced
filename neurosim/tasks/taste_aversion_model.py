r"""The spiking model of conditioned taste aversion (:class:`TasteAversionModel`), its
sizes and parameters; the task and the learner that drives this model are in
:mod:`neurosim.tasks.taste_aversion`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import neurosim as ns
from neurosim.synapses import synapse_model
from neurosim.synapses.protein import capture

#: Feature channels of each modality (gustatory, audiovisual).
N_GUST = N_AV = 8


@dataclass(frozen=True)
class ModelSize:
    """Network size: input neurons per feature channel (their summed drive sets the
    weights' scale) and aversion neurons."""

    per_channel: int = 10
    n_aversion: int = 40


#: Defaults of the spiking model; status in docs/tasks/taste-aversion.md.
@dataclass(frozen=True)
class ModelParams:
    r"""Parameters of :class:`TasteAversionModel` (units in brackets).

    ``dt`` (ms); ``rate_max`` (Hz): input rate of a feature of 1; ``w0`` (pA): naive
    weight of the cue synapses; ``novelty_current`` (pA): novelty drive into each
    aversion neuron during a wholly novel cue; ``n_li``: pre-exposures that reduce novelty by e;
    ``illness_rise``/``illness_decay`` (min), ``shock_decay`` (s): modulator time
    constants; ``probe_s`` (s): length of a test; ``r_half`` (Hz): aversion rate that
    halves intake; ``tau_e`` (h): early-phase decay; ``theta_tag`` (pA),
    ``theta_pro`` (pA per channel): tag and protein thresholds; ``tau_pro``, ``tau_z``
    (h): protein and late-phase time constants; ``w_late`` (pA): late-phase weight at
    z = 1; ``chunk_min`` (min): consolidation step; ``block_h`` (h): protein block
    after a consequence; ``safe_h`` (h): a drinking session not followed by a
    consequence within this time is safe; ``eta_safe``: extinction rate per unit of
    prediction and eligibility.
    """

    dt: float = 1.0
    rate_max: float = 40.0
    w0: float = 60.0
    novelty_current: float = 250.0
    n_li: float = 4.0
    illness_rise: float = 5.0
    illness_decay: float = 60.0
    shock_decay: float = 2.0
    probe_s: float = 5.0
    r_half: float = 10.0
    tau_e: float = 6884.0 / 3600.0
    theta_tag: float = 10.0
    theta_pro: float = 60.0
    tau_pro: float = 1.0
    tau_z: float = 4.0
    w_late: float = 150.0
    chunk_min: float = 20.0
    active_level: float = 0.05
    block_h: float = 8.0
    safe_h: float = 3.0
    eta_safe: float = 1.0


class TasteAversionModel:
    r"""The spiking model of conditioned taste aversion.

    Populations: ``gust`` (8 channels x ``per_channel`` spike sources) and ``av``
    (likewise), firing as Poisson trains at ``features x rate_max`` while a cue is
    drunk; ``aversion`` (``n_aversion`` LIF neurons, NEST ``iaf_psc_exp`` defaults), a
    BLA/insular-like population whose response to a cue lowers intake; ``novelty``
    (one source per aversion neuron, one-to-one, 100 pA), firing at
    :math:`\nu_{nov} = r_{nov}e^{-n/n_{LI}}` during a cue seen ``n`` times before;
    modulators ``illness`` (rise 5 min, decay 60 min) and ``shock`` (decay 2 s).

    Cue synapses (all-to-all onto ``aversion``, naive weight ``w0``) follow
    ``calcium_modulated``: calcium :math:`c` jumps by 1 at a presynaptic (after 5 ms)
    and at a postsynaptic spike and decays with 20 ms, so it passes
    :math:`\theta_p = 1.5` only on a pre-post coincidence; above it the eligibility
    :math:`x_p` rises, :math:`\dot x_p = -x_p/\tau_p + (1-x_p)/\tau_{ip}`, and
    :math:`\dot w = m(t) A_p x_p/\tau_w`. Gustatory synapses read ``illness`` with
    :math:`\tau_p` = 2 h, audiovisual ones ``shock`` with :math:`\tau_p` = 10 s: the
    cue-to-consequence prior of Garcia & Koelling :cite:p:`garcia1966` is built into
    which signal each pathway reads. Novelty makes the aversion neurons fire during
    drinking, hence coincidences and eligibility: a familiar cue induces little
    (latent inhibition).

    Consolidation (the tagging-and-capture scheme of Luboeinski & Tetzlaff
    :cite:p:`luboeinski2021`, applied to the converted change): a synapse's weight is
    :math:`w = w_0 + e + w_{late}z`; the early change :math:`e` decays,
    :math:`\dot e = -e/\tau_e`; while :math:`e > \theta_{tag}` (tag),
    :math:`\tau_z\dot z = p(1-z)`; protein :math:`\tau_{pro}\dot p = -p + u`, with
    :math:`u = 1` while the summed early change per aversion neuron and per input
    channel exceeds :math:`\theta_{pro}` and no block, else 0. The rule's
    conversions add to :math:`e`; the learner applies the consolidation between chunks
    of at most ``chunk_min`` (exact within a chunk for fixed :math:`u`; conversions in
    a chunk are counted at its start).
    """

    def __init__(
        self, seed: int, size: ModelSize = ModelSize(), params: ModelParams = ModelParams()
    ):
        self.p, self.size, self.seed = params, size, seed
        self.rng = np.random.default_rng([seed, 13])
        p, k = params, size.per_channel
        net = ns.Network(dt=p.dt, seed=seed)
        empty = (np.zeros(0), np.zeros(0, dtype=int))
        gust = net.add_spike_generator("gust", N_GUST * k, *empty)
        av = net.add_spike_generator("av", N_AV * k, *empty)
        aversion = net.add_population("aversion", size.n_aversion, "lif")
        illness = net.add_modulator(
            "illness", tau_rise=p.illness_rise * 60e3, tau_decay=p.illness_decay * 60e3
        )
        shock = net.add_modulator("shock", tau_decay=p.shock_decay * 1e3)
        for pre, mod, rule in (
            (gust, illness, "calcium_modulated_taste_gustatory"),
            (av, shock, "calcium_modulated_taste_audiovisual"),
        ):
            net.connect(
                pre,
                aversion,
                weight=p.w0,
                synapse=synapse_model(rule),
                modulator=mod,
                name=pre.name,
            )
        self.net = net
        self.late = {name: np.zeros(net.projections[name].weight.size) for name in ("gust", "av")}
        self.protein, self.source, self.block_until, self.t_s = 0.0, 0.0, -1.0, 0.0

    def projection(self, name):
        """The projection ``"gust"`` or ``"av"`` of the present network (a checkpoint
        restored after a test replaces the network object)."""
        return self.net.projections[name]

    def _poisson(self, rates, t0, duration):
        """Spike times (ms) and indices of Poisson trains at ``rates`` (Hz) over
        ``duration`` ms from ``t0`` ms, at most one spike per neuron and step."""
        dt = self.p.dt
        steps = int(round(duration / dt))
        prob = np.clip(np.asarray(rates) * dt * 1e-3, 0.0, 1.0)
        fire = self.rng.random((steps, prob.size)) < prob
        s, i = np.nonzero(fire)
        return t0 + s * dt, i

    def present(self, features, duration_ms, novelty):
        """Drive the inputs with ``features`` for ``duration_ms`` and the novelty drive
        at ``novelty`` x ``novelty_rate``; returns the aversion spikes emitted."""
        net, k, t0 = self.net, self.size.per_channel, self.net.t
        f = np.repeat(np.asarray(features), k) * self.p.rate_max
        for name, rates in (("gust", f[: N_GUST * k]), ("av", f[N_GUST * k :])):
            if rates.any():
                net.populations[name].add_spikes(*self._poisson(rates, t0, duration_ms))
        aversion = net.populations["aversion"]
        aversion.set_params(I_e=novelty * self.p.novelty_current)
        before = net.counters().get("spikes/aversion", 0)
        net.run(duration_ms)
        aversion.set_params(I_e=0.0)
        return net.counters().get("spikes/aversion", 0) - before

    def release(self, kind: str, amount: float):
        """Add ``amount`` to the ``illness`` or ``shock`` modulator now (a release)."""
        mod = self.net.populations[kind]
        var = "r" if kind == "illness" else "c"
        mod.set(var, getattr(mod, var) + amount)

    def early_sum(self) -> float:
        """Summed early change per aversion neuron and per input channel (pA)."""
        total = sum(np.abs(self._early(n)).sum() for n in self.late)
        return total / self.size.n_aversion / self.size.per_channel

    def _early(self, name):
        return self.projection(name).weight - self.p.w0 - self.p.w_late * self.late[name]

    def consolidate(self, elapsed_s: float, t_end_s: float):
        """Apply the consolidation over the ``elapsed_s`` just simulated (see class)."""
        p = self.p
        T = elapsed_s / 3600.0
        decay = np.exp(-T / p.tau_pro)
        for name in self.late:
            proj = self.projection(name)
            proj.synchronize()
            e = self._early(name)
            z = self.late[name]
            z[:] = capture(
                z, e, self.protein, self.source, T, p.tau_e, p.tau_pro, p.tau_z, p.theta_tag
            )
            e = e * np.exp(-T / p.tau_e)
            proj.weight = np.clip(p.w0 + e + p.w_late * z, 0.0, proj.synapse.params.w_max)
        self.protein = self.source + (self.protein - self.source) * decay
        self.t_s = t_end_s
        blocked = t_end_s < self.block_until
        self.source = float(self.early_sum() > p.theta_pro and not blocked)

    def extinguish(self, prediction: float):
        r"""Safety after an unreinforced session: the gustatory synapses still eligible
        lose the fraction :math:`1 - e^{-\eta P x_p}` of their early and late change,
        :math:`P` the aversion the cue predicted (its suppression at the session)."""
        proj = self.projection("gust")
        proj.synchronize()
        keep = np.exp(-self.p.eta_safe * max(prediction, 0.0) * proj.x_p)
        e = self._early("gust") * keep
        self.late["gust"] *= keep
        proj.weight = np.clip(self.p.w0 + e + self.p.w_late * self.late["gust"], 0.0, None)

    def quiet_for(self) -> float:
        """How long (s) the consolidation can be applied in one step: ``chunk_min``
        while a modulator converts eligibility; otherwise until the early sum falls
        below ``theta_pro`` (all early changes decay at one rate) or the block ends."""
        p, net = self.p, self.net
        active = max(
            net.populations["illness"].c[0] + net.populations["illness"].r[0],
            net.populations["shock"].c[0],
        )
        if active > p.active_level:
            return p.chunk_min * 60.0
        limit, s = np.inf, self.early_sum()
        if self.source and s > p.theta_pro:
            limit = p.tau_e * 3600.0 * np.log(s / p.theta_pro) + p.dt * 1e-3
        if self.block_until > self.t_s:
            limit = min(limit, self.block_until - self.t_s)
        return max(limit, p.dt * 1e-3)

    def plastic_arrays(self) -> list[np.ndarray]:
        """The arrays learning changes: weights, rule state and late phase."""
        out = []
        for name in self.late:
            proj = self.projection(name)
            out += [proj.weight, proj.S_syn, self.late[name]]
        return out
