r"""Conditioned taste aversion: the task and the spiking learner.

**Task.** A rat drinks a cue (a taste, an audiovisual "bright-noisy" cue, or both) for
``drink_s`` seconds; ``delay_min`` minutes after the end of drinking it is injected
(illness, LiCl-equivalent dose) or shocked. Illness starts about 12 min after an
injection :cite:p:`stone2022`, so an illness experience's ``t_s`` is its *onset*,
injection + 12 min; a shock is immediate and brief. A ``"test"`` probe
``test_delay_h`` hours after each consequence offers the cue (each element alone for a
compound) and is scored as suppression
:math:`s = 1 - \text{intake(test)}/\text{intake(baseline)}`; the learner's response
is the intake relative to its naive intake, so :math:`s = 1 - \text{response}`.
Criterion: :math:`s \ge 0.5` (the soft one-trial target of the reference note).

Features (16, in [0, 1]): channels 0-7 gustatory, 8-15 audiovisual; a taste is a bump
over gustatory channels whose height is its concentration, the audiovisual cue a bump
over audiovisual channels. Stimuli: ``taste`` (saccharin-like), ``taste_weak`` (the same
taste at half the concentration: generalization probe), ``taste2`` (a second taste,
interference probe), ``audiovisual``, ``compound`` (taste + audiovisual), and the
consequences ``illness`` and ``shock`` (no features: teaching signals).

**Learner** (:class:`TasteAversionLearner`): the spiking model, defined in
:class:`TasteAversionModel` (equations there).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import neurosim as ns
from neurosim.synapses import synapse_model
from neurosim.synapses.protein import capture
from neurosim.tasks import Experience, Learner, Probe, Schedule, Stimulus, Task

N_GUST = N_AV = 8
CUES = ("taste", "audiovisual", "compound")
CONSEQUENCES = ("illness", "shock")
#: Illness starts this long after an injection (s; Stone et al. 2022, verified abstract).
ILLNESS_ONSET_S = 12 * 60.0
#: Reference dose (mg/kg): 0.15 M LiCl at 2 % of body weight = 6.36 g/L x 20 mL/kg
#: (derived; a common CTA dose).
REFERENCE_DOSE = 127.0
MIN_S, HOUR_S = 60.0, 3600.0


def _bump(centre: float, n: int, height: float = 1.0, width: float = 1.0) -> np.ndarray:
    """Gaussian tuning over ``n`` channels, peak ``height`` at ``centre``."""
    return height * np.exp(-0.5 * ((np.arange(n) - centre) / width) ** 2)


def stimuli() -> dict[str, Stimulus]:
    """The task's stimuli (see module docstring)."""
    silent = np.zeros(N_AV)

    def gust(centre, height=1.0):
        return np.concatenate([_bump(centre, N_GUST, height), silent])

    av = np.concatenate([np.zeros(N_GUST), _bump(3.5, N_AV)])
    return {
        "taste": Stimulus("taste", gust(2.0), "gustatory"),
        "taste_weak": Stimulus("taste_weak", gust(2.0, 0.5), "gustatory"),
        "taste2": Stimulus("taste2", gust(5.5), "gustatory"),
        "audiovisual": Stimulus("audiovisual", av, "audiovisual"),
        "compound": Stimulus("compound", np.clip(gust(2.0) + av, 0, 1), "gustatory+audiovisual"),
        "illness": Stimulus("illness", np.zeros(N_GUST + N_AV), "illness"),
        "shock": Stimulus("shock", np.zeros(N_GUST + N_AV), "shock"),
    }


def _check_choice(name, value, allowed):
    if value not in allowed:
        raise ValueError(f"{name} = {value!r} must be one of {allowed}")


def _check_number(name, value, low, unit, closed=True):
    ok = isinstance(value, int | float) and not isinstance(value, bool) and np.isfinite(value)
    if not ok or (value < low if closed else value <= low):
        rel = ">=" if closed else ">"
        raise ValueError(f"{name} = {value!r} {unit} must be a finite number {rel} {low}")


