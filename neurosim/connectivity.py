"""Connection rules and synaptic value distributions.

A rule draws the (pre, post) index pairs of a projection; :func:`build_csr` sorts them
into the compressed sparse row layout by presynaptic neuron that the engine delivers
spikes with (``indptr``, ``post``), and :func:`post_index` builds the
post-to-synapse index that plasticity rules use to reach a neuron's incoming synapses.

Rules: :class:`AllToAll`, :class:`OneToOne`, :class:`FixedProbability`,
:class:`FixedInDegree`, :class:`FixedOutDegree`, :class:`Explicit`. Autapses (a
neuron onto itself, only possible when pre and post are the same population) are
allowed unless ``autapses=False``.

Weights and delays are constants, arrays (one value per synapse, in the rule's pair
order) or distributions (:class:`Uniform`, :class:`Normal`, :class:`LogNormal`)
drawn from the projection's own random stream.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from neurosim.system import available_memory
from neurosim.units import to_neurosim


def _check_probability(p, name="p"):
    if isinstance(p, bool) or not isinstance(p, numbers.Real):
        raise ValueError(f"connection probability {name} = {p!r} must be a number in [0, 1]")
    p = float(p)
    if not (0.0 <= p <= 1.0):
        raise ValueError(f"connection probability {name} = {p} is outside [0, 1]")
    return p


def _check_count(k, name):
    if (
        isinstance(k, bool)
        or not isinstance(k, numbers.Real)
        or not math.isfinite(k)
        or int(k) != k
        or k < 0
    ):
        raise ValueError(f"{name} = {k!r} must be a non-negative integer")
    return int(k)


#: Peak bytes per synapse while a projection is built (drawn index pairs, their CSR
#: order, the stored indices, weights and delays, and the temporaries between them).
BYTES_PER_SYNAPSE = 96


def check_size(rule, n_pre: int, n_post: int, same: bool, what: str) -> None:
    """Refuse, before drawing anything, a projection whose expected number of synapses
    cannot be built in the memory available (``MemoryError`` naming ``what``, the
    expected synapse count and the bytes it would need)."""
    count = rule.expected_count(n_pre, n_post, same)
    need = count * BYTES_PER_SYNAPSE
    have = available_memory()
    if need > have:
        raise MemoryError(
            f"{what}: {rule!r} between {n_pre} and {n_post} neurons expects {count:.3g} "
            f"synapses, about {need / 2**30:.3g} GiB to build ({BYTES_PER_SYNAPSE} bytes "
            f"each), but {have / 2**30:.3g} GiB are available"
        )


class Rule:
    """Base class of connection rules."""

    def __init__(self, autapses: bool = True):
        self.autapses = bool(autapses)

    def pairs(self, n_pre: int, n_post: int, same: bool, rng: np.random.Generator):
        """Return (pre, post) int64 arrays of the drawn synapses."""
        raise NotImplementedError

    def expected_count(self, n_pre: int, n_post: int, same: bool) -> float:
        """Expected number of synapses (before any is drawn), for the size check."""
        return float(n_pre) * n_post

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


def _drop_autapses(pre, post, rule, same):
    if same and not rule.autapses:
        keep = pre != post
        return pre[keep], post[keep]
    return pre, post


class AllToAll(Rule):
    """Every presynaptic neuron onto every postsynaptic neuron."""

    def pairs(self, n_pre, n_post, same, rng):
        pre = np.repeat(np.arange(n_pre), n_post)
        post = np.tile(np.arange(n_post), n_pre)
        return _drop_autapses(pre, post, self, same)


class OneToOne(Rule):
    """Neuron i onto neuron i (populations of equal size)."""

    def pairs(self, n_pre, n_post, same, rng):
        if n_pre != n_post:
            raise ValueError(f"OneToOne needs equal sizes, got {n_pre} and {n_post}")
        idx = np.arange(n_pre)
        return _drop_autapses(idx, idx.copy(), self, same)

    def expected_count(self, n_pre, n_post, same):
        return float(n_pre)


#: Above this many candidate pairs (``n_pre * n_post``) :class:`FixedProbability`
#: samples by geometric skip-ahead (``method="auto"``).
SKIP_AHEAD_PAIRS = 1 << 24


class FixedProbability(Rule):
    r"""Each possible pair independently with probability ``p`` (Bernoulli).

    Two samplers of this one distribution (``method``): ``"dense"`` draws a uniform
    number for every candidate pair (time and memory in blocks, proportional to
    ``n_pre * n_post``); ``"skip"`` draws the gaps between successive chosen pairs,
    in the row-major order of the pair index :math:`i\,n_{post} + j`, which for
    independent Bernoulli(:math:`p`) trials are independent Geometric(:math:`p`)
    numbers (:math:`P(g = k) = (1-p)^{k-1} p`, :math:`k \ge 1`), so time and memory
    are proportional to the synapses made (Brian2 builds ``connect(p=...)`` the same
    way). ``"auto"`` (default) uses ``"dense"`` up to :data:`SKIP_AHEAD_PAIRS`
    candidate pairs, which keeps the connectivity every seed gave before for such
    sizes, and ``"skip"`` above. Pairs come sorted by presynaptic neuron.
    """

    METHODS = ("auto", "dense", "skip")

    def __init__(self, p: float, autapses: bool = True, method: str = "auto"):
        super().__init__(autapses)
        self.p = _check_probability(p)
        if method not in self.METHODS:
            raise ValueError(f"method = {method!r} must be one of {self.METHODS}")
        self.method = method

    def pairs(self, n_pre, n_post, same, rng):
        method = self.method
        if method == "auto":
            method = "skip" if n_pre * n_post > SKIP_AHEAD_PAIRS else "dense"
        sample = _skip_ahead if method == "skip" else _dense
        pre, post = sample(rng, self.p, n_pre, n_post)
        return _drop_autapses(pre, post, self, same)

    def expected_count(self, n_pre, n_post, same):
        return self.p * n_pre * n_post


def _dense(rng, p, n_pre, n_post):
    """Bernoulli pairs from one uniform draw per candidate pair, in row blocks."""
    pres, posts = [], []
    block = max(1, 4_000_000 // max(n_post, 1))
    for start in range(0, n_pre, block):
        stop = min(n_pre, start + block)
        r, c = np.nonzero(rng.random((stop - start, n_post)) < p)
        pres.append(r + start)
        posts.append(c)
    pre = np.concatenate(pres) if pres else np.zeros(0, np.int64)
    post = np.concatenate(posts) if posts else np.zeros(0, np.int64)
    return pre, post


def _skip_ahead(rng, p, n_pre, n_post):
    """Bernoulli pairs from geometric gaps between chosen pair indices (see
    :class:`FixedProbability`): draws in chunks of the expected remaining count plus
    four standard deviations until the index passes ``n_pre * n_post``."""
    total = n_pre * n_post
    if p == 0.0 or total == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty
    if p == 1.0:
        index = np.arange(total, dtype=np.int64)
    else:
        # in place where possible: the build's peak memory is these temporaries
        chunks, last = [], -1
        while True:
            remaining = p * (total - last - 1)
            size = int(remaining + 4.0 * math.sqrt(remaining) + 1024)
            index = rng.geometric(p, size)
            np.cumsum(index, out=index)
            index += last
            if index[-1] >= total:
                chunks.append(index[: np.searchsorted(index, total)])
                break
            chunks.append(index)
            last = int(index[-1])
        index = chunks[0] if len(chunks) == 1 else np.concatenate(chunks)
        del chunks
    pre = index // n_post
    np.remainder(index, n_post, out=index)
    return pre, index


def _pool(n, k, drop, what):
    """Partners to choose from (``n``, less the owner itself when ``drop``); refuses
    ``k`` above them."""
    pool = n - int(drop)
    if k > pool:
        raise ValueError(f"{what} = {k} exceeds the {pool} available partners")
    return pool


def _choose_without(rng, n, k, exclude, what):
    pool = _pool(n, k, exclude is not None, what)
    chosen = rng.choice(pool, size=k, replace=False)
    if exclude is not None:
        chosen[chosen >= exclude] += 1
    return np.sort(chosen)


#: Above this many synapses :class:`FixedInDegree` and :class:`FixedOutDegree` draw
#: all neurons' partners at once (``method="auto"``), where ``k * k <= n_partners``.
BATCH_DEGREE_SYNAPSES = 1 << 20


def _choose_batch(rng, n, k, n_owners, drop):
    r"""``k`` distinct partners out of ``n`` (``n - 1`` and the owner's own index
    skipped when ``drop``) for every owner at once, sorted per owner: each row is
    ``k`` independent uniform draws, and a row with a repeated value is drawn again
    whole. Rejecting whole rows keeps every ``k``-subset equally likely (each is the
    set of ``k!`` equally likely ordered draws); a row is accepted with probability
    :math:`\prod_{i<k} (1 - i/n) \approx e^{-k^2/2n}`, at least 0.6 where
    ``k * k <= n``."""
    pool = _pool(n, k, drop, "k")
    out = np.empty((n_owners, k), dtype=np.int64)
    todo = np.arange(n_owners)
    while todo.size:
        draw = rng.integers(0, pool, size=(todo.size, k))
        draw.sort(axis=1)
        ok = np.all(draw[:, 1:] != draw[:, :-1], axis=1)
        out[todo[ok]] = draw[ok]
        todo = todo[~ok]
    if drop:
        out += out >= np.arange(n_owners)[:, None]
    return out.ravel()


class _FixedDegree(Rule):
    """Each neuron on one side has exactly ``k`` distinct partners on the other.

    Two samplers of this one distribution (every ``k``-subset of the partners equally
    likely, independently per neuron; ``method``): ``"loop"`` draws each neuron's
    partners in turn without replacement; ``"batch"`` draws every neuron's at once,
    redrawing the rows with a repeated partner (see :func:`_choose_batch`), in time
    linear in the synapses and without a Python loop over neurons (128,000 neurons
    with ``k = 80``: 0.5 s against 7.6 s). ``"auto"`` (default) uses ``"batch"``
    above :data:`BATCH_DEGREE_SYNAPSES` synapses where ``k * k`` does not exceed the
    partners (so that rows are rarely redrawn), else ``"loop"``, which keeps the
    connectivity every seed gave before at the smaller sizes.
    """

    METHODS = ("auto", "loop", "batch")

    def __init__(self, k: int, autapses: bool = True, method: str = "auto"):
        super().__init__(autapses)
        self.k = _check_count(k, "k")
        if method not in self.METHODS:
            raise ValueError(f"method = {method!r} must be one of {self.METHODS}")
        self.method = method

    def _draw(self, rng, n_partners, n_owners, same):
        """``(partners, owners)``: ``k`` distinct partners out of ``n_partners`` for each
        of ``n_owners`` neurons, itself excluded when autapses are."""
        drop = same and not self.autapses
        method = self.method
        if method == "auto":
            big = n_owners * self.k > BATCH_DEGREE_SYNAPSES
            method = "batch" if big and self.k * self.k <= n_partners else "loop"
        owners = np.repeat(np.arange(n_owners), self.k)
        if method == "batch":
            return _choose_batch(rng, n_partners, self.k, n_owners, drop), owners
        partners = (
            np.concatenate(
                [
                    _choose_without(rng, n_partners, self.k, j if drop else None, "k")
                    for j in range(n_owners)
                ]
            )
            if n_owners
            else np.zeros(0, np.int64)
        )
        return partners.astype(np.int64), owners


class FixedInDegree(_FixedDegree):
    """Each postsynaptic neuron receives exactly ``k`` distinct presynaptic partners."""

    def pairs(self, n_pre, n_post, same, rng):
        return self._draw(rng, n_pre, n_post, same)

    def expected_count(self, n_pre, n_post, same):
        return float(self.k) * n_post


class FixedOutDegree(_FixedDegree):
    """Each presynaptic neuron projects to exactly ``k`` distinct postsynaptic targets."""

    def pairs(self, n_pre, n_post, same, rng):
        post, pre = self._draw(rng, n_post, n_pre, same)
        return pre, post

    def expected_count(self, n_pre, n_post, same):
        return float(self.k) * n_pre


class Explicit(Rule):
    """Given (pre, post) index arrays; weights and delays may be given per synapse."""

    def __init__(self, pre, post):
        super().__init__(True)
        self.pre = np.asarray(pre)
        self.post = np.asarray(post)
        if self.pre.shape != self.post.shape or self.pre.ndim != 1:
            raise ValueError(
                f"pre and post must be 1-d arrays of equal length, got shapes "
                f"{self.pre.shape} and {self.post.shape}"
            )
        for name, arr in (("pre", self.pre), ("post", self.post)):
            if arr.size and not np.issubdtype(arr.dtype, np.integer):
                raise TypeError(f"{name} indices must be integers, got dtype {arr.dtype}")

    def pairs(self, n_pre, n_post, same, rng):
        for name, arr, n in (("pre", self.pre, n_pre), ("post", self.post, n_post)):
            if arr.size and (arr.min() < 0 or arr.max() >= n):
                raise ValueError(f"{name} indices must be in [0, {n - 1}]")
        return self.pre.astype(np.int64), self.post.astype(np.int64)

    def expected_count(self, n_pre, n_post, same):
        return float(self.pre.size)


# -- value distributions ---------------------------------------------------------------


class Distribution:
    """A random distribution of synaptic values, drawn per synapse."""

    def draw(self, rng: np.random.Generator, n: int, dimension: str, name: str) -> np.ndarray:
        raise NotImplementedError


class Uniform(Distribution):
    """Uniform on [low, high)."""

    def __init__(self, low, high):
        self.low, self.high = low, high

    def draw(self, rng, n, dimension, name):
        lo = float(to_neurosim(self.low, dimension, name))
        hi = float(to_neurosim(self.high, dimension, name))
        if not hi >= lo:
            raise ValueError(f"{name}: Uniform needs high >= low, got [{lo}, {hi})")
        return rng.uniform(lo, hi, n)


class Normal(Distribution):
    """Gaussian with ``mean`` and ``sd``; values outside [low, high] are redrawn.

    ``low`` defaults to no bound. A conductance state drawn with negative values is
    refused unless ``low`` is given explicitly (``low=0.0`` truncates; ``low=-math.inf``
    keeps an untruncated draw on purpose, as published initial conditions may)."""

    def __init__(self, mean, sd, low=None, high=math.inf):
        self.mean, self.sd, self.low, self.high = mean, sd, low, high

    def draw(self, rng, n, dimension, name):
        mean = float(to_neurosim(self.mean, dimension, name))
        sd = float(to_neurosim(self.sd, dimension, name))
        lo = -math.inf if self.low is None else float(to_neurosim(self.low, dimension, name))
        hi = float(to_neurosim(self.high, dimension, name))
        if sd < 0 or not lo < hi:
            raise ValueError(f"{name}: Normal needs sd >= 0 and low < high")
        out = rng.normal(mean, sd, n)
        for _ in range(1000):
            bad = (out < lo) | (out > hi)
            if not bad.any():
                return out
            out[bad] = rng.normal(mean, sd, int(bad.sum()))
        raise ValueError(f"{name}: Normal({mean}, {sd}) rarely falls in [{lo}, {hi}]")


class LogNormal(Distribution):
    """Log-normal whose logarithm has mean ``mu`` and standard deviation ``sigma``;
    the value is ``scale * exp(N(mu, sigma))`` in the parameter's unit."""

    def __init__(self, mu, sigma, scale=1.0):
        self.mu, self.sigma, self.scale = float(mu), float(sigma), scale

    def draw(self, rng, n, dimension, name):
        scale = float(to_neurosim(self.scale, dimension, name))
        if self.sigma < 0:
            raise ValueError(f"{name}: LogNormal needs sigma >= 0")
        return scale * rng.lognormal(self.mu, self.sigma, n)


