r"""Put a learner through a task: experiences, gaps and probes in time order.

:func:`run_task` resets the learner and walks ``task.schedule(n).events()``:

- the time between the end of what came before and the next event is a gap,
  ``learner.wait(gap)`` (seconds);
- an experience occupies ``[t_s, t_s + duration_s]``. Experiences whose intervals
  overlap (a cue and a shock at once; overlap is transitive: a chain of overlapping
  experiences is one group) are passed together, in order of onset, to
  ``learner.experience_many(group)``, which lasts from the first onset to the last
  end; a group of one goes to ``learner.experience(exp)``. Experiences that only touch
  (one ends when the next begins) are separate;
- a probe asks ``learner.respond(item)`` for each item (the learner's state stays as
  it was; a probe takes no time) and ``task.score(probe, responses)``. A probe that
  falls inside an experience is refused.

The :class:`TaskRun` keeps every probe's score, the learning curve (the ``"test"``
probes' scores by ``after``), the exposures to criterion (the first ``after`` whose
test score reaches ``task.criterion``), generalization and interference (the mean
score of the probes so named), the biological time at the end, the wall time, and
the learner's :meth:`~neurosim.tasks.Learner.operations` and
:meth:`~neurosim.tasks.Learner.plastic_state` at the end.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from neurosim.tasks import Experience, Learner, Probe, Schedule, Task


@dataclass(frozen=True)
class ProbeScore:
    """One probe's outcome: its ``name``, ``after`` (exposures before it), time
    ``t_s`` (s), the learner's ``responses`` (item -> response) and the ``score``."""

    name: str
    after: int
    t_s: float
    responses: dict[str, float]
    score: float


@dataclass
class TaskRun:
    """What one learner did on one task with one seed (see :mod:`neurosim.tasks.run`).

    Attributes
    ----------
    task, learner : str
        Names.
    seed : int
        The learner's seed.
    criterion : float
        The task's criterion score.
    probes : list of ProbeScore
        Every probe, in time order.
    biological_time_s : float
        Task time at the end (s).
    wall_s : float
        Wall-clock time of the whole run (s).
    operations : dict
        The learner's counted operations at the end.
    plastic_state : tuple of int
        (count, bytes) of the learner's plastic state at the end.
    """

    task: str
    learner: str
    seed: int
    criterion: float
    probes: list[ProbeScore] = field(default_factory=list)
    biological_time_s: float = 0.0
    wall_s: float = 0.0
    operations: dict[str, float] = field(default_factory=dict)
    plastic_state: tuple[int, int] = (0, 0)

    def scores(self, name: str) -> list[ProbeScore]:
        """The probes named ``name``, in time order."""
        return [p for p in self.probes if p.name == name]

    @property
    def learning_curve(self) -> list[tuple[int, float]]:
        """(after, score) of every ``"test"`` probe, in time order."""
        return [(p.after, p.score) for p in self.scores("test")]

    @property
    def exposures_to_criterion(self) -> int | None:
        """The first ``after`` whose test score is >= the criterion; None if never."""
        for after, score in self.learning_curve:
            if score >= self.criterion:
                return after
        return None

    @property
    def best_score(self) -> float | None:
        """The best test score reached (None without test probes)."""
        curve = self.learning_curve
        return max(score for _, score in curve) if curve else None

    def _mean(self, name: str) -> float | None:
        found = self.scores(name)
        return float(np.mean([p.score for p in found])) if found else None

    @property
    def generalization(self) -> float | None:
        """Mean score of the ``"generalization"`` probes (None if there are none)."""
        return self._mean("generalization")

    @property
    def interference(self) -> float | None:
        """Mean score of the ``"interference"`` probes (None if there are none)."""
        return self._mean("interference")


def _end(exp: Experience) -> float:
    return exp.t_s + exp.duration_s


def _grouped(events: list) -> list:
    """``events`` with each run of overlapping experiences made one list."""
    grouped: list = []
    for event in events:
        if isinstance(event, Experience):
            last = grouped[-1] if grouped else None
            if isinstance(last, list) and event.t_s < max(_end(e) for e in last):
                last.append(event)
            else:
                grouped.append([event])
        else:
            grouped.append(event)
    return grouped


def run_task(
    task: Task,
    learner: Learner,
    seed: int,
    n_exposures: int | None = None,
    schedule: Schedule | None = None,
) -> TaskRun:
    """Reset ``learner`` with ``seed`` and put it through ``task``'s schedule for
    ``n_exposures`` exposures (default ``task.max_exposures``), or through
    ``schedule`` when given (another protocol of the same task, e.g. days of one
    object then a day of another).

    Returns
    -------
    TaskRun
        Scores, learning curve, times, operations and plastic state.

    Raises
    ------
    ValueError
        ``n_exposures`` is not a whole number >= 1, or a probe falls inside an
        experience.
    """
    n = task.max_exposures if n_exposures is None else n_exposures
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n_exposures = {n!r} must be a whole number >= 1")
    started = time.perf_counter()
    learner.reset(task, seed)
    run = TaskRun(task.name, learner.name, seed, task.criterion)
    now = 0.0
    if schedule is None:
        schedule = task.schedule(int(n))
    for event in _grouped(schedule.events()):
        start = event[0].t_s if isinstance(event, list) else event.t_s
        if start < now:
            raise ValueError(
                f"task {task.name!r}: {event!r} at t_s = {start:g} s falls inside an "
                f"experience that lasts until {now:g} s"
            )
        if start > now:
            learner.wait(start - now)
            now = start
        if isinstance(event, Probe):
            responses = {item: float(learner.respond(item)) for item in event.items}
            score = float(task.score(event, responses))
            run.probes.append(ProbeScore(event.name, event.after, event.t_s, responses, score))
        else:
            if len(event) == 1:
                learner.experience(event[0])
            else:
                learner.experience_many(event)
            now = max(_end(e) for e in event)
    run.biological_time_s = now
    run.operations = dict(learner.operations())
    run.plastic_state = tuple(int(v) for v in learner.plastic_state())
    run.wall_s = time.perf_counter() - started
    return run
