r"""Spike sources and current injection.

Sources are populations whose "neurons" emit spikes from a rule instead of dynamics;
they connect to other populations like any population.

- :class:`PoissonSource` — independent Poisson processes. In each step of length h a
  neuron fires with probability :math:`\lambda(t) h` (rate in Hz, h in ms, so
  :math:`p = \lambda h / 1000`; the Bernoulli approximation of a Poisson process,
  exact in the limit h -> 0 and the scheme of Brian2's ``PoissonGroup``). The rate is
  constant, or piecewise constant in time (``times``, ``rates``), globally or per neuron.
  Draws come from the population's own xoshiro256** stream. With one rate for all
  neurons the trials (step by step, neuron by neuron) are not drawn one by one: the
  number of trials up to the next spike is geometric,
  :math:`1 + \lfloor \ln U / \ln(1-p) \rfloor`, the same Bernoulli process at one
  draw per spike instead of one per neuron and step (restarted, by memorylessness,
  when the rate changes). Per-neuron rates are drawn trial by trial.
- :class:`SpikeGeneratorSource` — explicit spike times (ms) and neuron indices, each
  rounded to the nearest step (NEST's ``spike_generator``, Brian2's
  ``SpikeGeneratorGroup``).
- :class:`CurrentInput` — piecewise-constant current (pA) injected into chosen neurons
  of a population: a step (``amplitude``, ``start``, ``stop``) or any schedule of
  ``times`` and ``amplitudes``. Several inputs onto one neuron add.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from neurosim.kernels.jit import kernel
from neurosim.kernels.rng import uniform
from neurosim.neurons.base import NeuronModel
from neurosim.params import ParameterSet, pack
from neurosim.units import to_neurosim

#: Slot of ``P`` of both sources (see :func:`neurosim.params.pack`): the step in ms;
#: ``SOURCE_SIZE`` is the length of ``P``.
DT, SOURCE_SIZE = range(2)


def _as_array(value, dimension, name, ndim=None) -> np.ndarray:
    arr = np.asarray(to_neurosim(value, dimension, name), dtype=float)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-d array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {arr}")
    return arr


def _schedule_steps(times: np.ndarray, dt: float, name: str) -> np.ndarray:
    if times.size and (np.any(times < 0) or np.any(np.diff(times) <= 0)):
        raise ValueError(f"{name} must be >= 0 ms and strictly increasing, got {times}")
    return np.round(times / dt).astype(np.int64)


@dataclass(frozen=True)
class _NoParams(ParameterSet):
    pass


class _Source(NeuronModel):
    """Base of spike sources: no parameters; ``P`` holds only the step."""

    Params = _NoParams
    is_source = True

    def constants(self, dt):
        return pack(SOURCE_SIZE, {DT: dt})


@kernel
def _inv_log_q(p):
    """``1 / ln(1 - p)`` for a spike probability ``0 < p <= 1`` per trial."""
    return 1.0 / math.log1p(-p) if p < 1.0 else -0.0


@kernel
def _gap(R, inv_log_q):
    """A geometric number of trials (>= 1) up to the next success: with
    ``inv_log_q = 1 / ln(1 - p)``, ``1 + floor(ln(U) / ln(1 - p))``, U uniform on (0, 1]."""
    return 1.0 + math.floor(math.log(1.0 - uniform(R)) * inv_log_q)


@kernel
def step_poisson(S, P, A, B, R, I, n, spikes):
    """Emit Poisson spikes: segment ``S[0, 0]`` of rate table ``A`` (Hz) starting at
    steps ``B``; ``P[DT]`` = dt in ms. With one rate for all neurons, ``S[1, 0]`` is the
    position of the next spike in the sequence of (step, neuron) trials; see
    :class:`PoissonSource`."""
    seg = int(S[0, 0])
    changed = False
    while seg + 1 < B.shape[0] and B[seg + 1] <= n:
        seg += 1
        changed = True
    S[0, 0] = seg
    if n < B[0]:
        return 0
    scale = P[DT] * 1e-3
    rates = A[seg]
    count = 0
    size = spikes.shape[0]
    if size == 0:
        return 0
    if rates.shape[0] == 1:
        p = rates[0] * scale
        first = float(n) * size
        if changed or S[1, 0] < first:  # (re)start the gap sequence from this step
            if p <= 0.0:
                S[1, 0] = math.inf
                return 0
            S[1, 0] = first - 1.0 + _gap(R, _inv_log_q(p))
        position = S[1, 0]
        end = first + size
        if position < end:  # the log is needed only in steps with a spike
            inv_log_q = _inv_log_q(p)
            while position < end:
                spikes[count] = int(position - first)
                count += 1
                position += _gap(R, inv_log_q)
            S[1, 0] = position
    else:
        for i in range(rates.shape[0]):
            if uniform(R) < rates[i] * scale:
                spikes[count] = i
                count += 1
    return count


class PoissonSource(_Source):
    """Independent Poisson spike trains (see :mod:`neurosim.inputs`).

    Parameters
    ----------
    rate : float, array or brian2 Quantity
        Rate in Hz: a scalar, or one value per neuron; or with ``times``, one row per
        segment (shape ``(len(times),)`` or ``(len(times), N)``).
    times : array, optional
        Start time (ms) of each rate segment; before the first, the source is silent.
    """

    name = "poisson"
    state_vars = (("segment", "1"), ("next_trial", "1"))
    step = step_poisson

    def __init__(self, rate=0.0, times=None):
        super().__init__()
        rate = _as_array(rate, "rate", "rate")
        if times is None:
            times = np.zeros(1)
            rate = rate.reshape(1, -1)
        else:
            times = _as_array(times, "time", "times", ndim=1)
            if rate.ndim == 1:
                rate = rate.reshape(-1, 1)
            if rate.shape[0] != times.size:
                raise ValueError(
                    f"rate needs one row per segment of times ({times.size}), got shape {rate.shape}"
                )
        if np.any(rate < 0):
            raise ValueError(f"rate must be >= 0 Hz, got {rate.min()} Hz")
        self.rate = rate
        self.times = times

    def check_size(self, n: int) -> None:
        if self.rate.shape[1] not in (1, n):
            raise ValueError(
                f"rate has {self.rate.shape[1]} values per segment; the source has {n} neurons"
            )

    def initial_state(self, n):
        self.check_size(n)
        S = np.zeros((2, n))
        S[1, :1] = -1.0  # no gap drawn yet
        return S

    def constants(self, dt):
        if np.any(self.rate * dt * 1e-3 > 1.0):
            raise ValueError(
                f"rate up to {self.rate.max()} Hz exceeds one spike per step at dt = {dt} ms"
            )
        return super().constants(dt)

    def aux(self, n, dt):
        return np.ascontiguousarray(self.rate), _schedule_steps(self.times, dt, "times")

    def brian2_group(self, n, dt, start_step, clock, name):
        """Brian2 ``PoissonGroup`` (named ``name``) whose rate is a ``TimedArray`` of
        the rate table on the grid of the greatest common divisor of the segment start
        steps (zero before the first segment; the last segment holds on)."""
        import brian2 as b2

        rates, steps = self.aux(n, dt)
        g = int(np.gcd.reduce(steps)) or 1
        grid = np.arange(int(steps[-1]) // g + 1) * g
        seg = np.searchsorted(steps, grid, side="right") - 1
        values = np.where((seg >= 0)[:, None], rates[np.maximum(seg, 0)], 0.0)
        per_neuron = rates.shape[1] > 1
        table = b2.TimedArray(
            (values if per_neuron else values[:, 0]) * b2.Hz,
            dt=g * dt * b2.ms,
            name=f"{name}_rates",
        )
        expr = "rate_table(t, i)" if per_neuron else "rate_table(t)"
        return b2.PoissonGroup(
            n, rates=expr, clock=clock, namespace={"rate_table": table}, name=name
        )

    def brian2_state(self, S, n, dt, step):
        """Set the state ``S`` after a Brian2 run up to ``step``: the rate segment."""
        steps = self.aux(n, dt)[1]
        S[0] = max(int(np.searchsorted(steps, step - 1, side="right")) - 1, 0)


@kernel
def step_spike_generator(S, P, A, B, R, I, n, spikes):
    """Emit the listed spikes of step ``n``: ``B`` holds m event steps then m indices;
    ``S[0,0]`` is the pointer to the next event."""
    m = B.shape[0] // 2
    k = int(S[0, 0])
    while k < m and B[k] < n:
        k += 1
    count = 0
    while k < m and B[k] == n:
        spikes[count] = B[m + k]
        count += 1
        k += 1
    S[0, 0] = k
    return count


class SpikeGeneratorSource(_Source):
    """Neurons that fire at given times (see :mod:`neurosim.inputs`).

    Parameters
    ----------
    times : array (ms)
        Spike times; each is rounded to the nearest step.
    indices : array of int
        Neuron index of each spike.
    """

    name = "spike_generator"
    state_vars = (("pointer", "1"),)
    step = step_spike_generator

    def __init__(self, times, indices):
        super().__init__()
        self.times = _as_array(times, "time", "times", ndim=1)
        self.indices = np.asarray(indices)
        if self.indices.shape != self.times.shape:
            raise ValueError(
                f"indices (shape {self.indices.shape}) must match times (shape {self.times.shape})"
            )
        if self.indices.size and not np.issubdtype(self.indices.dtype, np.integer):
            raise TypeError("indices must be integers")
        if np.any(self.times < 0):
            raise ValueError("spike times must be >= 0 ms")

    def initial_state(self, n):
        if self.indices.size and (self.indices.min() < 0 or self.indices.max() >= n):
            raise ValueError(f"spike indices must be in [0, {n - 1}]")
        return np.zeros((1, n))

    def with_spikes(self, times, indices, n: int, dt: float, step: int) -> SpikeGeneratorSource:
        """A copy of this source for ``n`` neurons with the spikes ``times`` (ms) of
        ``indices`` added, checked against the present ``step`` of a grid of ``dt`` ms:
        each new spike must fall in step ``step`` or later (a ValueError names the
        earliest one otherwise), and no neuron may get two spikes in one step."""
        new = SpikeGeneratorSource(times, indices)
        if new.times.size == 0:
            return self
        new.initial_state(n)  # indices in range
        steps = np.round(new.times / dt).astype(np.int64)
        if steps.min() < step:
            k = int(np.argmin(steps))
            raise ValueError(
                f"times: a spike at {new.times[k]:g} ms (step {steps[k]}) is in the past; "
                f"new spikes must be at or after the present time t = {step * dt:g} ms "
                f"(step {step}, dt = {dt:g} ms)"
            )
        merged = SpikeGeneratorSource(
            np.concatenate([self.times, new.times]),
            np.concatenate([self.indices.astype(np.int64), new.indices.astype(np.int64)]),
        )
        merged.aux(n, dt)  # one spike per neuron per step
        return merged

    def aux(self, n, dt):
        steps = np.round(self.times / dt).astype(np.int64)
        order = np.lexsort((self.indices, steps))
        steps, idx = steps[order], self.indices[order].astype(np.int64)
        if steps.size > 1:
            dup = (np.diff(steps) == 0) & (np.diff(idx) == 0)
            if dup.any():
                k = int(np.argmax(dup))
                raise ValueError(
                    f"neuron {idx[k]} has two spikes in the step at {steps[k] * dt} ms "
                    f"(dt = {dt} ms); one spike per neuron per step is allowed"
                )
        return np.zeros((0, 0)), np.concatenate([steps, idx])

    def brian2_group(self, n, dt, start_step, clock, name):
        """Brian2 ``SpikeGeneratorGroup`` (named ``name``) of the spikes from
        ``start_step`` on, at their steps times ``dt``."""
        import brian2 as b2

        steps, idx = np.split(self.aux(n, dt)[1], 2)
        keep = steps >= start_step
        return b2.SpikeGeneratorGroup(
            n, idx[keep], steps[keep] * dt * b2.ms, clock=clock, name=name
        )

    def brian2_state(self, S, n, dt, step):
        """Set the state ``S`` after a Brian2 run up to ``step``: the pointer to the
        next event."""
        events = self.aux(n, dt)[1][: len(self.times)]
        S[0] = int(np.searchsorted(events, step, side="left"))


class CurrentInput:
    """Piecewise-constant current injected into neurons of a population.

    Either a step: ``CurrentInput(amplitude, start=0, stop=None)``, or a schedule:
    ``CurrentInput(times=[...], amplitudes=[...])`` where from ``times[k]`` (ms) on the
    current is ``amplitudes[k]`` (pA; a scalar per segment or one value per target
    neuron). Currents from several inputs add.
    """

    def __init__(self, amplitude=None, start=0.0, stop=None, *, times=None, amplitudes=None):
        if (amplitude is None) == (times is None):
            raise TypeError("give either amplitude (a step) or times and amplitudes (a schedule)")
        if amplitude is not None:
            amp = _as_array(amplitude, "current", "amplitude")
            start = float(_as_array(start, "time", "start"))
            if stop is None:
                times, amps = np.array([start]), amp[None, ...]
            else:
                stop = float(_as_array(stop, "time", "stop"))
                if stop <= start:
                    raise ValueError(f"stop = {stop} ms must be after start = {start} ms")
                times = np.array([start, stop])
                amps = np.stack([amp, np.zeros_like(amp)])
        else:
            times = _as_array(times, "time", "times", ndim=1)
            amps = _as_array(amplitudes, "current", "amplitudes")
            if amps.shape[:1] != times.shape:
                raise ValueError(
                    f"amplitudes needs one entry per time ({times.size}), got shape {amps.shape}"
                )
        _schedule_steps(times, 1.0, "times")
        self.times = times
        self.amplitudes = amps.reshape(len(times), -1)

    def tables(self, targets: np.ndarray, dt: float) -> tuple[np.ndarray, np.ndarray]:
        """(start steps, amplitude matrix (segments x targets)) for the kernel."""
        amps = self.amplitudes
        if amps.shape[1] == 1:
            amps = np.repeat(amps, targets.size, axis=1)
        elif amps.shape[1] != targets.size:
            raise ValueError(
                f"amplitudes have {amps.shape[1]} values per segment for {targets.size} target neurons"
            )
        return _schedule_steps(self.times, dt, "times"), np.ascontiguousarray(amps)
