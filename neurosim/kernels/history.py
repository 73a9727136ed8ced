"""Compiled kernels of the spike history that plastic projections with several delays
read: one ring of the presynaptic spikes of the last ``D`` steps, from which each
delay group takes the spikes that reach its synapses now.

Row ``m % D`` of the history (``int64``, ``D x (1 + N)``) holds the spikes of step
``m``: their count in column 0, the neurons in columns ``1 .. count``.
"""

from __future__ import annotations

from neurosim.kernels.jit import kernel


@kernel
def remember(history, spikes, count, n):
    """Write the ``count`` spikes of step ``n`` into row ``n % D``."""
    row = history[n % history.shape[0]]
    row[0] = count
    for k in range(count):
        row[1 + k] = spikes[k]


@kernel
def arrived(history, m, groups, g, out):
    """The spikes of step ``m`` as the rule's presynaptic indices of delay group ``g``
    (``i * groups + g``), written into ``out``; returns their count."""
    row = history[m % history.shape[0]]
    count = row[0]
    for k in range(count):
        out[k] = row[1 + k] * groups + g
    return count
