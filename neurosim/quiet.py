"""Where a network's inputs act: the schedule analysis behind fast-forwarding.

A period is *quiet* for the inputs when none of them acts in it. From their
descriptions alone (nothing is run), an input acts

- for a :class:`~neurosim.inputs.PoissonSource`: in every step of a rate segment with a
  non-zero rate (any neuron), and in the step where any segment starts (the source's
  state switches segment there, even between two zero rates);
- for a :class:`~neurosim.inputs.SpikeGeneratorSource`: in the step of each listed
  spike;
- for a :class:`~neurosim.inputs.CurrentInput`: in the step where each of its segments
  not yet switched on starts (the current then changes);
- for an operation (:mod:`neurosim.operations`), which may change anything: in each
  step at which it is due, or throughout its span when it is due more often than every
  :data:`DENSE_MS` (no stretch between two calls could be jumped anyway).

:func:`input_intervals` lists these as half-open step intervals; :func:`first_input`
names the earliest, :func:`busy` merges them.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from neurosim.inputs import PoissonSource, SpikeGeneratorSource

#: An operation due more often than every this many ms acts throughout its span.
DENSE_MS = 1000.0


class Activity(NamedTuple):
    """Steps ``start .. stop - 1`` in which input ``what`` (a description) acts on or
    from ``population``."""

    start: int
    stop: int
    population: str
    what: str


def _poisson(pop, dt: float, n0: int, n1: int) -> list[Activity]:
    rates, starts = pop.model.aux(pop.n, dt)
    ends = np.append(starts[1:], np.iinfo(np.int64).max)
    out = []
    for k, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        if n0 < a < n1:
            out.append(Activity(a, a + 1, pop.name, f"Poisson rate segment {k} starts"))
        lo, hi = max(a, n0), min(b, n1)
        if lo < hi and np.any(rates[k] > 0):
            what = f"Poisson rate up to {rates[k].max():g} Hz (segment {k})"
            out.append(Activity(lo, hi, pop.name, what))
    return out


def _generator(pop, dt: float, n0: int, n1: int) -> list[Activity]:
    events = pop.model.aux(pop.n, dt)[1]
    steps = events[: events.size // 2]
    inside = steps[(steps >= n0) & (steps < n1)]
    return [Activity(s, s + 1, pop.name, "a listed spike") for s in np.unique(inside).tolist()]


def _currents(net, n0: int, n1: int) -> list[Activity]:
    out = []
    for c, (pop, current, targets) in enumerate(net.currents):
        steps = current.tables(targets, net.dt)[0]
        pointer = net.buffers.get(f"current_pointer/{c}")
        done = 0 if pointer is None else int(pointer[0])  # segments already switched on
        for k in range(done, steps.size):
            at = max(int(steps[k]), n0)
            if at < n1:
                amps = current.amplitudes[k]
                what = f"current input {c} switches to {amps.min():g} .. {amps.max():g} pA"
                out.append(Activity(at, at + 1, pop.name, what))
    return out


def _operations(net, n0: int, n1: int) -> list[Activity]:
    out = []
    for op in net.operations:
        first = op.next_step(n0 + (op._last == n0))  # not again in the step it was called
        if first >= n1:
            continue
        what = f"operation {op.name!r} (every {op.every_ms:g} ms) is due"
        if op.every * net.dt < DENSE_MS:
            last = first + (n1 - 1 - first) // op.every * op.every
            out.append(Activity(first, last + 1, op.name, what))
        else:
            out += [Activity(s, s + 1, op.name, what) for s in range(first, n1, op.every)]
    return out


def input_intervals(net, n0: int, n1: int) -> list[Activity]:
    """Every interval of steps within ``n0 .. n1 - 1`` in which an input or operation
    of ``net`` acts (see module docstring), sorted by start."""
    out = _currents(net, n0, n1) + _operations(net, n0, n1)
    for pop in net.populations.values():
        if isinstance(pop.model, PoissonSource):
            out += _poisson(pop, net.dt, n0, n1)
        elif isinstance(pop.model, SpikeGeneratorSource):
            out += _generator(pop, net.dt, n0, n1)
    return sorted(out)


def first_input(net, n0: int, n1: int) -> Activity | None:
    """The earliest input acting within steps ``n0 .. n1 - 1``, or ``None``."""
    found = input_intervals(net, n0, n1)
    return found[0] if found else None


def busy(net, n0: int, n1: int) -> list[tuple[int, int]]:
    """The intervals of :func:`input_intervals`, merged where they touch or overlap."""
    merged: list[list[int]] = []
    for act in input_intervals(net, n0, n1):
        if merged and act.start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], act.stop)
        else:
            merged.append([act.start, act.stop])
    return [(a, b) for a, b in merged]
