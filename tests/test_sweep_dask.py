"""Sweeps on a real Dask cluster (scheduler and worker processes on 127.0.0.1)."""

import json
import logging
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from neurosim.sweep import load_results, sweep
from tests import sweep_targets

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parents[1]


def _local_cluster():
    import contextlib

    import dask

    # the scheduler reports KilledWorker after a task's worker died twice (default 3),
    # and gives a worker no task beyond the one its thread runs (so that a death
    # implicates only the run that was running)
    config = {
        "distributed.scheduler.allowed-failures": 1,
        "distributed.scheduler.worker-saturation": 1.0,
    }
    stack = contextlib.ExitStack()
    stack.enter_context(dask.config.set(config))
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    stack.enter_context(cluster)
    return stack, cluster


@pytest.fixture(scope="module")
def cluster():
    stack, cluster = _local_cluster()
    with stack:
        yield cluster


@pytest.fixture
def own_cluster():
    """A cluster for a test that kills its workers: one whose nannies are slow to bring
    them back (seen on a loaded machine) must not leave the other tests without any."""
    stack, cluster = _local_cluster()
    with stack:
        yield cluster


def test_sweep_on_a_cluster_object_equals_local_run(cluster, tmp_path):
    kw = {"grid": {"x": [1, 2, 3], "y": [0.5, 2.0]}, "seeds": 2, "params": {"fail_on": 3}}
    local = sweep(sweep_targets.quadratic, out=tmp_path / "local", executor="serial", **kw)
    remote = sweep(sweep_targets.quadratic, out=tmp_path / "dask", executor=cluster, **kw)
    cols = ["x", "y", "seed", "status", "error", "value", "pair.sum", "label", "result.worker"]
    cols += ["run_id"]
    assert local[cols].equals(remote[cols])
    assert set(remote.worker) != set(local.worker)  # ran in the worker processes


def test_sweep_through_a_client_and_through_an_address(cluster, tmp_path):
    with distributed.Client(cluster) as client:
        df = sweep(sweep_targets.seedless, grid={"x": [1, 2]}, out=tmp_path / "a", executor=client)
        assert client.status == "running"  # a client given by the caller stays open
    assert list(df.double) == [2, 4]
    df = sweep(
        sweep_targets.seedless,
        grid={"x": [3]},
        out=tmp_path / "b",
        executor=cluster.scheduler_address,
    )
    assert list(df.double) == [6]


def test_a_killed_dask_worker_loses_nothing_and_counts_nothing_twice(own_cluster, tmp_path):
    markers = tmp_path / "markers"
    markers.mkdir()
    df = sweep(
        sweep_targets.killer,
        grid={"x": list(range(8))},
        params={"marker_dir": str(markers), "once": [2, 5], "always": [6]},
        out=tmp_path / "out",
        executor=own_cluster,
        retries=1,
    )
    assert len(df) == 8 and df.run_id.is_unique
    assert sorted(p.name for p in markers.iterdir()) == ["2", "5", "6"]
    ok = df[df.x != 6]
    assert (ok.status == "ok").all(), ok.error.dropna().tolist()
    np.testing.assert_array_equal(ok.x2, 2 * ok.x)
    dead = df[df.x == 6].iloc[0]
    assert dead.status == "error" and dead.error.startswith("WorkerDied: its Dask worker died")
    assert dead.attempts == 2  # two KilledWorker reports: retries = 1
    assert len(list((tmp_path / "out" / "table").glob("*.parquet"))) == 8


def test_cli_sweep_with_scheduler_address(cluster, tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "neurosim.cli",
            "sweep",
            "fi-curve",
            "--grid",
            "model=lif,adex",
            "--set",
            "currents=0,500",
            "--set",
            "duration=200",
            "--set",
            "transient=50",
            "--scheduler",
            cluster.scheduler_address,
            "--out",
            str(tmp_path),
            "--json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert (summary["runs"], summary["ok"], summary["error"]) == (2, 2, 0)
    assert list(load_results(tmp_path).model) == ["lif", "adex"]


def test_a_cluster_without_workers_stops_the_sweep_with_a_clear_error(tmp_path, monkeypatch):
    from neurosim.sweep import executors

    monkeypatch.setattr(executors, "NO_WORKER_TIMEOUT_S", 1.0)
    with distributed.LocalCluster(
        n_workers=0, processes=False, dashboard_address=None, silence_logs=logging.ERROR
    ) as empty:
        with pytest.raises(executors.NoWorkers, match="no worker for 1 s.*run the same sweep"):
            sweep(sweep_targets.seedless, grid={"x": [1]}, out=tmp_path / "out", executor=empty)
    assert not list((tmp_path / "out" / "table").glob("*.claim"))  # claims released


def test_an_address_that_answers_but_is_not_dask_gives_a_clear_error(tmp_path):
    import socket
    import threading

    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def answer_garbage():
        for _ in range(3):
            conn, _ = server.accept()
            conn.sendall(b"\xff" * 64)  # read by Dask as an absurd frame length
            conn.close()

    threading.Thread(target=answer_garbage, daemon=True).start()
    with pytest.raises(
        ConnectionError, match=f"no Dask scheduler answers at tcp://127.0.0.1:{port}"
    ):
        sweep(
            sweep_targets.seedless,
            grid={"x": [1]},
            out=tmp_path,
            executor=f"tcp://127.0.0.1:{port}",
        )
    server.close()
