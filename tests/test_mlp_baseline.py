"""The gradient-descent learner: its counts and plastic state checked by hand on a
two-sample task, its samples (input trace, targets, gap bins) by hand, and its
updates against scikit-learn's partial_fit called directly."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.neural_network import MLPRegressor

from neurosim.baselines import MLPLearner
from neurosim.baselines.mlp import update_counts
from neurosim.efficiency import gd_energy, load_devices
from neurosim.tasks import Experience, Probe, Schedule, Stimulus, Task
from neurosim.tasks.run import run_task


class TwoSamples(Task):
    """One 2-s exposure to A (3 features) in 1-s bins: two samples; one test."""

    name = "two-samples"
    criterion = 0.5
    bin_s = 1.0

    def __init__(self):
        self.stimuli = {"A": Stimulus("A", [1.0, 0.0, 1.0]), "B": Stimulus("B", [0.0, 1.0, 0.0])}

    def schedule(self, n):
        return Schedule([Experience(0.0, "A", 2.0)], [Probe(2.0, ("A", "B"))])

    def score(self, probe, responses):
        return responses["A"] / (responses["A"] + responses["B"])


# Layer sizes 3 -> 2 -> 3: W = 3*2 + 2*3 = 12 weights, B = 2 + 3 = 5 biases, P = 17,
# W_b = 2*3 = 6 (all layers but the first), I = 3 + 2 = 5 layer inputs, n_L = 3.
# One update: MACs 2W + W_b + kP, neuron updates 2B, accesses 2P + 2I + 3B + n_L + W_b + aP.
HAND = {
    "sgd": {
        "macs": 24 + 6 + 5 * 17,
        "neuron_updates": 10,
        "memory_accesses": 34 + 10 + 15 + 3 + 6 + 5 * 17,
    },  # 115, 10, 153
    "adam": {
        "macs": 24 + 6 + 9 * 17,
        "neuron_updates": 10,
        "memory_accesses": 34 + 10 + 15 + 3 + 6 + 7 * 17,
    },  # 183, 10, 187
}
STATE = {"sgd": 2 * 17, "adam": 3 * 17}  # parameters + velocities, or + two moments


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_two_sample_report_by_hand(optimizer):
    assert update_counts((3, 2, 3), optimizer) == HAND[optimizer]
    run = run_task(TwoSamples(), MLPLearner(hidden=2, optimizer=optimizer), seed=0)
    ops = run.operations
    assert ops["updates"] == 2 and ops["trained_bins"] == 2 and ops["skipped_bins"] == 0
    for key, per_update in HAND[optimizer].items():
        assert ops[key] == 2 * per_update
    assert run.plastic_state == (STATE[optimizer], 8 * STATE[optimizer])
    # 45 nm: 2 x (MACs x 4.6 pJ + neuron updates x 0.9 pJ + accesses x 5 pJ)
    h = HAND[optimizer]
    expected = 2 * (h["macs"] * 4.6e-12 + 10 * 0.9e-12 + h["memory_accesses"] * 5e-12)
    assert gd_energy(ops, load_devices()["horowitz_45nm"]) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_state_count_is_what_sklearn_stores(optimizer):
    learner = MLPLearner(hidden=(4, 2), optimizer=optimizer)
    run_task(TwoSamples(), learner, seed=1)
    opt = learner.net._optimizer
    arrays = learner.net.coefs_ + learner.net.intercepts_
    arrays += opt.velocities if optimizer == "sgd" else opt.ms + opt.vs
    assert learner.plastic_state() == (
        sum(a.size for a in arrays),
        sum(a.nbytes for a in arrays),
    )


def test_one_partial_fit_per_bin_as_sklearn():
    """The learner's weights after the task equal two direct partial_fit calls on A."""
    learner = MLPLearner(hidden=2, optimizer="sgd", lr=0.1)
    run_task(TwoSamples(), learner, seed=3)
    ref = MLPRegressor(
        hidden_layer_sizes=(2,), solver="sgd", learning_rate_init=0.1, alpha=0.0, random_state=3
    )
    a = np.array([[1.0, 0.0, 1.0]])
    for _ in range(2):
        ref.partial_fit(a, a)
    for mine, theirs in zip(
        learner.net.coefs_ + learner.net.intercepts_, ref.coefs_ + ref.intercepts_, strict=True
    ):
        np.testing.assert_array_equal(mine, theirs)


