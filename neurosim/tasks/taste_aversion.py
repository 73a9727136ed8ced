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
:class:`~neurosim.tasks.taste_aversion_model.TasteAversionModel` (equations there).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

import neurosim as ns
from neurosim.tasks import Experience, Learner, Probe, Schedule, Stimulus, Task
from neurosim.tasks.taste_aversion_model import (  # the model, re-exported here
    N_AV,
    N_GUST,
    ModelParams,
    ModelSize,
    TasteAversionModel,
)

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
    depression (:meth:`~neurosim.tasks.taste_aversion_model.TasteAversionModel.extinguish`). ``protein_block=True``
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
