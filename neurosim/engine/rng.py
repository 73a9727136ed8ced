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

import numpy as np
from numba import njit, uint64


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


@njit(inline="always")
def _rotl(x, k):
    return (x << uint64(k)) | (x >> uint64(64 - k))


@njit(cache=True)
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


@njit(cache=True)
def uniform(s):
    """A double uniform on [0, 1) from the top 53 bits of the next output."""
    return float(next_uint64(s) >> uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True)
def normal(s):
    """A standard normal draw (Box–Muller on two uniforms; the second value is not
    kept, so that the stream position depends only on the number of draws)."""
    u1 = 1.0 - uniform(s)  # in (0, 1]
    u2 = uniform(s)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)
