"""Exponentially decaying spike traces, evaluated lazily from their last update.

A trace is stored as (value just after its last jump, step of that jump); its value at
step ``n`` is ``value * exp(-(n - last) dt / tau)``. Decay factors for whole numbers of
steps come from a table (``TABLE_STEPS`` entries per time constant) so that the hot
loops do a lookup instead of an ``exp``; longer gaps fall back to ``exp``.
"""

from __future__ import annotations

import math

import numpy as np

from neurosim.kernels.jit import kernel

#: Entries of each decay table (whole steps); beyond it ``exp`` is evaluated.
TABLE_STEPS = 4096


def decay_tables(dt: float, *taus: float) -> np.ndarray:
    """Concatenated tables ``exp(-k dt / tau)`` for ``k < TABLE_STEPS``, one per tau."""
    k = np.arange(TABLE_STEPS)
    # math.exp (the C library's, as the kernels' fallback), not np.exp: NumPy's own
    # vectorised exp on AVX-512 machines differs by an ulp here and there, and a seed
    # must give the same weights on every machine
    return np.array([math.exp(x) for tau in taus for x in (-k * dt / tau).tolist()])


@kernel
def decayed(value, gap, table, which, tau_steps):
    """``value * exp(-gap / tau_steps)`` using table number ``which`` when it covers ``gap``."""
    if gap < 4096:
        return value * table[which * 4096 + gap]
    return value * math.exp(-gap / tau_steps)
