"""Experiments are imported as ``neurosim.experiments``: a student's own ``experiments.py``
in the working folder (first on ``sys.path``, as in a notebook) does not shadow them."""

import json
import subprocess
import sys

SCRIPT = """
import json, sys
sys.path.insert(0, "")  # the working folder first, as in a notebook or ``python script.py``
from neurosim.experiments import experiment
from neurosim.cli import main
result = experiment("fi-curve")(currents=[400.0, 500.0], duration=400.0, transient=200.0)
main(["run", "fi-curve", "--set", "currents=400,500", "--set", "duration=400",
      "--set", "transient=200", "--json"])
print(json.dumps({"rates": result.arrays["rate_hz"].tolist()}))
"""


def test_own_experiments_module_does_not_shadow(tmp_path):
    (tmp_path / "experiments.py").write_text("raise ImportError('the student file was imported')\n")
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    rates = json.loads(lines[-1])["rates"]
    cli = json.loads(lines[-2])
    assert rates[1] > rates[0] > 0
    assert cli["rate_hz"] == rates
