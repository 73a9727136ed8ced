"""Sweep faults: temporary files of other processes, sweeps sharing a folder, broken
row files and manifests, Ctrl-C during a large result, a killed parent."""

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from neurosim.sweep import load_results, sweep
from neurosim.sweep.pool import stop_pool
from tests import sweep_targets

ROOT = Path(__file__).resolve().parents[1]
QUAD = "tests.sweep_targets:quadratic"


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in state


def _script(code: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env)


def _wait_for(paths, timeout=60.0):
    end = time.monotonic() + timeout
    while not all(p.exists() for p in paths):
        assert time.monotonic() < end, f"{paths} did not appear"
        time.sleep(0.05)


def test_a_sweep_deletes_only_temporary_files_of_dead_processes(tmp_path):
    sweep(QUAD, grid={"x": [1]}, out=tmp_path, executor="serial", progress=False)
    live = tmp_path / "table" / f".abc.parquet.{os.getpid()}.k2j3.tmp"
    stale = tmp_path / "table" / f".abc.parquet.{_dead_pid()}.k2j3.tmp"
    live.write_text("being written")
    stale.write_text("left by a crash")
    sweep(QUAD, grid={"x": [1, 2]}, out=tmp_path, executor="serial", progress=False)
    assert live.exists() and not stale.exists()


def test_two_sweeps_at_once_share_the_runs(tmp_path):
    log = tmp_path / "log.txt"
    code = (
        "from neurosim.sweep import sweep\n"
        f"df = sweep({QUAD!r}, grid={{'x': list(range(8))}}, params={{'log': {str(log)!r},"
        f" 'delay': 0.2}}, out={str(tmp_path / 'out')!r}, executor='serial', progress=False)\n"
        "assert len(df) == 8 and set(df.status) == {'ok'}, df\n"
    )
    procs = [_script(code) for _ in range(2)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    assert sorted(log.read_text().splitlines()) == sorted(f"{x},1.0,0" for x in range(8))
    assert not list((tmp_path / "out" / "table").glob("*.claim"))


def test_the_manifest_records_every_grid_swept_into_the_folder(tmp_path):
    sweep(QUAD, grid={"x": [1, 2]}, out=tmp_path, executor="serial", progress=False)
    sweep(QUAD, grid={"x": [3]}, seeds=[1], out=tmp_path, executor="serial", progress=False)
    manifest = json.loads((tmp_path / "sweep.json").read_text())
    assert manifest["grid"] == {"x": [1, 2, 3]} and manifest["seeds"] == [0, 1]
    assert len(manifest["runs"]) == 3


def test_a_truncated_row_file_is_a_missing_run(tmp_path):
    log = tmp_path / "log.txt"
    kw = dict(grid={"x": [1, 2]}, params={"log": str(log)}, executor="serial", progress=False)
    df = sweep(QUAD, out=tmp_path / "out", **kw)
    broken = tmp_path / "out" / "table" / f"{df.run_id[0]}.parquet"
    broken.write_bytes(broken.read_bytes()[:20])
    with pytest.warns(UserWarning, match=str(broken)):
        assert len(load_results(tmp_path / "out")) == 1
    with pytest.warns(UserWarning, match=str(broken)):
        df = sweep(QUAD, out=tmp_path / "out", **kw)
    assert list(df.x) == [1, 2] and log.read_text().splitlines() == [
        "1,1.0,0",
        "2,1.0,0",
        "1,1.0,0",
    ]
    broken.write_bytes(b"")
    with pytest.warns(UserWarning, match=str(broken)):
        assert len(sweep(QUAD, out=tmp_path / "out", **kw)) == 2


def test_a_corrupt_manifest_is_an_error_naming_it(tmp_path):
    sweep(QUAD, grid={"x": [1]}, out=tmp_path, executor="serial", progress=False)
    (tmp_path / "sweep.json").write_text('{"target": "tests.sw')
    with pytest.raises(ValueError, match=str(tmp_path / "sweep.json")):
        load_results(tmp_path)
    with pytest.raises(ValueError, match=str(tmp_path / "sweep.json")):
        sweep(QUAD, grid={"x": [1]}, out=tmp_path, executor="serial", progress=False)


def test_ctrl_c_while_a_worker_sends_a_large_result_exits_at_once(tmp_path):
    code = (
        "from neurosim.sweep import sweep\n"
        "sweep('tests.sweep_targets:big', grid={'x': [1, 2]}, params={'marker_dir':"
        f" {str(tmp_path)!r}, 'mb': 200}}, out={str(tmp_path / 'out')!r}, max_workers=2,"
        " progress=False)\n"
    )
    proc = _script(code)
    _wait_for([tmp_path / "1"])
    time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    try:
        assert proc.wait(timeout=20) != 0
    finally:
        proc.kill()
    assert len(load_results(tmp_path / "out")) <= 2
    leftovers = [*(tmp_path / "out").rglob("*.tmp"), *(tmp_path / "out").rglob("*.claim")]
    assert leftovers == []


def _in_pipe_write(pid: int) -> bool:
    """Whether process ``pid`` is blocked writing into a pipe (Linux ``wchan``)."""
    return Path(f"/proc/{pid}/wchan").read_text().endswith("pipe_write")


@pytest.mark.skipif(not Path("/proc/self/wchan").exists(), reason="needs /proc/<pid>/wchan")
def test_stopping_a_pool_while_a_result_is_half_sent_ends_its_reading_thread():
    """The pool is stopped (as on Ctrl-C) while its worker is writing a 400 MB result
    into the pipe (the worker is frozen there, so that the message is surely cut): the
    reading thread, left waiting for the rest of the message, must end, or it would
    hold up the interpreter's exit (what made Ctrl-C hang)."""
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    future = pool.submit(sweep_targets.blob, 400)
    (worker,) = pool._processes.values()
    writer, manager = pool._result_queue._writer, pool._executor_manager_thread
    try:
        deadline = time.monotonic() + 120
        while not _in_pipe_write(worker.pid) and time.monotonic() < deadline:
            pass
        os.kill(worker.pid, signal.SIGSTOP)  # frozen in the middle of the message
        assert not future.done(), "the result was sent before the pool could be stopped"
        stop_pool(pool)
        manager.join(timeout=10)
        assert not manager.is_alive()
    finally:
        writer.close()  # without the fix, lets the thread (and this process) end


def test_workers_exit_when_their_parent_is_killed(tmp_path):
    code = (
        "from neurosim.sweep import sweep\n"
        "sweep('tests.sweep_targets:pid_of_worker', grid={'x': [1, 2]}, params={'marker_dir':"
        f" {str(tmp_path)!r}}}, out={str(tmp_path / 'out')!r}, max_workers=2, progress=False)\n"
    )
    proc = _script(code)
    try:
        _wait_for([tmp_path / "1.pid", tmp_path / "2.pid"])
        time.sleep(0.2)
        workers = [int((tmp_path / f"{x}.pid").read_text()) for x in (1, 2)]
    finally:
        proc.kill()
        proc.wait()
    end = time.monotonic() + 10
    while any(map(_alive, workers)) and time.monotonic() < end:
        time.sleep(0.1)
    alive = [pid for pid in workers if _alive(pid)]
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    assert alive == []


def _python(*args, stdin=None, timeout=60):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=timeout,
    )


