"""``neurosim compare`` end to end on the built-in familiarity task (a known answer:
one exposure to A gives a preference for A), its JSON, table and figures, and its
bad inputs (each a one-line message, nothing run)."""

from __future__ import annotations

import csv
import json
import re

import pytest

from neurosim import compare
from neurosim.cli import main
from neurosim.tasks.familiarity import FamiliaritySpikingLearner, FamiliarityTask, make_learner
from neurosim.tasks.run import run_task

KEYS = {
    "learner", "exposures_to_criterion", "plastic_state_count", "plastic_state_bytes",
    "energy_biological_j", "energy_neuromorphic_j", "energy_resting_j", "energy_cpu_j",
    "biological_time_s", "wall_s", "generalization", "interference",
}  # fmt: skip


def test_one_exposure_gives_a_preference_for_a():
    """Criterion: preference for A >= 0.75 after one exposure in each of 3 seeds (a
    naive network answers A and B alike, 0.5); A at 0.8 is still preferred."""
    task = FamiliarityTask(max_exposures=1)
    learner = make_learner()
    learner.reset(task, 0)
    assert learner.respond("A") == learner.respond("B") == 0.0  # naive: DOWN, silent
    for seed in range(3):
        run = run_task(task, learner, seed)
        assert run.exposures_to_criterion == 1, run.learning_curve
        assert run.generalization >= 0.75
        assert run.plastic_state == (32, 256)  # c and rho of 16 synapses
        ops = run.operations
        assert ops["n_neurons"] == 17 and ops["neuron_steps"] == 20_000  # 2 s at 0.1 ms
        assert ops["synaptic_events"] == ops["spikes"] - _output_spikes(learner)


def _output_spikes(learner):
    return learner.net.counters()["spikes/output"]


def test_respond_leaves_the_learner_as_it_was():
    task = FamiliarityTask(max_exposures=1)
    learner = make_learner()
    run_task(task, learner, 1)
    before = (learner.net.t, learner.operations(), learner.net.projections["feedforward"].rho)
    first = learner.respond("A")
    assert learner.respond("A") == first
    after = (learner.net.t, learner.operations(), learner.net.projections["feedforward"].rho)
    assert before[:2] == after[:2] and (before[2] == after[2]).all()


def test_cli_json_table_and_figures(tmp_path, capsys):
    out = tmp_path / "report"
    status = main(
        [
            "compare",
            "familiarity",
            "--seeds",
            "2",
            "--json",
            "--out",
            str(out),
            "--set",
            "max_exposures=1",
            "--set",
            "mlp_trace_tau_s=60,600",
        ]
    )
    assert status == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert any("Davies" in line for line in lines)  # constants and sources printed
    result = json.loads(lines[-1])
    assert result["task"] == "familiarity" and result["n_seeds"] == 2
    learners = result["learners"]
    assert [e["learner"] for e in learners] == ["spiking", "mlp", "mlp"]
    assert [e.get("mlp_trace_tau_s") for e in learners] == [None, 60, 600]
    for entry in learners:
        assert KEYS <= set(entry)
        assert entry["biological_time_s"] == 62.0  # one 2-s exposure, test 60 s later
    spiking = learners[0]
    assert spiking["exposures_to_criterion"] == 1
    assert spiking["energy_resting_j"] == pytest.approx(3.5499e-11 * 17 * 62.0)
    assert learners[1]["energy_biological_j"] is None
    with open(out / "report.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 3 and KEYS <= set(rows[0])
    assert "Degnan" in (out / "constants.txt").read_text()
    for name in ("learning_curves", "energy", "data"):
        assert (out / f"{name}.png").stat().st_size > 0


BAD = [
    ("unknown task", ["compare", "nosuch"], r"unknown task 'nosuch'; tasks: familiarity, imprinting"),
    ("task parameter", ["compare", "familiarity", "--set", "n_feature=3"], r"task 'familiarity': .*n_feature"),
    ("task value", ["compare", "familiarity", "--set", "n_features=3"], r"n_features = 3 must be even"),
    ("MLP parameter", ["compare", "familiarity", "--set", "mlp_size=3"], r"unknown MLP parameter 'mlp_size'"),
    ("MLP value", ["compare", "familiarity", "--set", "mlp_optimizer=lbfgs"], r"optimizer = 'lbfgs'"),
    ("seeds", ["compare", "familiarity", "--seeds", "0"], r"--seeds 0 must be >= 1"),
]  # fmt: skip


@pytest.mark.parametrize("what, args, message", BAD, ids=[c[0] for c in BAD])
def test_bad_compare_exits_with_one_line(what, args, message):
    with pytest.raises(SystemExit) as exc:
        main(args)
    text = str(exc.value.code)
    assert "\n" not in text and re.search(message, text), text


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: FamiliarityTask(exposure_s=0), "exposure_s = 0 must be a number > 0"),
        (lambda: FamiliarityTask(max_exposures=0), "max_exposures = 0"),
        (lambda: FamiliarityTask(n_features=1), "n_features = 1"),
        (lambda: FamiliaritySpikingLearner(rate=-1.0), "rate = -1.0 must be > 0"),
    ],
)
def test_bad_familiarity_parameters(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_list_names_the_tasks(capsys):
    assert main(["list"]) == 0
    listed = capsys.readouterr().out
    assert "tasks (neurosim compare <task>):" in listed and "taste-aversion" in listed


def test_task_without_its_module(monkeypatch):
    monkeypatch.setitem(compare.TASKS, "ghost", "neurosim.tasks.no_such_module")
    with pytest.raises(
        SystemExit,
        match=r"task 'ghost' is not available: its module "
        r"neurosim.tasks.no_such_module cannot be imported",
    ):
        main(["compare", "ghost"])
