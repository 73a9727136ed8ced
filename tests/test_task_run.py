"""The task runner against a recording learner: call order, gaps, overlapping
experiences, probes, and the numbers a TaskRun derives (hand-worked)."""

from __future__ import annotations

import pytest

from neurosim.tasks import Experience, Learner, Probe, Schedule, Stimulus, Task
from neurosim.tasks.run import run_task


class Toy(Task):
    """Cue at 0-10 s, a shock 5-12 s (overlapping), a cue 20-30 s; probes at 15 and
    40 s; a generalization probe and an interference probe at 40 s."""

    name = "toy"
    criterion = 0.6
    max_exposures = 2

    def __init__(self, probe_at=15.0):
        self.stimuli = {
            "A": Stimulus("A", [1.0, 0.0]),
            "S": Stimulus("S", [0.0, 1.0], modality="shock"),
        }
        self.probe_at = probe_at

    def schedule(self, n):
        return Schedule(
            experiences=[
                Experience(0.0, "A", 10.0),
                Experience(5.0, "S", 7.0, kind="consequence"),
                Experience(20.0, "A", 10.0, exposure=1),
            ][: 2 if n == 1 else 3],
            probes=[
                Probe(self.probe_at, ("A",), "test", after=1),
                Probe(40.0, ("A",), "test", after=2),
                Probe(40.0, ("A",), "generalization", after=2),
                Probe(40.0, ("A",), "interference", after=2),
            ],
        )

    def score(self, probe, responses):
        return responses["A"]


class Recorder(Learner):
    """Records every call; its response is the number of experiences so far / 4."""

    name = "recorder"

    def reset(self, task, seed):
        self.calls = [("reset", seed)]
        self.n = 0

    def experience(self, exp):
        self.calls.append(("experience", exp.stimulus))
        self.n += 1

    def experience_many(self, exps):
        self.calls.append(("many", tuple(e.stimulus for e in exps)))
        self.n += len(exps)

    def wait(self, duration_s):
        self.calls.append(("wait", duration_s))

    def respond(self, stimulus):
        self.calls.append(("respond", stimulus))
        return self.n / 4

    def plastic_state(self):
        return (3, 24)

    def operations(self):
        return {"spikes": 7}


def test_calls_in_time_order_with_overlap_as_one_group():
    learner = Recorder()
    run = run_task(Toy(), learner, seed=5)
    assert learner.calls == [
        ("reset", 5),
        ("many", ("A", "S")),  # 0-12 s
        ("wait", 3.0),
        ("respond", "A"),  # 15 s
        ("wait", 5.0),
        ("experience", "A"),  # 20-30 s
        ("wait", 10.0),
        ("respond", "A"),
        ("respond", "A"),
        ("respond", "A"),
    ]
    assert run.biological_time_s == 40.0
    # scores 2/4 after the group, 3/4 at 40 s
    assert run.learning_curve == [(1, 0.5), (2, 0.75)]
    assert run.exposures_to_criterion == 2
    assert run.best_score == 0.75
    assert run.generalization == 0.75 and run.interference == 0.75
    assert run.operations == {"spikes": 7} and run.plastic_state == (3, 24)
    assert run.wall_s > 0


def test_never_reaching_criterion_gives_none_and_best_score():
    task = Toy()
    task.criterion = 0.9
    run = run_task(task, Recorder(), seed=0)
    assert run.exposures_to_criterion is None
    assert run.best_score == 0.75


def test_n_exposures_selects_the_schedule():
    learner = Recorder()
    run = run_task(Toy(), learner, seed=0, n_exposures=1)
    assert ("experience", "A") not in learner.calls
    assert run.learning_curve == [(1, 0.5), (2, 0.5)]


def test_probe_inside_an_experience_is_refused():
    with pytest.raises(ValueError, match="falls inside an experience that lasts until 12"):
        run_task(Toy(probe_at=11.0), Recorder(), seed=0)


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_bad_n_exposures(bad):
    with pytest.raises(ValueError, match="n_exposures"):
        run_task(Toy(), Recorder(), seed=0, n_exposures=bad)


def test_default_experience_many_refuses_a_group():
    class OneAtATime(Recorder):
        experience_many = Learner.experience_many

    with pytest.raises(NotImplementedError, match="2 overlapping experiences"):
        run_task(Toy(), OneAtATime(), seed=0)


def test_touching_experiences_are_separate():
    class Touching(Toy):
        def schedule(self, n):
            return Schedule(
                [Experience(0.0, "A", 10.0), Experience(10.0, "S", 5.0, kind="consequence")],
                [Probe(15.0, ("A",))],
            )

    learner = Recorder()
    run_task(Touching(), learner, seed=0)
    assert learner.calls[1:4] == [("experience", "A"), ("experience", "S"), ("respond", "A")]


def test_default_experience_many_takes_a_group_of_one():
    class OneAtATime(Recorder):
        experience_many = Learner.experience_many

    learner = OneAtATime()
    learner.reset(Toy(), 0)
    learner.experience_many([Experience(0.0, "A", 1.0)])
    assert learner.calls[-1] == ("experience", "A")
