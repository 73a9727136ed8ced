"""Elementary functions that vectorise inside compiled loops.

``math.exp`` compiles to a call into the C library, which stops LLVM from vectorising
the loop around it (the SVML vector library is not part of the PyPI build of
llvmlite). :func:`exp` is written in arithmetic and bit operations only, so a loop
over neurons that calls it runs four doubles per AVX2 instruction.

Method (Cody & Waite 1980 range reduction; Muller, "Elementary Functions", ch. 11):
:math:`e^x = 2^k e^r` with :math:`k = \\mathrm{round}(x \\log_2 e)` and
:math:`r = x - k \\ln 2` (``ln 2`` split in two parts so that ``r`` is exact),
:math:`|r| \\le \\ln 2 / 2`; :math:`e^r` by its Taylor polynomial of degree 13
(truncation error below 5e-18), :math:`2^k` built in the exponent bits. The result is
within 1 ulp of the correctly rounded value (measured over 3e6 arguments in
``tests/engine/test_vmath.py``); results below the smallest normal double
(:math:`x < -708.396`) are flushed to 0, overflow gives ``inf`` and NaN stays NaN.
"""

from __future__ import annotations

import math

from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from neurosim.engine.jit import kernel


@intrinsic
def _bits_of(typingctx, x):
    """The IEEE-754 bits of float64 ``x`` as an int64."""

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return types.int64(types.float64), codegen


@intrinsic
def _float_of(typingctx, bits):
    """The float64 whose IEEE-754 bits are int64 ``bits``."""

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(types.int64), codegen


_LOG2E = 1.4426950408889634
_LN2_HI = 6.93147180369123816490e-01  # high bits of ln 2: k * _LN2_HI is exact
_LN2_LO = 1.90821492927058770002e-10
_ROUND = 6755399441055744.0  # 1.5 * 2**52: adding it rounds to an integer in the low bits
_X_MIN = -708.3964185322641  # ln of the smallest normal double
_X_MAX = 709.782712893384  # ln of the largest double


@kernel
def exp(x):
    """:math:`e^x` to within 1 ulp, in vectorisable arithmetic (see the module)."""
    xc = min(max(x, _X_MIN), _X_MAX)
    shifted = xc * _LOG2E + _ROUND
    k = _bits_of(shifted) - _bits_of(_ROUND)
    kf = shifted - _ROUND
    r = (xc - kf * _LN2_HI) - kf * _LN2_LO
    p = 1.0 / 6227020800.0
    p = p * r + 1.0 / 479001600.0
    p = p * r + 1.0 / 39916800.0
    p = p * r + 1.0 / 3628800.0
    p = p * r + 1.0 / 362880.0
    p = p * r + 1.0 / 40320.0
    p = p * r + 1.0 / 5040.0
    p = p * r + 1.0 / 720.0
    p = p * r + 1.0 / 120.0
    p = p * r + 1.0 / 24.0
    p = p * r + 1.0 / 6.0
    p = p * r + 0.5
    p = p * r + 1.0
    p = p * r + 1.0
    half = k >> 1  # 2^k as 2^half * 2^(k - half): both normal for k in [-1022, 1024]
    y = p * _float_of((half + 1023) << 52) * _float_of((k - half + 1023) << 52)
    y = 0.0 if x < _X_MIN else y
    y = math.inf if x > _X_MAX else y
    return x if x != x else y
