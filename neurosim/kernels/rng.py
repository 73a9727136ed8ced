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

from neurosim.kernels.jit import kernel


def component_seed(seed: int, name: str) -> np.random.SeedSequence:
    """The SeedSequence of component ``name`` under root ``seed``."""
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "little")
    return np.random.SeedSequence(entropy=int(seed), spawn_key=(key,))


def numpy_generator(seed: int, name: str) -> np.random.Generator:
    """A NumPy Generator on component ``name``'s stream (set-up time draws)."""
    return np.random.Generator(np.random.PCG64(component_seed(seed, name)))


def kernel_state(seed: int, name: str, streams: int = 1) -> np.ndarray:
    """Fresh xoshiro256** states for kernels: ``uint64[4 * streams]``, four words per
    stream, none all zero (``streams = 1``: the state of component ``name``)."""
    state = component_seed(seed, name + "/kernel").generate_state(4 * streams, np.uint64)
    for k in range(streams):
        if not state[4 * k : 4 * k + 4].any():
            state[4 * k] = 1
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
    # math.exp, not np.exp: NumPy's vectorised exp differs by an ulp on some machines
    return x, np.array([math.exp(-0.5 * xi * xi) for xi in x.tolist()])


_ZX, _ZF = ziggurat_tables()
_R_TAIL = float(_ZX[1])


@kernel
def _ziggurat_slow(u, s):
    """The rest of a ziggurat draw whose 64-bit output ``u`` failed the fast test: the
    tail (layer 0, Marsaglia's exponential method) or the wedge test with one more
    uniform from stream ``s``. Returns the draw, or NaN when the wedge rejects (the
    algorithm then starts a new draw)."""
    i = int(u & uint64(255))
    negative = (u >> uint64(8)) & uint64(1)
    x = float(u >> uint64(11)) * (1.0 / 9007199254740992.0) * _ZX[i]
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
    return math.nan


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
        x = float(u >> uint64(11)) * (1.0 / 9007199254740992.0) * _ZX[i]
        if x < _ZX[i + 1]:
            return -x if (u >> uint64(8)) & uint64(1) else x
        x = _ziggurat_slow(u, s)
        if x == x:
            return x


# -- buffered normals, generated by 64 streams side by side ---------------------------
#: Independent xoshiro256** streams advanced side by side. The loop over them is what
#: LLVM vectorises (eight 64-bit lanes per AVX-512 register); with as few as eight it
#: unrolls the loop instead and the straight-line code is left scalar.
LANES = 64
#: Normals generated per refill.
NORMAL_BUFFER = 2048
_LANE0 = 4  # words 0-3: the scalar stream; then word w of lane l at 4 + w * LANES + l
_POS = _LANE0 + 4 * LANES  # normals of the buffer already used
_BUF = _POS + 1  # the buffer (float64 bits)
_RAW = _BUF + NORMAL_BUFFER  # the 64-bit output each buffered draw came from
_SCRATCH = _RAW + NORMAL_BUFFER


def buffered_state(seed: int, name: str, scratch: int = 0) -> np.ndarray:
    """State of a stream with buffered normals (``uint64``; see :func:`take_normals`).

    Layout: the scalar xoshiro256** state (words 0-3, used as by :func:`normal`), the
    states of :data:`LANES` further streams, the buffer position, the buffer of
    :data:`NORMAL_BUFFER` normals and their raw outputs, then ``scratch`` words that
    the owner may view as float64 workspace (from word :data:`SCRATCH`). All streams are seeded
    from component ``name`` under root ``seed``; the buffer starts empty.
    """
    words = kernel_state(seed, name, 1 + LANES)
    state = np.zeros(_SCRATCH + scratch, dtype=np.uint64)
    state[:4] = words[:4]
    # lane l's words are words[4 + 4l : 8 + 4l]; stored word-major for vector access
    state[_LANE0:_POS] = words[4:].reshape(LANES, 4).T.ravel()
    state[_POS] = NORMAL_BUFFER
    return state


@kernel
def refill_normals(R):
    r"""Fill the normal buffer of state ``R`` (see :func:`buffered_state`).

    The :data:`LANES` streams advance together in a loop that LLVM vectorises; each
    output is tried against the ziggurat's fast test (99 % accepted), and the few
    rejected ones then finish the ziggurat one by one with the scalar stream: the
    wedge test or the tail, and a fresh scalar :func:`normal` where the wedge rejects
    (the algorithm's restart). So every buffered value is exactly a ziggurat draw, in
    distribution standard normal.
    """
    lanes = R[_LANE0:_POS]
    buf = R[_BUF:_RAW].view(np.float64)
    raw = R[_RAW:_SCRATCH]
    for b in range(NORMAL_BUFFER // LANES):
        out = buf[b * LANES : (b + 1) * LANES]
        got = raw[b * LANES : (b + 1) * LANES]
        for lane in range(LANES):
            s0, s1 = lanes[lane], lanes[LANES + lane]
            s2, s3 = lanes[2 * LANES + lane], lanes[3 * LANES + lane]
            u = _rotl(s1 * uint64(5), 7) * uint64(9)
            t = s1 << uint64(17)
            s2 ^= s0
            s3 ^= s1
            s1 ^= s2
            s0 ^= s3
            s2 ^= t
            lanes[lane], lanes[LANES + lane] = s0, s1
            lanes[2 * LANES + lane], lanes[3 * LANES + lane] = s2, _rotl(s3, 45)
            i = int(u & uint64(255))
            x = float(u >> uint64(11)) * (1.0 / 9007199254740992.0) * _ZX[i]
            x = -x if (u >> uint64(8)) & uint64(1) else x
            out[lane] = x if abs(x) < _ZX[i + 1] else math.nan
            got[lane] = u
    for k in range(NORMAL_BUFFER):
        if buf[k] != buf[k]:
            x = _ziggurat_slow(raw[k], R)
            buf[k] = x if x == x else normal(R)
    R[_POS] = 0


@kernel
def take_normals(R, m):
    """Word offset in state ``R`` of the next ``m`` (at most :data:`NORMAL_BUFFER`)
    buffered normals, ``R[off:off + m].view(np.float64)``, marked used. The buffer is
    refilled when fewer than ``m`` are left (the rest are discarded: independent of
    everything, they carry no information). (A kernel cannot return the view itself:
    compiled without reference counting, it may only return arrays it was given.)"""
    pos = int(R[_POS])
    if pos + m > NORMAL_BUFFER:
        refill_normals(R)
        pos = 0
    R[_POS] = pos + m
    return _BUF + pos


#: Word offset of the scratch area: ``R[SCRATCH:SCRATCH + m].view(np.float64)``.
SCRATCH = _SCRATCH