SCRIPT = """
from neurosim.sweep import sweep


def f(x):
    return {"y": 2 * x}

"""


def test_a_target_from_standard_input_is_refused_before_launching(tmp_path):
    code = SCRIPT + f"sweep(f, grid={{'x': [1, 2]}}, out={str(tmp_path)!r}, progress=False)\n"
    out = _python("-", stdin=code)
    assert out.returncode != 0 and "WorkerDied" not in out.stderr
    assert "script without a file" in out.stderr and "executor='serial'" in out.stderr


def test_a_script_without_main_guard_is_refused_and_one_with_it_runs(tmp_path):
    call = f"    df = sweep(f, grid={{'x': [1, 2]}}, out={str(tmp_path)!r}, progress=False)\n"
    script = tmp_path / "script.py"
    script.write_text(SCRIPT + call.strip() + "\n")
    out = _python(str(script))
    assert out.returncode != 0 and "WorkerDied" not in out.stderr
    assert 'if __name__ == "__main__":' in out.stderr and str(script) in out.stderr
    script.write_text(SCRIPT + "def main():\n" + call + "\n\nmain()\n")
    out = _python(str(script))
    assert out.returncode != 0 and "WorkerDied" not in out.stderr
    assert 'if __name__ == "__main__":' in out.stderr
    script.write_text(SCRIPT + 'if __name__ == "__main__":\n' + call + "    print(list(df.y))\n")
    out = _python(str(script))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[2, 4]"


def test_a_sweep_whose_runs_all_fail_alike_says_why_once(tmp_path):
    with pytest.warns(UserWarning, match="all 2 runs failed with ValueError: x = 1 is refused"):
        sweep(
            QUAD,
            grid={"x": [1]},
            seeds=2,
            params={"fail_on": 1},
            out=tmp_path,
            executor="serial",
            progress=False,
        )
