r"""Rewards decided at run time: a spike generator that a Python operation feeds.

:class:`RewardLog` schedules reward spikes on a spike generator (one neuron per
reward falling in the same step); :class:`ContingentReward` is the operation of the
distal-reward experiment (:mod:`neurosim.experiments.distal_reward`) that detects the
pairings of two neurons in spike monitors and schedules a reward after a random delay
for each. :func:`percentile_rank` ranks one weight among others.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np


@dataclass
class RewardLog:
    """Rewards scheduled on a generator, at most one per channel and step."""

    generator: object  # a spike generator population
    pairings: list = field(default_factory=list)
    rewards: list = field(default_factory=list)
    _used: dict = field(default_factory=dict)

    def schedule(self, steps, dt: float) -> None:
        """Add reward spikes at ``steps`` (grid of ``dt`` ms), each on the first
        channel free in its step; a RuntimeError (adding nothing) when a step would
        need more channels than the generator has neurons."""
        steps = np.asarray(steps, dtype=np.int64)
        used = dict(self._used)
        channels = np.empty(steps.size, dtype=np.int64)
        for k, s in enumerate(steps.tolist()):
            channels[k] = used.get(s, 0)
            used[s] = int(channels[k]) + 1
            if used[s] > self.generator.n:
                raise RuntimeError(
                    f"more than {self.generator.n} rewards fall in the step at {s * dt:g} ms"
                )
        if steps.size:
            self.generator.add_spikes(steps * dt, channels)
        self._used = used
        self.rewards.extend(steps.tolist())


class ContingentReward:
    r"""Operation that rewards pairings of the chosen synapse's two neurons.

    Called every ``check`` steps, it reads the spikes of the presynaptic and the
    postsynaptic neuron recorded since its last call and, for each postsynaptic spike
    at step :math:`n_{post}` whose last presynaptic spike :math:`n_{pre}` satisfies
    :math:`0 < n_{post} - n_{pre} \le` ``window`` steps, schedules a reward at step
    :math:`n_{post} + \delta`, :math:`\delta` drawn uniformly from the integers
    ``delay[0] .. delay[1]`` (steps) with ``rng``. Each pairing is found once, in the
    first call after it, and its reward time does not depend on the call period, as
    long as the period is at most the shortest delay (the reward is then still in the
    future). ``seconds`` accumulates the wall time spent in the calls.
    """

    def __init__(self, dn, log: RewardLog, window: int, delay, rng):
        self.dn, self.log, self.window, self.delay, self.rng = dn, log, window, delay, rng
        self._seen = 0
        self.seconds = 0.0

    def __call__(self, net) -> None:
        start = time.perf_counter()
        pre = self.dn.pre_spikes.recorded()[0]
        post = self.dn.post_spikes.recorded()[0]
        new = post[self._seen :]
        self._seen = post.size
        if new.size:
            last = np.searchsorted(pre, new, side="left") - 1  # last pre strictly before
            ok = last >= 0
            gap = new[ok] - pre[last[ok]]
            paired = new[ok][gap <= self.window]
            if paired.size:
                lo, hi = self.delay
                delays = self.rng.integers(lo, hi + 1, size=paired.size)
                self.log.pairings.extend(paired.tolist())
                self.log.schedule(paired + delays, net.dt)
        self.seconds += time.perf_counter() - start


def percentile_rank(value: float, others: np.ndarray) -> float:
    """Percentage of ``others`` below ``value``, ties counting half (100: above all)."""
    below = np.count_nonzero(others < value) + 0.5 * np.count_nonzero(others == value)
    return 100.0 * below / others.size
