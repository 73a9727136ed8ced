r"""Filial imprinting as a task, and the spiking imprinting model as its learner.

Stimuli (feature vectors of ``N_FEATURES`` = 24 features in [0, 1]): ``A``, the
object of the exposures (features 0-5 on); ``B``, the novel object of the two-choice
test (features 6-11); ``C``, an object exposed after ``A`` for the interference probe
(features 12-17); ``A'``, ``A`` from another viewpoint (four of its six features,
0-3, plus two seen only from there, 18-19) for the generalization probe.

Schedule of ``n`` exposures: exposure ``k`` (``exposure_min`` minutes of ``A``)
starts at :math:`k\,T` with :math:`T = 60\,\text{exposure\_min} + 3600\,
\text{test\_delay\_h} + 60` s; a ``"test"`` probe (``A``, ``B``) follows each exposure
``test_delay_h`` hours after its end, 60 s before the next. After the last test: a
``"generalization"`` probe (``A'``, ``B``), an exposure to ``C`` and, ``test_delay_h``
later, an ``"interference"`` probe (``A``, ``B``). Every probe scores the preference
for its first item, :math:`P = r_1 / (r_1 + r_2)` (0.5 when neither is approached);
the criterion is :math:`P \ge 0.7` (a clear majority of approach for ``A``; chance is
0.5). The task starts at hatching age ``age_h`` hours, which the learner reads.
"""

from __future__ import annotations

import numbers

import numpy as np

from neurosim.experiments.imprinting import ImprintingModel, params, preference
from neurosim.tasks import Experience, Learner, Probe, Schedule, Stimulus, Task

N_FEATURES = 24
#: Features that are on (value 1) in each stimulus.
ON = {"A": range(0, 6), "B": range(6, 12), "C": range(12, 18), "A'": (0, 1, 2, 3, 18, 19)}
GAP_S = 60.0


def _vector(on) -> np.ndarray:
    f = np.zeros(N_FEATURES)
    f[list(on)] = 1.0
    return f


def _positive(name, value, low, high):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not low <= value <= high:
        raise ValueError(f"{name} = {value!r} must be a number in [{low}, {high}]")
    return float(value)


class ImprintingTask(Task):
    """Imprinting on ``A`` at hatching age ``age_h`` (h, 1-32), exposures of
    ``exposure_min`` minutes, tests ``test_delay_h`` hours after each (see module)."""

    name = "imprinting"
    criterion = 0.7
    max_exposures = 4
    bin_s = 1.0

    def __init__(self, age_h: float = 14.0, exposure_min: float = 15.0, test_delay_h: float = 24.0):
        self.age_h = _positive("age_h", age_h, 1.0, 32.0)
        self.exposure_min = _positive("exposure_min", exposure_min, 1.0, 240.0)
        self.test_delay_h = _positive("test_delay_h", test_delay_h, 0.0, 96.0)
        self.stimuli = {k: Stimulus(k, _vector(on)) for k, on in ON.items()}

    @property
    def exposure_s(self) -> float:
        """Length of one exposure (s)."""
        return 60.0 * self.exposure_min

    def _test_at(self, end_s: float) -> float:
        return end_s + 3600.0 * self.test_delay_h

    def schedule(self, n_exposures: int) -> Schedule:
        """``n_exposures`` exposures to ``A`` with a test after each, then the
        generalization and interference probes (see module)."""
        if isinstance(n_exposures, bool) or not isinstance(n_exposures, numbers.Integral):
            raise ValueError(f"n_exposures = {n_exposures!r} must be a positive integer")
        if n_exposures < 1:
            raise ValueError(f"n_exposures = {n_exposures} must be >= 1")
        period = self.exposure_s + 3600.0 * self.test_delay_h + GAP_S
        sched = Schedule()
        for k in range(n_exposures):
            t = k * period
            sched.experiences.append(Experience(t, "A", self.exposure_s, exposure=k))
            sched.probes.append(
                Probe(self._test_at(t + self.exposure_s), ("A", "B"), "test", k + 1)
            )
        last = sched.probes[-1].t_s
        sched.probes.append(Probe(last, ("A'", "B"), "generalization", n_exposures))
        t_c = last + GAP_S
        sched.experiences.append(Experience(t_c, "C", self.exposure_s, exposure=n_exposures))
        sched.probes.append(
            Probe(self._test_at(t_c + self.exposure_s), ("A", "B"), "interference", n_exposures)
        )
        return sched

    def days(self, days_a: int, days_b: int, per_day: int = 2) -> Schedule:
        """``days_a`` days with ``per_day`` exposures to ``A`` a day, then ``days_b``
        days of ``B`` (same exposures), then a ``"test"`` probe (``A``, ``B``)
        ``test_delay_h`` after the last exposure: the stability protocol."""
        for name, v in (("days_a", days_a), ("days_b", days_b), ("per_day", per_day)):
            if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 0:
                raise ValueError(f"{name} = {v!r} must be a non-negative integer")
        if days_a < 1 or per_day < 1:
            raise ValueError("days_a and per_day must be >= 1")
        sched = Schedule()
        day = 86400.0
        for d, item in enumerate(["A"] * days_a + ["B"] * days_b):
            for j in range(per_day):
                t = d * day + j * day / per_day
                sched.experiences.append(Experience(t, item, self.exposure_s, exposure=d))
        end = sched.experiences[-1].t_s + self.exposure_s
        sched.probes.append(Probe(self._test_at(end), ("A", "B"), "test", days_a))
        return sched

    def score(self, probe: Probe, responses: dict[str, float]) -> float:
        """Preference for the probe's first item (see :func:`preference`)."""
        first, second = probe.items
        return preference(responses[first], responses[second])


