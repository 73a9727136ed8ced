"""The fast-forward benchmark module at a tiny size (no timing checks)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from neurosim.experiments.benchmarks import fast_forward as bench
from neurosim.experiments.benchmarks.common import KEYS

SUMMARY = {
    "wall_s_per_24h",
    "stepped_s_per_24h",
    "ratio_stepped_vs_fast_forward",
    "rho_mean_before",
    "rho_mean_after",
    "rho_max_abs_error",
}


def test_the_jump_relaxes_every_efficacy_as_the_cubic_flow_says():
    net, proj = bench.build(n=40, seed=3)
    rho0 = np.array(proj.rho)  # as of step 0, the synapses' last update
    net.advance(60_000.0)  # a minute: 0.2 tau, the efficacies move but stay apart
    proj.synchronize()
    # x = rho - 1/2 obeys tau dx/dt = x (1/4 - x^2) (the cubic with rho* = 1/2):
    # x^2(t) = 1/4 / (1 + (1/(4 x0^2) - 1) exp(-t/(2 tau))), sign kept
    x0, t = rho0 - 0.5, net.t
    tau = proj.synapse.params.tau
    x = np.sign(x0) * np.sqrt(0.25 / (1.0 + (0.25 / x0**2 - 1.0) * np.exp(-t / (2 * tau))))
    assert t == pytest.approx(60_000.1) and net.counters()["spikes/neurons"] == 0
    assert np.max(np.abs(proj.rho - rho0)) > 0.01
    np.testing.assert_allclose(proj.rho, 0.5 + x, rtol=0, atol=1e-12)


def test_main_prints_rows_and_summary(capsys):
    argv = ["--json", "--hours", "0.01", "--stepped-ms", "20", "--repeats", "2", "--neurons", "30"]
    assert bench.main(argv) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.strip().splitlines()]
    assert len(lines) == 3
    jump, stepped, summary = lines
    assert tuple(jump) == KEYS and tuple(stepped) == KEYS
    assert (jump["mode"], jump["sim_ms"]) == ("fast_forward", 36_000.0)
    assert (stepped["mode"], stepped["sim_ms"]) == ("numba", 20.0)
    assert jump["spikes"] == 0 and jump["synapses"] == stepped["synapses"] > 0
    assert set(summary) == SUMMARY
    assert all(math.isfinite(v) for v in summary.values())
    assert summary["rho_max_abs_error"] < 1e-12
    assert summary["wall_s_per_24h"] == jump["run_s"] * 24 / 0.01


def test_bad_arguments_are_refused():
    with pytest.raises(SystemExit, match="hours = -1.0 must be > 0"):
        bench.main(["--hours", "-1"])
