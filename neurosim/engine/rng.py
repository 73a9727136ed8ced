"""Per-component random streams: xoshiro256** state arrays seeded from one root seed.

Each stochastic component (a Poisson source, a connection rule, an initial-state draw)
owns its own stream, derived from the network seed and the component's name with
:class:`numpy.random.SeedSequence`, so results do not depend on the order in which
components draw, and a run with the same seed is bit-identical.

Inside compiled kernels the stream is a ``uint64[4]`` xoshiro256** state (Blackman &
Vigna 2021, "Scrambled linear pseudorandom number generators", ACM TOMS 47:36),
advanced in place, so that saving the array saves the stream.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np
from numba import uint64

from neurosim.engine.jit import kernel


def component_seed(seed: int, name: str) -> np.random.SeedSequence:
    """The SeedSequence of component ``name`` under root ``seed``."""
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "little")
    return np.random.SeedSequence(entropy=int(seed), spawn_key=(key,))


def numpy_generator(seed: int, name: str) -> np.random.Generator:
    """A NumPy Generator on component ``name``'s stream (set-up time draws)."""
    return np.random.Generator(np.random.PCG64(component_seed(seed, name)))


def kernel_state(seed: int, name: str) -> np.ndarray:
    """A fresh xoshiro256** state (``uint64[4]``, never all zero) for kernels."""
    state = component_seed(seed, name + "/kernel").generate_state(4, np.uint64)
    if not state.any():
        state[0] = 1
    return state


@kernel
def _rotl(x, k):
    return (x << uint64(k)) | (x >> uint64(64 - k))


@kernel
def next_uint64(s):
    """Advance state ``s`` (uint64[4]) and return the next 64-bit output."""
    result = _rotl(s[1] * uint64(5), 7) * uint64(9)
    t = s[1] << uint64(17)
    s[2] ^= s[0]
    s[3] ^= s[1]
    s[1] ^= s[2]
    s[0] ^= s[3]
    s[2] ^= t
    s[3] = _rotl(s[3], 45)
    return result


@kernel
def uniform(s):
    """A double uniform on [0, 1) from the top 53 bits of the next output."""
    return float(next_uint64(s) >> uint64(11)) * (1.0 / 9007199254740992.0)


def ziggurat_tables(layers: int = 256, r: float = 3.6541528853610088):
    r"""Layer edges :math:`x_0 > x_1 = r > \dots > x_{256} = 0` of the normal ziggurat
    and :math:`f(x_i) = e^{-x_i^2/2}` (Marsaglia & Tsang 2000, J. Stat. Softw. 5(8)).

    Every layer has the area :math:`v = r f(r) + \int_r^\infty f` of the base strip
    (whose width :math:`x_0 = v / f(r)` includes the tail); ``r`` is the published value
    for 256 layers, for which the recursion :math:`x_{i+1} = \sqrt{-2\ln(v/x_i +
    f(x_i))}` closes at the top to within 4e-15.
    """
    v = r * math.exp(-0.5 * r * r) + math.sqrt(math.pi / 2) * math.erfc(r / math.sqrt(2))
    x = np.empty(layers + 1)
    x[0], x[1] = v / math.exp(-0.5 * r * r), r
    for i in range(1, layers - 1):
        x[i + 1] = math.sqrt(-2.0 * math.log(v / x[i] + math.exp(-0.5 * x[i] * x[i])))
    x[layers] = 0.0
    return x, np.exp(-0.5 * x * x)


_ZX, _ZF = ziggurat_tables()
_R_TAIL = float(_ZX[1])


@kernel
def normal(s):
    """A standard normal draw by the ziggurat method (Marsaglia & Tsang 2000).

    One 64-bit output gives the layer (bits 0-7), the sign (bit 8) and a 53-bit
    uniform (bits 11-63); about 99 % of draws are accepted from that alone. Points
    in a layer's wedge are accepted against :math:`e^{-x^2/2}` with one more uniform,
    and the tail beyond :math:`r` is sampled by Marsaglia's exponential method, so
    the number of outputs a draw uses varies (the result is exact in distribution).
    """
    while True:
        u = next_uint64(s)
        i = int(u & uint64(255))
        negative = (u >> uint64(8)) & uint64(1)
        x = float(u >> uint64(11)) * (1.0 / 9007199254740992.0) * _ZX[i]
        if x < _ZX[i + 1]:
            return -x if negative else x
        if i == 0:
            while True:
                a = -math.log(1.0 - uniform(s)) / _R_TAIL
                b = -math.log(1.0 - uniform(s))
                if b + b >= a * a:
                    break
            x = _R_TAIL + a
            return -x if negative else x
        if _ZF[i] + uniform(s) * (_ZF[i + 1] - _ZF[i]) < math.exp(-0.5 * x * x):
            return -x if negative else x