def make_task(**task_params) -> ImprintingTask:
    """The imprinting task (parameters ``age_h``, ``exposure_min``, ``test_delay_h``)."""
    return ImprintingTask(**task_params)


class SpikingImprinter(Learner):
    """The spiking imprinting model (:mod:`neurosim.experiments.imprinting`) as a
    learner: ``size`` ``"full"`` or ``"ci"``, other keywords override its parameters.
    ``respond`` gives the approach rate (Hz) in a test with plasticity frozen and
    the state restored; ``avoidance`` lists the avoidance of each test and
    ``exposure_avoidance`` that of each exposure (fraction of its chunks in which
    fear beats approach)."""

    name = "spiking"

    def __init__(self, size: str = "full", **overrides):
        self.params = params(size, **overrides)
        self.model = None

    def reset(self, task: Task, seed: int) -> None:
        """A naive bird at the task's hatching age."""
        self.task = task
        self.model = ImprintingModel(task.n_features, seed, task.age_h, self.params)
        self.avoidance: list[tuple[str, float]] = []
        self.exposure_avoidance: list[tuple[str, float]] = []

    def _ready(self) -> ImprintingModel:
        if self.model is None:
            raise RuntimeError("call reset(task, seed) before using the learner")
        return self.model

    def experience(self, exp: Experience) -> None:
        """An exposure to ``exp.stimulus`` for ``exp.duration_s`` biological seconds."""
        model = self._ready()
        if exp.kind != "cue":
            raise ValueError(f"imprinting has no consequences; got kind {exp.kind!r}")
        counts = model.expose(self.task.stimuli[exp.stimulus].features, exp.duration_s / 60.0)
        self.exposure_avoidance.append((exp.stimulus, float(np.mean(counts[:, 2] < 0.5))))

    def wait(self, duration_s: float) -> None:
        """A gap of ``duration_s`` biological seconds."""
        if not duration_s >= 0:
            raise ValueError(f"duration_s = {duration_s!r} must be >= 0")
        self._ready().wait(duration_s * 1e3)

    def respond(self, stimulus: str) -> float:
        """Approach rate (Hz) to ``stimulus`` in full view, plasticity frozen."""
        approach, avoid = self._ready().test(self.task.stimuli[stimulus].features)
        self.avoidance.append((stimulus, avoid))
        return approach

    def plastic_state(self) -> tuple[int, int]:
        """(count, bytes) of the learning state: the feature -> recognition synapses'
        (weight, calcium, traces, the modulator's state as seen by each synapse, last
        update, late phase), the protein of each recognition neuron and the fear
        habituation of each feature."""
        model = self._ready()
        ff = model.ff
        arrays = (ff.S_syn, ff.weight, model.z, model.protein, model.habituation)
        return int(sum(a.size for a in arrays)), int(sum(a.nbytes for a in arrays))

    def operations(self) -> dict[str, float]:
        """Spikes (feature channels included), synaptic events, plasticity updates
        (tests included), neuron steps and the number of neurons (feature channels
        and the modulator excluded)."""
        model = self._ready()
        ops = {"spikes": 0.0, "synaptic_events": 0.0, "plasticity_updates": 0.0}
        totals = dict(model.counters())
        for key, value in model.probe_counts.items():
            totals[key] = totals.get(key, 0) + value
        for key, value in totals.items():
            kind = key.split("/")[0]
            if kind in ops:
                ops[kind] += value
        net = model.net
        n = sum(pop.n for pop in net.populations.values() if pop.name not in ("features", "gain"))
        steps = (model.simulated_ms + model.probe_ms) / net.dt
        ops["neuron_steps"] = float(n * steps)
        ops["n_neurons"] = float(n)
        return ops


def make_learner(size: str = "full", **overrides) -> SpikingImprinter:
    """The spiking learner (see :class:`SpikingImprinter`)."""
    return SpikingImprinter(size, **overrides)