class TasteAversionTask(Task):
    """Cue-consequence pairings with a suppression test after each (module docstring).

    Parameters
    ----------
    cue : str
        ``taste``, ``audiovisual`` or ``compound``.
    consequence : str
        ``illness`` or ``shock``.
    delay_min : float
        End of drinking to injection (illness) or shock (min, >= 0).
    dose_mg_kg : float
        LiCl-equivalent dose (mg/kg, > 0); the illness intensity is
        ``dose_mg_kg / 127`` (0.15 M at 2 % body weight); the shock has intensity 1.
    preexposures : int
        Unreinforced drinking sessions of the cue before the first pairing (one a day).
    test_delay_h : float
        Consequence onset to test (h, > 0).
    drink_s : float
        Length of a drinking session (s, > 0).
    gap_h : float
        Time from one test to the next pairing (h, > 0).
    """

    name = "taste-aversion"
    criterion = 0.5
    max_exposures = 3
    bin_s = 10.0

    def __init__(
        self,
        cue="taste",
        consequence="illness",
        delay_min=30.0,
        dose_mg_kg=REFERENCE_DOSE,
        preexposures=0,
        test_delay_h=48.0,
        drink_s=60.0,
        gap_h=24.0,
    ):
        _check_choice("cue", cue, CUES)
        _check_choice("consequence", consequence, CONSEQUENCES)
        _check_number("delay_min", delay_min, 0.0, "min")
        _check_number("dose_mg_kg", dose_mg_kg, 0.0, "mg/kg", closed=False)
        _check_number("test_delay_h", test_delay_h, 0.0, "h", closed=False)
        _check_number("drink_s", drink_s, 0.0, "s", closed=False)
        _check_number("gap_h", gap_h, 0.0, "h", closed=False)
        if isinstance(preexposures, bool) or not isinstance(preexposures, int) or preexposures < 0:
            raise ValueError(f"preexposures = {preexposures!r} must be an integer >= 0")
        self.cue, self.consequence = cue, consequence
        self.delay_min, self.dose_mg_kg = float(delay_min), float(dose_mg_kg)
        self.preexposures, self.test_delay_h = preexposures, float(test_delay_h)
        self.drink_s, self.gap_h = float(drink_s), float(gap_h)
        self.stimuli = stimuli()

    @property
    def tested(self) -> tuple[str, ...]:
        """The items of a test: the cue, or each element of a compound."""
        return ("taste", "audiovisual") if self.cue == "compound" else (self.cue,)

    def pairing(self, t_s: float, cue: str, exposure: int) -> tuple[list[Experience], float]:
        """One drinking session of ``cue`` from ``t_s`` and its consequence; returns
        the experiences and the consequence's onset (s)."""
        drink = Experience(t_s, cue, self.drink_s, "cue", 1.0, exposure)
        end = t_s + self.drink_s + self.delay_min * MIN_S
        if self.consequence == "illness":
            onset, intensity, duration = (
                end + ILLNESS_ONSET_S,
                self.dose_mg_kg / REFERENCE_DOSE,
                HOUR_S,
            )
        else:
            onset, intensity, duration = end, 1.0, 2.0
        cons = Experience(onset, self.consequence, duration, "consequence", intensity, exposure)
        return [drink, cons], onset

    def schedule(self, n_exposures: int) -> Schedule:
        """``preexposures`` daily unreinforced sessions, then ``n_exposures`` pairings
        ``gap_h`` apart, each followed by a ``"test"`` probe ``test_delay_h`` after its
        consequence's onset. With a taste in the cue, the last test comes with a
        ``"generalization"`` probe (``taste_weak``), and ``gap_h`` later a second
        taste (``taste2``) is paired in the same way, followed by an
        ``"interference"`` probe of the first taste ``test_delay_h`` after it."""
        if isinstance(n_exposures, bool) or not isinstance(n_exposures, int) or n_exposures < 0:
            raise ValueError(f"n_exposures = {n_exposures!r} must be an integer >= 0")
        sched, t = Schedule(), 0.0
        for _ in range(self.preexposures):
            sched.experiences.append(Experience(t, self.cue, self.drink_s, "cue", 1.0, 0))
            t += 24 * HOUR_S
        t_test = t
        for k in range(n_exposures):
            exps, onset = self.pairing(t, self.cue, k)
            sched.experiences += exps
            t_test = onset + self.test_delay_h * HOUR_S
            sched.probes.append(Probe(t_test, self.tested, "test", k + 1))
            t = t_test + self.gap_h * HOUR_S
        if n_exposures and self.cue != "audiovisual":
            sched.probes.append(Probe(t_test, ("taste_weak",), "generalization", n_exposures))
            exps, onset = self.pairing(t, "taste2", n_exposures)
            sched.experiences += exps
            t_late = onset + self.test_delay_h * HOUR_S
            sched.probes.append(Probe(t_late, ("taste",), "interference", n_exposures))
        return sched

    def score(self, probe: Probe, responses: dict[str, float]) -> float:
        """Suppression ``1 - response`` of the probe's first item (the cue, or the
        taste of a compound; ``taste_weak`` for generalization, the first taste for
        interference); responses are intakes relative to baseline."""
        return 1.0 - float(responses[probe.items[0]])


