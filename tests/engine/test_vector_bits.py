"""``NEUROSIM_VECTOR_BITS=512``: wider vectors, the same results bit for bit."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import llvmlite.binding as llvm
import numba
import pytest

from neurosim.kernels import jit

ROOT = Path(__file__).resolve().parents[2]
HAS_AVX512 = bool(llvm.get_host_cpu_features().get("avx512f", False))


def test_values_and_refusals(monkeypatch):
    monkeypatch.setattr(numba.config, "CPU_FEATURES", numba.config.CPU_FEATURES)
    assert jit.apply_vector_bits("") is False and jit.apply_vector_bits("256") is False
    with pytest.raises(ValueError, match="use 256"):
        jit.apply_vector_bits("1024")
    monkeypatch.setenv("NUMBA_CPU_FEATURES", "+avx2")
    with pytest.warns(RuntimeWarning, match="NUMBA_CPU_FEATURES is set"):
        assert jit.apply_vector_bits("512") is False
    monkeypatch.delenv("NUMBA_CPU_FEATURES")
    if HAS_AVX512:
        assert jit.apply_vector_bits("512") is True
        assert numba.config.CPU_FEATURES.endswith(",-prefer-256-bit")
    else:
        with pytest.warns(RuntimeWarning, match="no AVX-512"):
            assert jit.apply_vector_bits("512") is False


@pytest.mark.slow
@pytest.mark.skipif(not HAS_AVX512, reason="the processor has no AVX-512")
def test_wide_vectors_give_the_saved_results(tmp_path):
    """The COBA network (forward Euler) and the calcium network (exponential Euler,
    Graupner-Brunel) of tests/golden.py, compiled in a fresh process with 512-bit
    vectors, give the spikes and weights saved in tests/data/golden.npz."""
    code = textwrap.dedent(
        """
        import numba, numpy as np
        from tests import golden
        assert numba.config.CPU_FEATURES.endswith("-prefer-256-bit")
        saved = np.load("tests/data/golden.npz")
        for name in ("coba", "calcium"):
            out = golden.outcome(name)
            for key, value in out.items():
                assert np.array_equal(value, saved[key]), key
        print("same")
        """
    )
    env = dict(os.environ, NEUROSIM_VECTOR_BITS="512")
    env.pop("NUMBA_CPU_FEATURES", None)
    env["NEUROSIM_CACHE_DIR"] = str(tmp_path / "loops")
    env["NUMBA_CACHE_DIR"] = str(tmp_path / "numba")
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "same"
