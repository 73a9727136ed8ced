"""With ``NUMBA_DISABLE_JIT=1`` the kernels and the generated loop run as plain Python
(for debugging with pdb or prints) and give the compiled run's results, bit for bit.

The compiled run's results are those of ``tests/data/golden.npz``, which
``tests/test_golden.py`` requires of the compiled engine (no second compilation here)."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
COMPILED = np.load(ROOT / "tests" / "data" / "golden.npz")
#: every component kind (three neuron models, delays, currents, all monitor kinds) and
#: a plastic projection; a few seconds each in pure Python
NETWORKS = ("mixed", "rule_stdp_pair")

SCRIPT = """
import sys
import numba
import numpy as np
from tests import golden
assert numba.config.DISABLE_JIT
with np.errstate(over="ignore"):  # the random streams wrap around in uint64 on purpose
    out = {k: v for name in sys.argv[2:] for k, v in golden.outcome(name).items()}
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
    expected = {k for k in COMPILED.files if k.split("/")[0] in NETWORKS}
    assert set(pure.files) == expected
    assert sum(pure[k].size for k in expected if k.endswith("spike_i")) > 0
    for key in sorted(expected):
        np.testing.assert_array_equal(pure[key], COMPILED[key], err_msg=key)
