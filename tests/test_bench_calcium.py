"""The calcium-plasticity benchmark module (neurosim parts at a tiny duration; no
timing checks)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from neurosim.experiments.benchmarks import calcium
from neurosim.experiments.benchmarks.coba import KEYS
from tests.test_bench_coba import rows_of_run_times

N_SYNAPSES = calcium.N_INPUT * calcium.N_NEURON


def check_row(row, name, sim_ms):
    assert tuple(row) == KEYS
    assert (row["simulator"], row["mode"]) == calcium.SIMULATORS[name]
    assert row["sim_ms"] == sim_ms
    for key in ("run_s", "build_s"):
        assert isinstance(row[key], float) and math.isfinite(row[key]) and row[key] >= 0.0
    assert isinstance(row["spikes"], int) and row["spikes"] > 0
    assert row["synapses"] == N_SYNAPSES


def test_run_neurosim_plastic_and_static():
    rows, rho = calcium.run(
        durations_ms=(100.0,), simulators=("neurosim", "neurosim_static"), ks_seeds=1
    )
    assert len(rows) == 2
    check_row(rows[0], "neurosim", 100.0)
    check_row(rows[1], "neurosim_static", 100.0)
    assert rho["sim_ms"] == 100.0 and rho["brian2"] is None
    final = rho["neurosim"]
    assert final.shape == (N_SYNAPSES,) and np.all(np.isfinite(final))
    # half the synapses start DOWN (0), half UP (1); 100 ms at tau = 150 s keeps the
    # two states apart (Binomial(1e5, 1/2): the UP fraction within 0.5 +- 0.01)
    assert abs(np.mean(final > 0.5) - 0.5) < 0.01
    assert len(rho["neurosim_seeds"]) == 1
    line = calcium.weight_comparison(rho)
    assert line["rho_mean_neurosim"] == pytest.approx(float(final.mean()))
    assert line["rho_mean_brian2"] is None and line["ks_pvalue"] is None
    assert 0.0 <= line["ks_statistic_between_seeds"] <= 1.0
    assert calcium.ratio_vs_brian2_standalone(rows) is None
    assert calcium.plastic_vs_static(rows) == pytest.approx(rows[0]["run_s"] / rows[1]["run_s"])


def test_main_json_lines(capsys):
    argv = ["--json", "--durations", "100", "--only", "neurosim_static", "--ks-seeds", "0"]
    assert calcium.main(argv) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.strip().splitlines()]
    assert len(lines) == 4
    check_row(lines[0], "neurosim_static", 100.0)
    assert set(lines[1]) >= {"rho_mean_neurosim", "rho_mean_brian2", "ks_pvalue"}
    assert all(v is None for v in lines[1].values())
    assert lines[2] == {"ratio_vs_brian2_standalone": None}
    assert lines[3] == {"plastic_vs_static": None}


def test_weight_comparison_same_and_shifted_distributions():
    rng = np.random.default_rng(3)
    a, b = rng.normal(0.5, 0.1, 5000), rng.normal(0.5, 0.1, 5000)
    same = calcium.weight_comparison({"neurosim": a, "brian2": b, "neurosim_seeds": [b]})
    assert same["ks_pvalue"] > 1e-3
    assert same["ks_statistic"] == same["ks_statistic_between_seeds"]
    shifted = calcium.weight_comparison({"neurosim": a, "brian2": b + 0.05})
    assert shifted["ks_pvalue"] < 1e-6
    assert shifted["rho_mean_brian2"] - shifted["rho_mean_neurosim"] == pytest.approx(
        0.05, abs=0.01
    )


def test_ratios_use_longest_common_duration():
    rows = rows_of_run_times(
        calcium,
        {
            1000.0: {"neurosim": 1.0, "neurosim_static": 0.5, "brian2_standalone": 100.0},
            10000.0: {"neurosim": 6.0, "neurosim_static": 3.0},
        },
    )
    assert calcium.ratio_vs_brian2_standalone(rows) == pytest.approx(0.01)
    assert calcium.plastic_vs_static(rows) == pytest.approx(2.0)


def test_rejects_bad_arguments():
    with pytest.raises(ValueError, match="unknown simulators"):
        calcium.run(durations_ms=(100.0,), simulators=("brian2_cython",))
    with pytest.raises(ValueError, match="durations"):
        calcium.run(durations_ms=(0.1,), simulators=("neurosim",))
    with pytest.raises(ValueError, match="repeats"):
        calcium.run(durations_ms=(100.0,), simulators=("neurosim",), repeats=0)


@pytest.mark.slow
@pytest.mark.brian2
def test_brian2_standalone_builds_and_returns_rho():
    # about a minute: code generation and compilation of the standalone project
    rows, rho = calcium.run(durations_ms=(100.0,), simulators=("brian2_standalone",))
    check_row(rows[0], "brian2_standalone", 100.0)
    assert rho["brian2"].shape == (N_SYNAPSES,)
    assert abs(np.mean(rho["brian2"] > 0.5) - 0.5) < 0.01
