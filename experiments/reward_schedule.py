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
    """Rewards scheduled on a spike generator, and the pairings that earned them.

    Parameters
    ----------
    generator : Population
        A spike generator (:meth:`Network.add_spike_generator
        <neurosim.network.Network.add_spike_generator>`) whose every neuron releases
        one reward: rewards due in the same step go to different neurons (channels).
    pairings : list of int
        Steps of the pairings found so far (filled by :class:`ContingentReward`).
    rewards : list of int
        Steps of the rewards scheduled so far, in the order scheduled.
    """

    generator: object
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
    r"""Operation (:meth:`Network.add_operation
    <neurosim.network.Network.add_operation>`) that rewards the pairings of two neurons.

    Each call reads the spikes of the presynaptic and the postsynaptic neuron recorded
    since the last call and, for each postsynaptic spike at step :math:`n_{post}` whose
    last presynaptic spike :math:`n_{pre}` satisfies :math:`0 < n_{post} - n_{pre} \le`
    ``window``, schedules a reward at step :math:`n_{post} + \delta`, :math:`\delta`
    drawn uniformly from the integers ``delay[0] .. delay[1]`` with ``rng``. Each
    pairing is found once, in the first call after it, and its reward step does not
    depend on the calls' period as long as the period is at most ``delay[0]`` steps
    (the reward is then still in the future when it is scheduled).

    Parameters
    ----------
    pre_spikes, post_spikes : SpikeMonitor
        Monitors of the presynaptic and the postsynaptic neuron (one neuron each).
    log : RewardLog
        Where the rewards are scheduled and the pairings noted.
    window : int
        Longest interval post - pre that counts (steps, >= 1).
    delay : tuple of int
        Shortest and longest reward delay (steps).
    rng : numpy.random.Generator
        Stream of the delays.

    Attributes
    ----------
    seconds : float
        Wall time spent in the calls (s).
    """

    def __init__(self, pre_spikes, post_spikes, log: RewardLog, window: int, delay, rng):
        self.pre_spikes, self.post_spikes = pre_spikes, post_spikes
        self.log, self.window, self.delay, self.rng = log, window, delay, rng
        self._seen = 0
        self.seconds = 0.0

    def __call__(self, net) -> None:
        start = time.perf_counter()
        pre = self.pre_spikes.recorded()[0]
        post = self.post_spikes.recorded()[0]
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
    """Percentile rank of ``value`` among ``others``: the percentage of ``others``
    below it, ties counting half (100: above all of them, 0: below all)."""
    below = np.count_nonzero(others < value) + 0.5 * np.count_nonzero(others == value)
    return 100.0 * below / others.size
