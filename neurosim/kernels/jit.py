"""The two ways neurosim compiles a function with Numba.

``kernel``
    A function called from compiled code, per step or per synapse: the neuron
    updates, the synapse rules, spike delivery, the random streams. It is compiled
    without Numba's reference counting (``_nrt=False``) and without an on-disk cache
    of its own, so that LLVM inlines it into its caller: the generated time loop
    (:mod:`neurosim.engine.codegen`), which is cached whole. A kernel must not
    allocate arrays (views and scalars only).

    Why: a call into a separately cached Numba function cannot be inlined (the cache
    holds machine code, not LLVM IR), and a Numba function taking arrays increments
    and decrements their reference counts atomically on every call. Measured on the
    Graupner–Brunel update, a per-synapse helper called that way cost about 22 ns
    per call, ten times the work it did.

    Kernels also use NumPy's error model: a float division by zero gives inf or NaN
    (which the engine reports as a non-finite state) instead of raising. With
    Python's model every division carries a zero test and an exception path, which
    keeps LLVM from vectorising the loop around it (measured: a neuron loop with one
    division, 10.6 ns per neuron with the test, 2.1 ns without).

``entry``
    A compiled function called from Python (``projection.synchronize()``, the
    batched loop): cached on disk, with kernels inlined into it.
"""

from __future__ import annotations

import os
import warnings

import numba
from numba import njit

#: Environment variable: ``512`` lets LLVM use 512-bit vectors on processors with
#: AVX-512 (see :func:`apply_vector_bits`); unset or ``256``: LLVM's own choice.
VECTOR_BITS_ENV = "NEUROSIM_VECTOR_BITS"


def apply_vector_bits(value: str | None = None) -> bool:
    """Let LLVM use 512-bit vectors where ``NEUROSIM_VECTOR_BITS=512`` asks for them;
    return whether the setting was applied.

    On processors with AVX-512, LLVM's cost model for many Intel server cores prefers
    256-bit vectors (the target feature ``prefer-256-bit``, against the clock slow-down
    that wide instructions can cause). neurosim's compute-bound kernels gain from the
    wide ones: the exponential-Euler update of ``lif_cond`` (a division and an
    exponential per neuron) took 3.3 instead of 5.7 ns per neuron and step, and the
    COBA network of 64,000 neurons with exponential Euler ran in 3.3 instead of 4.8 s
    per simulated second (measured on an Intel Xeon with AVX-512; see
    docs/performance.md). Memory-bound work (forward Euler, spike delivery) does not
    change. Results are the same bit for bit: the kernels' arithmetic is element by
    element, without reassociation, whatever the vector width.

    It sets Numba's CPU features to the host's without ``prefer-256-bit``, which
    only acts before Numba compiles its first function in the process: neurosim
    applies it when imported, so import neurosim before compiling other Numba code.
    Ignored (with a warning) where ``NUMBA_CPU_FEATURES`` is set or the processor
    has no AVX-512.
    """
    value = os.environ.get(VECTOR_BITS_ENV, "") if value is None else value
    value = value.strip()
    if value in ("", "256"):
        return False
    if value != "512":
        raise ValueError(f"{VECTOR_BITS_ENV} = {value!r}: use 256 (the default) or 512")
    if os.environ.get("NUMBA_CPU_FEATURES"):
        warnings.warn(
            f"{VECTOR_BITS_ENV}=512 ignored: NUMBA_CPU_FEATURES is set", RuntimeWarning, 2
        )
        return False
    import llvmlite.binding as llvm

    features = llvm.get_host_cpu_features()
    if not features.get("avx512f", False):
        warnings.warn(
            f"{VECTOR_BITS_ENV}=512 ignored: this processor has no AVX-512", RuntimeWarning, 2
        )
        return False
    numba.config.CPU_FEATURES = features.flatten() + ",-prefer-256-bit"
    return True


apply_vector_bits()

#: Options of :func:`kernel`: inlinable, no reference counting, IEEE division.
KERNEL_OPTIONS = {"nogil": True, "_nrt": False, "error_model": "numpy"}


def kernel(fn):
    """Compile ``fn`` as an inlinable kernel (see the module docstring)."""
    return njit(**KERNEL_OPTIONS)(fn)


def entry(fn):
    """Compile ``fn`` as a cached entry point called from Python."""
    return njit(cache=True, nogil=True)(fn)
