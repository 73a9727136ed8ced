"""The Python examples of docs/sweeps.md: each runs as written.

Scripts that start a sweep are run as worker processes import them (not as
``__main__``): their imports must work and nothing may start, which is what the
``if __name__ == "__main__":`` guard ensures; the analysis example runs on a folder
made by a quick stand-in for ``coba`` (:func:`tests.sweep_targets.rates`).
"""

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

from neurosim.sweep import sweep

ROOT = Path(__file__).resolve().parents[1]
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "sweeps.md").read_text(), re.S)


def test_the_guide_has_examples():
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{k}" for k in range(len(BLOCKS))])
def test_example_has_no_undefined_names_and_guards_its_sweep(code):
    checked = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--select", "F821,F401", "--stdin-filename",
         "example.py", "-"],
        input=code, capture_output=True, text=True,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout
    if "sweep(" in code:
        assert 'if __name__ == "__main__":' in code
        missing = [
            name
            for name in re.findall(r"^from (\S+) import", code, re.M)
            if importlib.util.find_spec(name.split(".")[0]) is None
        ]
        if missing:
            pytest.skip(f"needs {missing}")
        exec(compile(code, "example.py", "exec"), {"__name__": "__mp_main__"})


def test_analysis_example_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sweep(
        "tests.sweep_targets:rates",
        grid={"w_i": [40, 67, 90], "w_e": [4, 6]},
        seeds=2,
        out="results/coba-weights",
        executor="serial",
        progress=False,
    )
    (code,) = [block for block in BLOCKS if "load_results(" in block]
    exec(compile(code, "example.py", "exec"), {"__name__": "__main__"})
    from neurosim.plotting import plt

    plt.close("all")


SWEEPS = [block for block in BLOCKS if "sweep(" in block and "dask_jobqueue" not in block]


@pytest.mark.slow
@pytest.mark.parametrize("code", SWEEPS, ids=[f"sweep{k}" for k in range(len(SWEEPS))])
def test_sweep_example_runs_in_full_as_a_script(code, tmp_path):
    """Each sweep of the guide, run as a user runs it (``python script.py``, workers
    and all), finishes and prints its table. The SLURM example needs a SLURM cluster."""
    script = tmp_path / "example.py"
    script.write_text(code)
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=1200
    )
    assert done.returncode == 0, done.stderr[-3000:]
    if "out=" in code:
        assert list((tmp_path / "results").rglob("*.parquet"))
