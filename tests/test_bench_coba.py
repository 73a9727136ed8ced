"""The COBA benchmark module (neurosim part only, at a tiny duration; no timing checks)."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from neurosim.experiments.benchmarks import coba

N = 4000
P = 0.02


def check_row(row, sim_ms):
    assert tuple(row) == coba.KEYS
    assert row["simulator"] == "neurosim"
    assert row["mode"] == "numba"
    assert row["sim_ms"] == sim_ms
    for key in ("run_s", "build_s"):
        assert isinstance(row[key], float) and math.isfinite(row[key]) and row[key] >= 0.0
    assert isinstance(row["spikes"], int) and row["spikes"] > 0
    # 4 pathways of Bernoulli(p) pairs: N*N*p synapses in all, sd sqrt(N*N*p*(1-p))
    mean, sd = N * N * P, math.sqrt(N * N * P * (1 - P))
    assert isinstance(row["synapses"], int)
    assert abs(row["synapses"] - mean) <= 4 * sd


def test_run_neurosim_only():
    rows = coba.run(durations_ms=(50.0,), simulators=("neurosim",))
    assert len(rows) == 1
    check_row(rows[0], 50.0)
    # the initial conductances drive a first volley; rates stay physiological
    rate = rows[0]["spikes"] / (N * 0.05)
    assert 1.0 < rate < 200.0
    assert coba.ratio_vs_brian2_standalone(rows) is None


def test_main_json(capsys):
    assert coba.main(["--json", "--durations", "50", "--only", "neurosim"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    check_row(json.loads(lines[0]), 50.0)
    assert json.loads(lines[1]) == {"ratio_vs_brian2_standalone": None}


def rows_of_run_times(bench, run_s: dict) -> list[dict]:
    """Rows of benchmark module ``bench`` in which only the run times count:
    ``run_s`` is ``{sim_ms: {simulator: run_s}}``."""
    return [
        bench.BENCHMARK.row(name, sim_ms, run_s=r, build_s=0.0, spikes=1, synapses=1)
        for sim_ms, runs in run_s.items()
        for name, r in runs.items()
    ]


def test_ratio_uses_longest_common_duration():
    rows = rows_of_run_times(
        coba,
        {
            1000.0: {"neurosim": 1.0, "brian2_standalone": 4.0},
            10000.0: {"neurosim": 3.0, "brian2_standalone": 6.0},
            20000.0: {"neurosim": 5.0},
        },
    )
    assert coba.ratio_vs_brian2_standalone(rows) == pytest.approx(0.5)


def test_rejects_bad_arguments():
    with pytest.raises(ValueError):
        coba.run(durations_ms=(50.0,), simulators=("nest",))
    with pytest.raises(ValueError):
        coba.run(durations_ms=(0.1,), simulators=("neurosim",))


def test_run_neurosim_plastic():
    # --plastic: the same network with pair STDP on the excitatory synapses
    rows = coba.run(durations_ms=(50.0,), simulators=("neurosim",), plastic=True)
    assert len(rows) == 1
    check_row(rows[0], 50.0)


def test_main_json_plastic(capsys):
    argv = ["--json", "--plastic", "--durations", "50", "--only", "neurosim"]
    assert coba.main(argv) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    check_row(json.loads(lines[0]), 50.0)


@pytest.mark.slow
@pytest.mark.brian2
def test_brian2_standalone_leaves_no_project_folder_in_the_working_folder(tmp_path):
    # Brian2's default project folder is ./output: the benchmark builds in a temporary one
    script = (
        "from neurosim.experiments.benchmarks import coba; "
        "print(coba.measure_brian2_standalone(5.0)['spikes'])"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=900
    )
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.split()[-1]) > 0
    assert list(tmp_path.iterdir()) == []