def test_familiarity_is_exp_of_reconstruction_error():
    learner = MLPLearner(hidden=2, error_scale=0.2)
    task = TwoSamples()
    learner.reset(task, 0)
    f = task.stimuli["B"].features
    err = np.mean((learner.net.predict(f[None])[0] - f) ** 2)
    assert learner.respond("B") == pytest.approx(math.exp(-err / 0.2), rel=1e-12)


class Pairing(Task):
    """Cue A 0-60 s, illness 120-180 s, test at 600 s; 60-s bins."""

    name = "pairing"
    criterion = 0.5
    bin_s = 60.0

    def __init__(self):
        self.stimuli = {
            "A": Stimulus("A", [1.0, 0.0]),
            "B": Stimulus("B", [0.0, 1.0]),
            "LiCl": Stimulus("LiCl", [0.0, 0.0], modality="illness"),
        }

    def schedule(self, n):
        return Schedule(
            [Experience(0.0, "A", 60.0), Experience(120.0, "LiCl", 60.0, "consequence", 0.8)],
            [Probe(600.0, ("A",))],
        )

    def score(self, probe, responses):
        return 1 - responses["A"]


def test_trace_targets_and_gap_bins_by_hand():
    learner = MLPLearner(hidden=2, trace_tau_s=60.0, trace_floor=0.01)
    samples = []
    task = Pairing()
    learner.reset(task, 0)
    learner._fit = lambda x, y: samples.append((x.copy(), y.copy()))
    for event in (task.schedule(1).experiences[0], 60.0, task.schedule(1).experiences[1], 420.0):
        learner.wait(event) if isinstance(event, float) else learner.experience(event)
    e = math.exp(-1.0)  # decay per 60-s bin, tau = 60 s
    # cue bin; one gap bin (trace 1 >= floor); illness bin (target 0.8); then the
    # 420-s gap: trace e^-2 = 0.135 stays >= 0.01 for 1 + int(ln(13.5)) = 3 bins,
    # the other 4 of its 7 bins are skipped
    expected = [
        ([1, 0], [0]),
        ([e, 0], [0]),
        ([e**2, 0], [0.8]),
        ([e**3, 0], [0]),
        ([e**4, 0], [0]),
        ([e**5, 0], [0]),
    ]
    assert len(samples) == len(expected)
    for (x, y), (x_hand, y_hand) in zip(samples, expected, strict=True):
        np.testing.assert_allclose(x, x_hand, rtol=1e-12)
        np.testing.assert_allclose(y, y_hand, rtol=1e-12)
    # 4 skipped bins (learner._fit replaced, so only the skipped ones are counted)
    assert learner.counts["skipped_bins"] == 4
    np.testing.assert_allclose(learner.trace, [e**9, 0], rtol=1e-12)  # 420 s = 7 tau after e^-2


def test_intake_falls_after_repeated_pairing():
    task = Pairing()
    learner = MLPLearner(hidden=4, trace_tau_s=600.0, replays=50, lr=0.01)
    run = run_task(task, learner, seed=0)
    assert learner.consequences == ["illness"] and learner.n_out == 1
    pred = learner.net.predict(task.stimuli["A"].features[None])[0]
    assert learner.respond("A") == pytest.approx(1 - np.clip(pred, 0, 1))
    assert run.scores("test")[0].score > 0.3  # learnt some aversion to A


@pytest.mark.parametrize(
    "params, match",
    [
        ({"hidden": 0}, "hidden"),
        ({"hidden": (4, -1)}, "hidden"),
        ({"lr": 0}, "lr"),
        ({"optimizer": "lbfgs"}, "optimizer"),
        ({"replays": 1.5}, "replays"),
        ({"trace_tau_s": -1.0}, "trace_tau_s"),
        ({"trace_floor": 0}, "trace_floor"),
        ({"error_scale": "big"}, "error_scale"),
    ],
)
def test_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        MLPLearner(**params)
