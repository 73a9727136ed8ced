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

from numba import njit

#: Options of :func:`kernel`: inlinable, no reference counting, IEEE division.
KERNEL_OPTIONS = {"nogil": True, "_nrt": False, "error_model": "numpy"}


def kernel(fn):
    """Compile ``fn`` as an inlinable kernel (see the module docstring)."""
    return njit(**KERNEL_OPTIONS)(fn)


def entry(fn):
    """Compile ``fn`` as a cached entry point called from Python."""
    return njit(cache=True, nogil=True)(fn)
