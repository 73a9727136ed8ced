"""With ``NUMBA_DISABLE_JIT=1`` the kernels and the generated loop run as plain Python
(for debugging with pdb or prints) and give the same results as the compiled run."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from tests import golden

ROOT = Path(__file__).resolve().parents[1]
#: every component kind (three neuron models, delays, currents, all monitor kinds) and
#: a plastic projection; a few seconds each in pure Python
NETWORKS = ("mixed", "rule_stdp_pair")

SCRIPT = """
import sys
import numpy as np
from tests import golden
with np.errstate(over="ignore"):  # the random streams wrap around in uint64 on purpose
    out = {f"{name}|{key}": v for name in sys.argv[2:] for key, v in golden.outcome(name).items()}
np.savez(sys.argv[1], **out)
"""


def test_pure_python_run_matches_compiled_run(tmp_path):
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    path = tmp_path / "pure.npz"
    cmd = [sys.executable, "-c", SCRIPT, str(path), *NETWORKS]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-4000:]
    pure = np.load(path)
    for name in NETWORKS:
        compiled = golden.outcome(name)
        assert {k for k in pure.files if k.startswith(f"{name}|")} == {
            f"{name}|{k}" for k in compiled
        }
        assert sum(v.size for k, v in compiled.items() if k.endswith("spike_i")) > 0
        for key, value in compiled.items():
            np.testing.assert_array_equal(pure[f"{name}|{key}"], value, err_msg=key)
