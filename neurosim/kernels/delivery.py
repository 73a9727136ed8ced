"""Shared compiled kernels of the time loop: spike delivery, ring buffers, currents,
recording. Plain functions over arrays, called from the generated loop (see
:mod:`neurosim.engine.codegen`).

Delay convention: a spike emitted in step ``n`` (stamped ``t_n = n dt``) through a
synapse of delay ``d`` steps (``d >= 1``) reaches the target variable at ``t_{n+d}``,
before the update of step ``n + d``. For ``d = 1`` it is added straight into the
target variable after the step's update (which then holds the state at ``t_{n+1}``);
longer delays go through a ring buffer of ``D = max d`` slots, slot ``m % D`` holding
what arrives at step ``m``.
"""

from __future__ import annotations

import numpy as np

from neurosim.kernels.jit import entry, kernel
from neurosim.kernels.prefetch import prefetch_rows


@kernel
def propagate(indptr, post, weight, spikes, count, target):
    """Add each spiking neuron's synaptic weights into ``target``; return the number of
    synaptic events. The rows of later spikes are prefetched
    (:mod:`neurosim.kernels.prefetch`)."""
    events = 0
    for k in range(count):
        prefetch_rows(indptr, post, weight, weight, spikes, k, count, 2)
        i = spikes[k]
        start, stop = indptr[i], indptr[i + 1]
        for s in range(start, stop):
            target[post[s]] += weight[s]
        events += stop - start
    return events


@kernel
def propagate_static(indptr, post, weight, uniform, spikes, count, target):
    """:func:`propagate` for a projection without a rule; where ``uniform[0]`` is set
    (every weight has the same bits, see :func:`same_weights`) the one weight is read
    once instead of once per synapse.

    The sums are the same, bit for bit: each target receives the same values in the
    same order. What is saved is memory traffic: per synaptic event the 8-byte weight
    streamed beside the 4-byte target index, two thirds of the bytes a row streams
    (measured on the COBA network of 128,000 neurons with in-degree 80: about 6 %
    less run time; see docs/performance.md).
    """
    if uniform[0] == 0:
        return propagate(indptr, post, weight, spikes, count, target)
    w = weight[0]
    events = 0
    for k in range(count):
        prefetch_rows(indptr, post, weight, weight, spikes, k, count, 1)
        i = spikes[k]
        start, stop = indptr[i], indptr[i + 1]
        for s in range(start, stop):
            target[post[s]] += w
        events += stop - start
    return events


@entry
def same_weights(weight):
    """True when ``weight`` is not empty and all its values have the same IEEE-754
    bits (so ``0.0`` and ``-0.0`` count as different); stops at the first that
    differs."""
    if weight.shape[0] == 0:
        return False
    bits = weight.view(np.int64)
    return _all_bits(bits, bits[0])


@entry
def all_zero(values):
    """True when every value of ``values`` is +0.0 (so ``-0.0`` does not count; an
    empty array does); stops at the first that is not."""
    return _all_bits(values.view(np.int64), 0)


@kernel
def _all_bits(bits, value):
    """True when every entry of ``bits`` equals ``value``; stops at the first that
    does not."""
    for s in range(bits.shape[0]):
        if bits[s] != value:
            return False
    return True


@kernel
def propagate_delayed(indptr, post, weight, delay, spikes, count, ring, n):
    """Add weights into the ring-buffer slots of their arrival steps ``n + delay``."""
    depth = ring.shape[0]
    events = 0
    for k in range(count):
        prefetch_rows(indptr, post, weight, delay, spikes, k, count, 3)
        i = spikes[k]
        start, stop = indptr[i], indptr[i + 1]
        for s in range(start, stop):
            ring[(n + delay[s]) % depth, post[s]] += weight[s]
        events += stop - start
    return events


@kernel
def deliver(ring, n, target):
    """Add what arrives at step ``n`` into ``target`` and clear the slot."""
    slot = ring[n % ring.shape[0]]
    for j in range(target.shape[0]):
        target[j] += slot[j]
        slot[j] = 0.0


@kernel
def apply_currents(steps, amplitudes, targets, applied, pointer, current, n):
    """Switch a piecewise-constant current input to the segment that starts at ``n``.

    ``applied`` holds this input's present contribution to ``current`` so that several
    inputs onto one neuron add.
    """
    k = pointer[0]
    changed = False
    while k < steps.shape[0] and steps[k] <= n:
        k += 1
        changed = True
    if changed:
        row = amplitudes[k - 1]
        for j in range(targets.shape[0]):
            current[targets[j]] += row[j] - applied[j]
            applied[j] = row[j]
        pointer[0] = k


@kernel
def record_spikes(spikes, count, n, mask, times, indices, filled):
    """Append the spikes of step ``n`` whose neuron is in ``mask``; return new fill."""
    for k in range(count):
        i = spikes[k]
        if mask[i]:
            times[filled] = n
            indices[filled] = i
            filled += 1
    return filled


@kernel
def record_state(S, rows, neurons, buffer, filled):
    """Copy ``S[rows][:, neurons]`` into ``buffer[filled]``."""
    for a in range(rows.shape[0]):
        src = S[rows[a]]
        for b in range(neurons.shape[0]):
            buffer[filled, a, b] = src[neurons[b]]


@kernel
def record_values(values, index, buffer, filled):
    """Copy ``values[index]`` into ``buffer[filled]`` (weights of chosen synapses)."""
    for b in range(index.shape[0]):
        buffer[filled, b] = values[index[b]]


@kernel
def enqueue(queue, counts, spikes, count, slot):
    """Append ``count`` spiking neurons to the event list of ``slot``."""
    c = counts[slot, 0]
    for k in range(count):
        queue[slot, c + k] = spikes[k]
    counts[slot, 0] = c + count
