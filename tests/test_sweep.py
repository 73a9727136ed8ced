"""Parameter sweeps: sampling, the table, errors, resume, killed workers, Ctrl-C,
batched runs, plots and the CLI."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from neurosim.sweep import (
    KEY_COLUMNS,
    META_COLUMNS,
    grid_points,
    lhs_points,
    load_results,
    random_points,
    run_id,
    sweep,
)
from tests import sweep_targets

ROOT = Path(__file__).resolve().parents[1]


def executions(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


# -- points ------------------------------------------------------------------------------
def test_grid_is_every_combination_last_name_fastest():
    points = grid_points({"a": [1, 2], "b": ["x", "y", "z"]})
    assert len(points) == 6
    assert points[:3] == [{"a": 1, "b": "x"}, {"a": 1, "b": "y"}, {"a": 1, "b": "z"}]
    assert grid_points({"a": np.array([0.5, 1.5])}) == [{"a": 0.5}, {"a": 1.5}]


def test_random_points_are_reproducible_and_in_range():
    pts = random_points({"a": (0.0, 2.0), "b": ["x", "y"]}, 200, seed=3)
    assert pts == random_points({"a": (0.0, 2.0), "b": ["x", "y"]}, 200, seed=3)
    a = np.array([p["a"] for p in pts])
    assert a.min() >= 0.0 and a.max() < 2.0
    assert {p["b"] for p in pts} == {"x", "y"}


def test_lhs_puts_one_point_in_every_stratum():
    n = 16
    pts = lhs_points({"a": (10.0, 20.0), "b": (0.0, 1.0)}, n, seed=0)
    for name, lo, hi in (("a", 10.0, 20.0), ("b", 0.0, 1.0)):
        strata = np.floor((np.array([p[name] for p in pts]) - lo) / (hi - lo) * n)
        assert sorted(strata.astype(int)) == list(range(n))


def test_sampler_combines_with_grid_and_seeds(tmp_path):
    df = sweep(
        sweep_targets.quadratic,
        grid={"y": [1.0, 2.0]},
        seeds=2,
        sampler="lhs",
        ranges={"x": (0.0, 1.0)},
        n_samples=3,
        out=tmp_path,
        executor="serial",
    )
    assert len(df) == 2 * 3 * 2
    assert list(df.columns[:3]) == ["y", "x", "seed"]
    assert df.groupby(["y", "x"]).size().eq(2).all()


# -- the table -------------------------------------------------------------------------------
def test_table_columns_arrays_and_error_rows(tmp_path):
    df = sweep(
        sweep_targets.quadratic,
        grid={"x": [1, 2, 3], "y": [0.5, 2.0]},
        seeds=[0, 7],
        params={"fail_on": 2},
        out=tmp_path,
        executor="serial",
    )
    assert list(df.columns) == [
        "x",
        "y",
        *KEY_COLUMNS,
        "value",
        "pair.sum",
        "label",
        "result.worker",
        *META_COLUMNS,
    ]
    assert len(df) == 12 and df.run_id.is_unique
    ok, bad = df[df.status == "ok"], df[df.status == "error"]
    assert set(bad.x) == {2} and len(bad) == 4
    assert (bad.error == "ValueError: x = 2 is refused").all()
    assert ok.error.isna().all()
    np.testing.assert_array_equal(ok.value, ok.x**2 * ok.y + ok.seed)
    assert (ok.label == "x" + ok.x.astype(str)).all()
    assert (df.attempts == 1).all() and (df.neurosim_version != "").all()
    row = ok.iloc[0]
    assert row.run_id == run_id({"x": int(row.x), "y": float(row.y)}, int(row.seed))
    arrays = np.load(tmp_path / "runs" / row.run_id / "arrays.npz")
    np.testing.assert_array_equal(arrays["trace"], [row.x, row.y, row.seed])
    info = json.loads((tmp_path / "runs" / row.run_id / "run.json").read_text())
    assert info["summary"]["pair"] == {"sum": row.x + row.y}
    tb = (tmp_path / "runs" / bad.iloc[0].run_id / "traceback.txt").read_text()
    assert "ValueError: x = 2 is refused" in tb
    manifest = json.loads((tmp_path / "sweep.json").read_text())
    assert manifest["target"] == "tests.sweep_targets:quadratic"
    assert manifest["params"] == {"fail_on": 2} and len(manifest["runs"]) == 12
    pd.testing.assert_frame_equal(load_results(tmp_path), df)


def test_resume_skips_finished_runs_and_reruns_errors_when_asked(tmp_path):
    log = tmp_path / "calls.log"
    kw = {"params": {"log": str(log), "fail_on": 3}, "out": tmp_path / "out", "executor": "serial"}
    first = sweep(sweep_targets.quadratic, grid={"x": [1, 2, 3]}, seeds=2, **kw)
    assert len(executions(log)) == 6
    again = sweep(sweep_targets.quadratic, grid={"x": [1, 2, 3]}, seeds=2, **kw)
    assert len(executions(log)) == 6  # nothing ran
    pd.testing.assert_frame_equal(first, again)
    wider = sweep(sweep_targets.quadratic, grid={"x": [1, 2, 3, 4]}, seeds=2, **kw)
    assert executions(log)[6:] == ["4,1.0,0", "4,1.0,1"]
    assert len(wider) == 8 and wider.run_id.is_unique
    retried = sweep(sweep_targets.quadratic, grid={"x": [3]}, seeds=2, retry_errors=True, **kw)
    assert executions(log)[8:] == ["3,1.0,0", "3,1.0,1"]
    assert (retried.status == "error").all()
    assert len(load_results(tmp_path / "out")) == 8  # rows replaced, never duplicated
    with pytest.raises(ValueError, match="holds a sweep with params"):
        sweep(sweep_targets.quadratic, grid={"x": [1]}, out=tmp_path / "out", executor="serial")


def test_seedless_target_runs_once_per_point(tmp_path):
    df = sweep(sweep_targets.seedless, grid={"x": [1, 2]}, out=tmp_path, executor="serial")
    assert list(df.seed) == [0, 0] and list(df.double) == [2, 4]
    with pytest.raises(ValueError, match="takes no seed parameter"):
        sweep(sweep_targets.seedless, grid={"x": [1]}, seeds=3, executor="serial")


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"grid": {"z": [1]}}, ValueError, r"has no parameter\(s\) \['z'\]"),
        ({"grid": {"seed": [1]}}, ValueError, "give seeds="),
        ({"grid": {"x": [1]}, "params": {"x": 2}}, ValueError, "both swept and fixed"),
        ({"grid": {"x": [[1, 2]]}}, TypeError, "swept values must be numbers"),
        ({"sampler": "sobol"}, ValueError, "is not one of"),
        ({"sampler": "random", "ranges": {"x": (0, 1)}}, ValueError, "n_samples"),
        ({"ranges": {"x": (0, 1)}}, ValueError, "need sampler="),
        ({"sampler": "lhs", "ranges": {"x": (1, 0)}, "n_samples": 2}, ValueError, "low < high"),
        ({"grid": {"x": [1]}, "seeds": 0}, ValueError, "seeds = 0"),
        ({"grid": {"x": [1]}, "executor": "threads"}, ValueError, "executor = 'threads'"),
        ({"grid": {"x": [1]}, "batched": True}, ValueError, "batched=True needs setup"),
        ({"grid": {"x": [1]}, "retries": -1}, ValueError, "retries"),
    ],
)
def test_bad_sweeps_raise_helpful_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        sweep(sweep_targets.quadratic, **kwargs)


def test_unknown_experiment_and_unpicklable_target():
    with pytest.raises(ValueError, match="unknown experiment 'nope'"):
        sweep("nope")
    with pytest.raises(TypeError, match="cannot be sent to worker processes"):
        sweep(lambda x: x, grid={"x": [1]}, executor="processes")


# -- local processes and faults -----------------------------------------------------------------
def test_processes_retry_a_killed_worker_and_record_a_run_that_always_kills(tmp_path):
    markers = tmp_path / "markers"
    markers.mkdir()
    df = sweep(
        sweep_targets.killer,
        grid={"x": list(range(6))},
        params={"marker_dir": str(markers), "once": [1], "always": [4]},
        out=tmp_path / "out",
        executor="processes",
        max_workers=2,
        retries=1,
    )
    assert len(df) == 6 and df.run_id.is_unique
    assert list(df.status) == ["ok"] * 4 + ["error", "ok"]
    dead = df[df.x == 4].iloc[0]
    assert dead.error.startswith("WorkerDied:") and dead.attempts == 2
    assert df[df.x == 1].iloc[0].attempts == 2  # died once, then ran alone
    ok = df[df.status == "ok"]
    np.testing.assert_array_equal(ok.x2, 2 * ok.x)
    assert ok.worker.nunique() >= 2  # the pool was restarted after a death


def test_interrupted_cli_sweep_keeps_finished_runs_and_resumes(tmp_path):
    out = tmp_path / "out"
    durations = ",".join(str(1000 + 100 * k) for k in range(10))
    cmd = [sys.executable, "-m", "neurosim.cli", "sweep", "fi-curve", "--grid"]
    cmd += [f"duration={durations}", "--set", "currents=0,300,600", "--set", "transient=500"]
    cmd += ["--set", "dt=0.001", "--workers", "2", "--out", str(out), "--quiet"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 90
    while len(list((out / "table").glob("*.parquet"))) < 2 and time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()
    assert "run the same command to resume" in err.decode()
    before = load_results(out)
    assert 2 <= len(before) < 10 and (before.status == "ok").all()
    resumed = subprocess.run([*cmd, "--json"], cwd=ROOT, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    summary = json.loads(resumed.stdout.strip().splitlines()[-1])
    assert summary == {**summary, "runs": 10, "ok": 10, "error": 0}
    after = load_results(out)
    assert (
        len(after) == 10
        and after.run_id.is_unique
        and sorted(after.duration) == sorted(1000 + 100 * k for k in range(10))
    )
    # finished rows were neither lost nor run again
    kept = after.set_index("run_id").loc[before.run_id]
    assert list(kept.finished_at) == list(before.finished_at)


# -- batched runs ------------------------------------------------------------------------------
def test_batched_sweep_is_identical_to_single_runs(tmp_path):
    kw = {
        "grid": {"rate": [20.0, 40.0], "w": [0.8, 1.2]},
        "seeds": 2,
        "params": {"duration": 100.0},
    }
    single = sweep(sweep_targets, out=tmp_path / "single", executor="serial", **kw)
    batched = sweep(sweep_targets, out=tmp_path / "batched", batched=True, batch_size=5, **kw)
    cols = ["rate", "w", "seed", "status", "spikes", "w_mean"]
    assert (single.status == "ok").all() and single.spikes.sum() > 0
    pd.testing.assert_frame_equal(single[cols], batched[cols])
    for rid in single.run_id:
        a = np.load(tmp_path / "single" / "runs" / rid / "arrays.npz")
        b = np.load(tmp_path / "batched" / "runs" / rid / "arrays.npz")
        assert sorted(a) == sorted(b) == ["g_e", "i", "t", "v", "w"]
        for key in a:
            np.testing.assert_array_equal(a[key], b[key])


# -- plots --------------------------------------------------------------------------------------
def test_plot_helpers_draw_from_a_sweep_table():
    from neurosim.plotting import plt, sweep_curve, sweep_heatmap

    rows = [
        {"a": a, "b": b, "seed": s, "status": "ok", "m": a * b + 0.1 * s}
        for a in (1.0, 2.0, 3.0)
        for b in (10, 20)
        for s in range(3)
    ]
    df = pd.DataFrame(rows + [{"a": 1.0, "b": 10, "seed": 9, "status": "error", "m": np.nan}])
    ax = sweep_curve(df, "m", "a")
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [15.1, 30.1, 45.1])
    ax = sweep_curve(df, "m", "a", by="b", spread="minmax")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["b = 10", "b = 20"]
    ax = sweep_heatmap(df, "m", "a", "b")
    np.testing.assert_allclose(ax.images[0].get_array(), [[10.1, 20.1, 30.1], [20.1, 40.1, 60.1]])
    with pytest.raises(ValueError, match="no column"):
        sweep_curve(df, "missing", "a")
    plt.close("all")


# -- CLI -----------------------------------------------------------------------------------------
def test_cli_sweep_json_and_errors(tmp_path, capsys):
    from neurosim.cli import main

    args = ["sweep", "fi-curve", "--grid", "model=lif,izhikevich", "--set", "currents=0,10"]
    args += ["--set", "duration=300", "--set", "transient=100", "--out", str(tmp_path)]
    assert main([*args, "--workers", "1", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary == {
        "experiment": "fi-curve",
        "out": str(tmp_path),
        "runs": 2,
        "ok": 2,
        "error": 0,
        "wall_s": summary["wall_s"],
    }
    df = load_results(tmp_path)
    assert list(df.model) == ["lif", "izhikevich"] and list(df.seed) == [0, 0]
    assert "params.tau_m" in df.columns  # nested summary values are flattened
    rates = np.load(tmp_path / "runs" / df.run_id[1] / "arrays.npz")["rate_hz"]
    assert rates[0] == 0 and rates[1] > 0
    with pytest.raises(SystemExit, match="takes no seed parameter"):
        main([*args, "--seeds", "3"])
    with pytest.raises(SystemExit, match="--range expects name=low,high"):
        main([*args, "--sampler", "random", "--samples", "2", "--range", "tau_m=5"])
    with pytest.raises(SystemExit, match="need --sampler random or lhs"):
        main([*args, "--range", "tau_m=5,10"])


def test_cli_sweep_on_sampled_points(tmp_path, capsys):
    from neurosim.cli import main

    argv = "sweep fi-curve --sampler random --samples 3 --range tau_m=5,20".split()
    argv += "--set currents=400 --set duration=300 --set transient=100".split()
    code = main([*argv, "--out", str(tmp_path), "--batched", "--quiet"])
    assert code == 0 and capsys.readouterr().out == ""
    df = load_results(tmp_path)
    assert len(df) == 3 and df["tau_m"].between(5, 20).all() and (df.status == "ok").all()