def make_task(**params) -> TasteAversionTask:
    """A :class:`TasteAversionTask` (parameters there)."""
    return TasteAversionTask(**params)


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


class TasteAversionLearner(Learner):
    """The spiking model behind the :class:`~neurosim.tasks.Learner` interface.

    Keeps the biological time itself (from each experience's ``t_s``): a cue is
    simulated for its duration; a consequence releases its modulator at its onset
    (one that arrives with a ``t_s`` already passed acts now) and the learner lives
    through its duration (the modulator's course, not the duration, sets its effect); gaps are crossed by
    ``Network.advance`` (exact: nothing spikes between sessions) in chunks of at most
    ``chunk_min``, with the consolidation between chunks. Extinction: after a session
    with a taste, the learner reads the aversion the cue predicts (its suppression,
    tested frozen at the end of the session); if no consequence comes within
    ``safe_h``, that prediction error converts the gustatory eligibility into
    depression (:meth:`TasteAversionModel.extinguish`). ``protein_block=True``
    blocks protein synthesis from a consequence to ``block_h`` after it (anisomycin
    at training). ``respond`` presents the cue for ``probe_s`` with plasticity frozen
    (no novelty drive) from a checkpoint, then restores it; the response is intake
    relative to the naive intake, intake = 1 / (1 + (r / r_half)^2) with r the
    aversion population's rate (Hz).
    """

    name = "spiking"

    def __init__(self, size=ModelSize(), params=ModelParams(), protein_block=False):
        self.size, self.params, self.protein_block = size, params, protein_block
        self.model = None
        self._dir = tempfile.TemporaryDirectory()

    def reset(self, task: Task, seed: int) -> None:
        """A naive network for ``task``; measures the naive intake of every cue."""
        self.task, self.model = task, TasteAversionModel(seed, self.size, self.params)
        self.t_s, self.seen, self.steps, self.pending = 0.0, {}, 0, []
        self.baseline = {}
        self.baseline = {n: self._intake(n) for n, s in task.stimuli.items() if s.features.any()}

    def _advance_to(self, t_s: float):
        m = self.model
        while t_s - self.t_s > 1e-9:
            due = [t for t, _ in self.pending] or [np.inf]
            step = min(m.quiet_for(), t_s - self.t_s, max(min(due) - self.t_s, 0.0))
            n = max(1, int(round(step * 1e3 / self.params.dt)))
            m.net.advance(n * self.params.dt)
            self.t_s += n * self.params.dt * 1e-3
            m.consolidate(n * self.params.dt * 1e-3, self.t_s)
            for item in [x for x in self.pending if x[0] <= self.t_s + 1e-9]:
                self.pending.remove(item)
                m.extinguish(item[1])

    def experience(self, exp: Experience) -> None:
        if self.model is None:
            raise RuntimeError("reset the learner before an experience")
        if exp.t_s > self.t_s:
            self._advance_to(exp.t_s)
        stim = self.task.stimuli[exp.stimulus]
        m = self.model
        if exp.kind == "consequence":
            if stim.modality not in CONSEQUENCES:
                raise ValueError(f"consequence {exp.stimulus!r} must be illness or shock")
            m.release(stim.modality, exp.intensity)
            self.pending = []  # the sessions before were not safe
            if self.protein_block:
                m.block_until = self.t_s + self.params.block_h * HOUR_S
                m.source = 0.0
            self._advance_to(exp.t_s + exp.duration_s)
            return
        n = self.seen.get(exp.stimulus, 0)
        self.seen[exp.stimulus] = n + 1
        m.present(stim.features, exp.duration_s * 1e3, np.exp(-n / self.params.n_li))
        self.steps += int(round(exp.duration_s * 1e3 / self.params.dt))
        self.t_s += exp.duration_s
        m.consolidate(exp.duration_s, self.t_s)
        if stim.features[:N_GUST].any():
            prediction = 1.0 - self._intake(exp.stimulus) / self.baseline[exp.stimulus]
            self.pending.append((self.t_s + self.params.safe_h * HOUR_S, prediction))

    def wait(self, duration_s: float) -> None:
        _check_number("duration_s", duration_s, 0.0, "s")
        self._advance_to(self.t_s + duration_s)

    def _intake(self, stimulus: str) -> float:
        m, path = self.model, Path(self._dir.name) / "state.nsim"
        m.net.save(path)
        for name in m.late:
            m.projection(name).plastic = False
        spikes = m.present(self.task.stimuli[stimulus].features, self.params.probe_s * 1e3, 0.0)
        self.steps += int(round(self.params.probe_s * 1e3 / self.params.dt))
        m.net = ns.Network.load(path)
        rate = spikes / self.size.n_aversion / self.params.probe_s
        return 1.0 / (1.0 + (rate / self.params.r_half) ** 2)

    def respond(self, stimulus: str) -> float:
        """Intake of ``stimulus`` relative to the naive intake (1 = unchanged)."""
        if self.model is None:
            raise RuntimeError("reset the learner before a probe")
        if stimulus not in self.baseline:
            raise ValueError(f"cannot offer {stimulus!r}; cues: {sorted(self.baseline)}")
        return self._intake(stimulus) / self.baseline[stimulus]

    def plastic_state(self) -> tuple[int, int]:
        """Weights, the rule's six rows and the late phase of every cue synapse."""
        arrays = self.model.plastic_arrays()
        return sum(a.size for a in arrays), sum(a.nbytes for a in arrays)

    def operations(self) -> dict[str, float]:
        """Counters of the network, and ``neuron_steps``: aversion neurons x steps
        stepped (sessions and tests; fast-forwarded gaps are not stepped)."""
        counts = self.model.net.counters()
        out = {k: 0.0 for k in ("spikes", "synaptic_events", "plasticity_updates")}
        for key, value in counts.items():
            kind = key.split("/")[0]
            if kind in out:
                out[kind] += value
        n = self.model.net.populations["aversion"].n
        out["neuron_steps"] = float(n * self.steps)
        out["n_neurons"] = float(n)
        return out


def make_learner(
    size=ModelSize(), params=ModelParams(), protein_block=False
) -> TasteAversionLearner:
    """The spiking learner (see :class:`TasteAversionLearner`)."""
    return TasteAversionLearner(size, params, protein_block)
