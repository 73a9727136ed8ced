r"""Tasks: what a learner experiences, how it is probed and how it is scored.

A :class:`Task` is one description of a learning situation that any learner can be
put through: the stimuli (each a feature vector in [0, 1]), the experiences (a
stimulus, or a consequence such as illness or a shock, presented for a while at a
given biological time), the gaps between them, and the probes (a test offering one
or more stimuli, answered with plasticity frozen) with the score of each probe. A
spiking learner encodes the features as input rates and crosses the gaps by
fast-forward; a gradient-descent learner sees the same features as vectors, binned
in time. Both see exactly the same experiences in the same order
(:func:`neurosim.tasks.run.run_task` drives them).

Times are in biological seconds from the start of the task (``t_s``), durations in
seconds (``duration_s``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import numpy as np

KINDS = ("cue", "consequence")


@dataclass(frozen=True)
class Stimulus:
    """One thing that can be experienced or offered in a probe.

    Attributes
    ----------
    name : str
        Name used in experiences and probes.
    features : ndarray
        Feature vector, values in [0, 1], length ``Task.n_features``: a spiking
        encoder maps feature ``i`` to the rate of input channel ``i``; a
        gradient-descent learner receives the vector itself.
    modality : str
        Sensory channel (e.g. ``"visual"``, ``"gustatory"``, ``"audiovisual"``) or,
        for a consequence, its kind (``"illness"``, ``"shock"``).
    """

    name: str
    features: np.ndarray
    modality: str = "visual"

    def __post_init__(self):
        f = np.asarray(self.features, dtype=float)
        if f.ndim != 1 or f.size == 0 or not np.all((f >= 0.0) & (f <= 1.0)):
            raise ValueError(f"stimulus {self.name!r}: features must be a 1-d vector in [0, 1]")
        object.__setattr__(self, "features", f)


@dataclass(frozen=True)
class Experience:
    """A stimulus presented from ``t_s`` for ``duration_s`` (biological seconds).

    ``kind`` is ``"cue"`` for a sensory stimulus the learner may learn about, or
    ``"consequence"`` for what follows it (illness, a shock: a teaching signal, not
    an input feature); ``intensity`` scales it (a dose); ``exposure`` numbers the
    exposures or pairings (0, 1, ...) for learning curves.
    """

    t_s: float
    stimulus: str
    duration_s: float
    kind: str = "cue"
    intensity: float = 1.0
    exposure: int = 0

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"experience kind {self.kind!r} must be one of {KINDS}")
        if not (self.duration_s > 0 and self.t_s >= 0):
            raise ValueError(f"experience {self.stimulus!r}: needs t_s >= 0 and duration_s > 0")


@dataclass(frozen=True)
class Probe:
    """A test at ``t_s``: the learner's response to each of ``items`` (plasticity
    frozen, state unchanged). ``name`` says what it measures: ``"test"`` (the
    task's criterion), ``"generalization"`` (changed stimuli) or
    ``"interference"`` (an earlier item after a new one was learnt); ``after``
    is the number of exposures made before it, for learning curves."""

    t_s: float
    items: tuple[str, ...]
    name: str = "test"
    after: int = 1


@dataclass
class Schedule:
    """What a task presents, in time order: experiences and probes."""

    experiences: list[Experience] = field(default_factory=list)
    probes: list[Probe] = field(default_factory=list)

    def events(self) -> list[Experience | Probe]:
        """Experiences and probes merged by time (an experience first at equal times)."""
        items = [(e.t_s, 0, i, e) for i, e in enumerate(self.experiences)]
        items += [(p.t_s, 1, i, p) for i, p in enumerate(self.probes)]
        return [x[-1] for x in sorted(items, key=lambda x: x[:3])]


class Task(ABC):
    """A learning task: stimuli, a schedule of experiences and probes, a score.

    Subclasses set ``name``, ``stimuli`` (dict name -> :class:`Stimulus`),
    ``criterion`` (score that counts as learnt), ``max_exposures`` and
    ``bin_s`` (the gradient-descent learner gets one sample per ``bin_s`` of an
    experience), and implement :meth:`schedule` and :meth:`score`.
    """

    name: str
    stimuli: dict[str, Stimulus]
    criterion: float
    max_exposures: int = 1
    bin_s: float = 1.0

    @property
    def n_features(self) -> int:
        """Length of every stimulus's feature vector."""
        return len(next(iter(self.stimuli.values())).features)

    @abstractmethod
    def schedule(self, n_exposures: int) -> Schedule:
        """Experiences and probes for ``n_exposures`` exposures (or pairings), with a
        ``"test"`` probe after each so that one pass gives the learning curve."""

    @abstractmethod
    def score(self, probe: Probe, responses: dict[str, float]) -> float:
        """The score of one probe from the learner's response to each item."""


class Learner(ABC):
    """Something that learns from a task's experiences.

    ``name`` is ``"spiking"`` or ``"mlp"`` (or another registered learner).
    """

    name: str

    @abstractmethod
    def reset(self, task: Task, seed: int) -> None:
        """A naive learner for ``task``."""

    @abstractmethod
    def experience(self, exp: Experience) -> None:
        """Live through one experience, learning from it."""

    def experience_many(self, exps: list[Experience]) -> None:
        """Live through experiences that overlap in time (a cue and a consequence
        at once), given in order of onset; together they last from the first onset
        to the last end. The runner calls it for every group of two or more
        overlapping experiences (:func:`neurosim.tasks.run.run_task`); a learner
        that can be put through such tasks overrides it. The default takes a group
        of one to :meth:`experience` and refuses a larger one."""
        if len(exps) == 1:
            self.experience(exps[0])
            return
        raise NotImplementedError(
            f"learner {self.name!r} cannot live through {len(exps)} overlapping "
            f"experiences ({', '.join(e.stimulus for e in exps)}); it needs experience_many"
        )

    @abstractmethod
    def wait(self, duration_s: float) -> None:
        """Let ``duration_s`` biological seconds pass with nothing presented."""

    @abstractmethod
    def respond(self, stimulus: str) -> float:
        """The response to ``stimulus`` (approach, intake, familiarity...), with
        plasticity frozen and the learner's state left as it was."""

    @abstractmethod
    def plastic_state(self) -> tuple[int, int]:
        """(count, bytes) of the state that learning changes."""

    @abstractmethod
    def operations(self) -> dict[str, float]:
        """Counted operations so far, for :mod:`neurosim.efficiency` (spiking:
        ``spikes``, ``synaptic_events``, ``plasticity_updates``, ``neuron_steps``, ``n_neurons`` (for the resting energy);
        gradient descent: ``macs``, ``memory_accesses``, ``updates``)."""
