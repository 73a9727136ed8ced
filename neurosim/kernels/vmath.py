"""Elementary functions that vectorise inside compiled loops.

``math.exp`` and ``math.log`` compile to calls into the C library, which stop LLVM
from vectorising the loop around them (the SVML vector library is not part of the PyPI
build of llvmlite). The functions here are written in arithmetic and bit operations
only, so a loop that calls them runs four (AVX2) or eight (AVX-512) doubles per
instruction. Division and square root are vector instructions too, but slow ones
(measured here: 1.4 ns per element for a division, 3.8 ns for ``x / sqrt(y)``, 0.2 ns
for a multiply-add), so :func:`log` and :func:`rsqrt` avoid them by Newton's method.

:func:`exp`: method (Cody & Waite 1980 range reduction; Muller, "Elementary Functions", ch. 11):
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

import numpy as np
from llvmlite import ir
from numba import config, types
from numba.extending import intrinsic

from neurosim.kernels.jit import kernel

if config.DISABLE_JIT:
    # NUMBA_DISABLE_JIT (debugging in Python): the same bit casts, by NumPy

    def _bits_of(x):
        """The IEEE-754 bits of float64 ``x`` as an int."""
        return int(np.float64(x).view(np.int64))

    def _float_of(bits):
        """The float64 whose IEEE-754 bits are int64 ``bits``."""
        return float(np.int64(bits).view(np.float64))

else:

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
def _reduced(x):
    """:math:`(e^r, k)` with :math:`e^x = 2^k e^r`, :math:`|r| \\le \\ln 2/2` (see the
    module docstring), for :math:`|x|` below 709.8."""
    shifted = x * _LOG2E + _ROUND
    k = _bits_of(shifted) - _bits_of(_ROUND)
    kf = shifted - _ROUND
    r = (x - kf * _LN2_HI) - kf * _LN2_LO
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
    return p * r + 1.0, k


@kernel
def exp(x):
    """:math:`e^x` to within 1 ulp, in vectorisable arithmetic (see the module)."""
    xc = min(max(x, _X_MIN), _X_MAX)
    p, k = _reduced(xc)
    half = k >> 1  # 2^k as 2^half * 2^(k - half): both normal for k in [-1022, 1024]
    y = p * _float_of((half + 1023) << 52) * _float_of((k - half + 1023) << 52)
    y = 0.0 if x < _X_MIN else y
    y = math.inf if x > _X_MAX else y
    return x if x != x else y


@kernel
def exp_neg(x):
    """:math:`e^x` for finite :math:`x \\le 0`, within 1 ulp, with fewer operations than
    :func:`exp`: no overflow, infinity or NaN handling, :math:`2^k` built in one step
    (normal for :math:`k \\ge -1022`), and arguments below -708.39 (where
    :math:`e^x` < 2.3e-308) give 0. For decay factors over a time that is never
    negative."""
    xc = max(x, _X_MIN)
    p, k = _reduced(xc)
    y = p * _float_of((k + 1023) << 52)
    return 0.0 if x < _X_MIN else y


_SQRT_HALF_BITS = 0x3FE6A09E667F3BCD  # bits of sqrt(1/2)


@kernel
def log(x):
    r"""Natural logarithm of a positive normal ``x``, within 4 ulp, without division.

    :math:`x = 2^k m` with :math:`m \in [\sqrt{1/2}, \sqrt 2)` taken from the bits;
    :math:`\ln m = 2\,\mathrm{artanh}\, s = 2(s + s^3/3 + \dots + s^{23}/23)` with
    :math:`s = (m-1)/(m+1)`, :math:`|s| \le 0.172` (truncation below 1e-19);
    :math:`1/(m+1)` by four Newton steps from a linear first guess (relative error
    1.5e-2, then 2.2e-4, 4.9e-8, 2.4e-15, rounding). Zero, negative, subnormal and non-finite
    arguments are not handled (callers clamp); tested against the C library in
    ``tests/engine/test_vmath.py``.
    """
    b = _bits_of(x)
    k = (b - _SQRT_HALF_BITS) >> 52
    m = _float_of(b - (k << 52))
    d = m + 1.0
    inv = 0.9850615000483443 - 0.23901599922648384 * d  # minimax line, 1/d on [1.707, 2.414]
    inv = inv * (2.0 - d * inv)
    inv = inv * (2.0 - d * inv)
    inv = inv * (2.0 - d * inv)
    inv = inv * (2.0 - d * inv)
    s = (m - 1.0) * inv
    s2 = s * s
    p = 1.0 / 23.0
    p = p * s2 + 1.0 / 21.0
    p = p * s2 + 1.0 / 19.0
    p = p * s2 + 1.0 / 17.0
    p = p * s2 + 1.0 / 15.0
    p = p * s2 + 1.0 / 13.0
    p = p * s2 + 1.0 / 11.0
    p = p * s2 + 1.0 / 9.0
    p = p * s2 + 1.0 / 7.0
    p = p * s2 + 1.0 / 5.0
    p = p * s2 + 1.0 / 3.0
    kf = _float_of(_bits_of(_ROUND) + k) - _ROUND  # float(k) without a conversion
    return kf * _LN2_HI + (kf * _LN2_LO + (s + s) + (s + s) * s2 * p)


_RSQRT_MAGIC = 0x5FE6EB50C7B537A9  # first guess of 1/sqrt(x) from the bits of x


@kernel
def rsqrt(x):
    r""":math:`1/\sqrt{x}` for a positive normal ``x`` (up to 1e300), within 3 ulp.

    First guess from the bits (Lomont 2003; relative error below 3.5 %), then four
    Newton steps :math:`y \leftarrow y (3/2 - x y^2 / 2)`, each squaring the relative
    error (1.8e-3, 4.9e-6, 3.6e-11, then rounding). Callers clamp 0 away.
    """
    y = _float_of(_RSQRT_MAGIC - (_bits_of(x) >> 1))
    h = 0.5 * x
    y = y * (1.5 - h * y * y)
    y = y * (1.5 - h * y * y)
    y = y * (1.5 - h * y * y)
    return y * (1.5 - h * y * y)