def synaptic_values(spec, n, dimension, name, rng) -> np.ndarray:
    """Per-synapse float array from a constant, array or :class:`Distribution`."""
    if isinstance(spec, Distribution):
        out = spec.draw(rng, n, dimension, name)
    else:
        out = np.asarray(to_neurosim(spec, dimension, name), dtype=float)
        if out.ndim == 0:
            out = np.full(n, float(out))
        elif out.shape != (n,):
            raise ValueError(f"{name} needs one value per synapse ({n}), got shape {out.shape}")
        else:
            out = out.copy()
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{name} must be finite")
    return out


def build_csr(pre, n_pre, keep_sorted: bool = False):
    """Sort synapses by presynaptic neuron (stable) -> (order, indptr).

    With ``keep_sorted``, ``order`` is ``None`` when ``pre`` is already sorted (as
    the pairs of :class:`AllToAll`, :class:`FixedProbability` and
    :class:`FixedOutDegree` are): the caller then keeps its arrays as they are
    instead of copying them through an identity permutation (8 bytes per synapse
    for ``order`` and a copy of every array)."""
    if keep_sorted and (pre.size < 2 or bool(np.all(pre[1:] >= pre[:-1]))):
        order = None
    else:
        order = np.argsort(pre, kind="stable")
    counts = np.bincount(pre, minlength=n_pre)
    indptr = np.zeros(n_pre + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return order, indptr


def post_index(post, n_post):
    """Post-to-synapse index: ``syn[ptr[j]:ptr[j+1]]`` are the synapses onto neuron j."""
    order, ptr = build_csr(post, n_post)
    return ptr, order.astype(np.uint32)
