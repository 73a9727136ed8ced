"""The scaling benchmark: its rows and keys at small sizes (no timing checks)."""

from __future__ import annotations

import json
import math

import pytest

from neurosim.experiments.benchmarks import scaling
from neurosim.synapses import RULES


def check_row(row, n, simulator):
    assert row["simulator"] == simulator and row["N"] == n
    for key in ("run_s", "build_s", "construct_s", "peak_rss_mb", "ns_per_event", "rate_hz"):
        assert isinstance(row[key], float) and math.isfinite(row[key]) and row[key] > 0, key
    # four pathways of Bernoulli(80 / N) pairs: 80 N synapses expected
    p = 80 / n
    mean, sd = n * n * p, math.sqrt(n * n * p * (1 - p))
    assert abs(row["synapses"] - mean) <= 4 * sd
    events = row["spikes"] * row["synapses"] / n
    assert row["ns_per_event"] == pytest.approx(row["run_s"] * 1e9 / events, rel=1e-12)
    assert row["rate_hz"] == pytest.approx(row["spikes"] / (n * row["sim_ms"] / 1000))
    assert 1.0 < row["rate_hz"] < 200.0  # self-sustained activity, physiological


def test_neurosim_rows_and_keys():
    rows = scaling.run(sizes=(1000, 2000), duration_ms=100.0, simulators=("neurosim",))
    assert [r["N"] for r in rows] == [1000, 2000]
    for row, n in zip(rows, (1000, 2000), strict=True):
        check_row(row, n, "neurosim")
        assert row["construct_s"] < row["build_s"]  # build_s adds loading the loop
        assert row["ratio_vs_brian2_standalone"] is None
        # retained: 20 bytes per synapse (uint32 pre and post, float64 weight, int32
        # delay) and 8 per row pointer (n_pre + 1 per pathway, two from each side)
        n_exc, n_inh, _ = scaling.shape(n)
        pointers = 8 * 2 * (n_exc + 1 + n_inh + 1)
        expected = 20.0 + pointers / row["synapses"]
        assert row["bytes_per_synapse"] == pytest.approx(expected, rel=1e-12)
        # the build's peak holds the retained arrays (at these sizes FixedProbability
        # draws one number per candidate pair, in blocks: its peak is that block)
        assert expected <= row["build_peak_bytes_per_synapse"]


def test_median_of_repeats_keeps_counts_integers():
    rows = [
        {k: None for k in scaling.ROW_KEYS} | {"simulator": "neurosim", "N": 4000} for _ in range(3)
    ]
    for r, (run_s, spikes) in zip(rows, [(3.0, 10), (1.0, 30), (2.0, 21)], strict=True):
        r.update(run_s=run_s, spikes=spikes, synapses=7, bytes_per_synapse=20.0 + run_s)
    out = scaling._median(rows)
    assert out["N"] == 4000 and isinstance(out["N"], int)
    assert out["spikes"] == 21 and isinstance(out["spikes"], int) and out["synapses"] == 7
    assert out["run_s"] == 2.0 and out["bytes_per_synapse"] == 22.0
    assert out["build_s"] is None
    filled = {k: 1.0 for k in ("build_s", "construct_s", "peak_rss_mb", "rate_hz")}
    line = scaling.format_table([out | filled | {"sim_ms": 1000.0}]).splitlines()[-1]
    assert line.split()[:3] == ["4000", "neurosim", "2.000"]


def test_shape_of_the_network():
    assert scaling.shape(4000) == (3200, 800, 0.02)
    assert scaling.shape(128000) == (102400, 25600, 80 / 128000)
    for bad in (50, 1000.5, True):
        with pytest.raises(ValueError, match="N ="):
            scaling.shape(bad)


def test_main_json_and_bad_arguments(capsys):
    assert (
        scaling.main(["--json", "--sizes", "1000", "--durations", "50", "--only", "neurosim"]) == 0
    )
    lines = capsys.readouterr().out.strip().splitlines()
    row = json.loads(lines[-1])
    assert tuple(row) == (*scaling.ROW_KEYS, "ratio_vs_brian2_standalone")
    for argv in (["--sizes", "1000,x"], ["--sizes", "10"], ["--durations", "100,200"]):
        with pytest.raises(SystemExit) as err:
            scaling.main([*argv, "--only", "neurosim"])
        assert "neurosim bench scaling" in str(err.value) or "--sizes" in str(err.value)


@pytest.mark.slow
@pytest.mark.brian2
def test_ratio_against_brian2_standalone_in_the_same_run():
    rows = scaling.run(sizes=(1000,), duration_ms=200.0)
    mine, brian2 = rows
    check_row(mine, 1000, "neurosim")
    check_row(brian2, 1000, "brian2")
    assert mine["ratio_vs_brian2_standalone"] == pytest.approx(mine["run_s"] / brian2["run_s"])


@pytest.mark.slow
def test_bytes_per_synapse_of_every_rule(capsys):
    """``--rules``: one row per rule; each part is the rule's arrays over the count:
    the static 20 bytes and row pointers, 8 bytes per per-synapse variable of the rule
    (``S_syn`` rows), 8 for the postsynaptic index of a rule (4 + 4, and 8 per
    postsynaptic neuron)."""
    assert scaling.main(["--rules", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    assert [r["rule"] for r in rows] == ["static", *RULES]
    for r in rows:
        count = r["count"]
        assert r["synapses"] == pytest.approx(20.0 + 8 * 1001 / count, rel=1e-12)
        if r["rule"] == "static":
            assert r["total"] == r["synapses"]
            continue
        rows_syn = len(RULES.create(r["rule"]).synapse_vars)
        assert r["rule_synapses"] == pytest.approx(8.0 * rows_syn, rel=1e-12), r["rule"]
        assert r["indexes"] == pytest.approx(8.0 + 8 * 501 / count, rel=1e-12)
        parts = r["synapses"] + r["rule_synapses"] + r["rule_neurons"] + r["indexes"]
        assert r["total"] == pytest.approx(parts, rel=1e-12)
