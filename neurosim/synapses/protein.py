r"""Per-neuron protein of the ``tagging_capture`` rule: read-out and synthesis block.

The rule (:mod:`neurosim.synapses.tagging`) keeps, per postsynaptic neuron, the protein
amount :math:`p` at the step of its last change of source and that source
:math:`u = \alpha\,\Theta[\Sigma - \theta_{pro}]\,(1 - b)`; in between
:math:`p(t) = u + (p_0 - u)e^{-(t - t_0)/\tau_p}` (:func:`protein_at`). A block of
protein synthesis (anisomycin in Frey & Morris 1997 :cite:p:`frey1997`) is the
per-neuron row ``synthesis_block`` :math:`b \in [0, 1]`, which
:func:`block_protein_synthesis` sets from ``start`` to ``stop`` with two operations of
the network; the rule notices the change at the next step (its protein source flips),
with ``run``, ``run(..., fast_forward=True)`` and ``advance`` alike (operations bound
the jumps).
"""

from __future__ import annotations

import numbers

import numpy as np

from neurosim.units import to_neurosim

#: Period (steps) of the one-shot operations (each removes itself at its first call).
_ONCE = 2**40


def _rows(population):
    rows = population.neuron_row_names
    if "synthesis_block" not in rows:
        raise ValueError(
            f"population = {population.name!r} has no afferents with the tagging_capture "
            "rule (no per-neuron protein rows)"
        )
    return rows


def protein_at(population, step: int, tau_p: float = 3600000.0) -> np.ndarray:
    """The protein amount :math:`p` of each neuron of ``population`` at ``step``.

    Parameters
    ----------
    population : Population
        Target of at least one ``tagging_capture`` projection.
    step : int
        Step at which to evaluate (at or after the last change of source; e.g.
        ``network.step``).
    tau_p : float
        The rule's protein time constant (ms; default 60 min, Luboeinski & Tetzlaff
        2021 :cite:p:`luboeinski2021`).
    """
    rows = _rows(population)
    Q = population.neuron_rows
    p0, u = Q[rows.index("protein")], Q[rows.index("protein_source")]
    t = (step - Q[rows.index("protein_step")]) * population.network.dt
    return u + (p0 - u) * np.exp(-t / tau_p)


def block_protein_synthesis(network, population, start, stop, level: float = 1.0):
    """Block protein synthesis in ``population`` from ``start`` to ``stop`` (ms).

    Adds two operations to ``network``: at ``start`` the row ``synthesis_block`` of
    every neuron becomes ``level`` (1: no synthesis; 0.5: half the rate
    :math:`\\alpha`), at ``stop`` it returns to 0. Protein made before ``start`` stays
    and decays with :math:`\\tau_p` (anisomycin blocks translation, not the proteins
    already there; Frey & Morris 1997 :cite:p:`frey1997`).

    Returns
    -------
    tuple of Operation
        The two operations (each removes itself after its call).
    """
    population = network._population(population)
    _rows(population)
    start = to_neurosim(start, "time", "start")
    stop = to_neurosim(stop, "time", "stop")
    for name, value in (("start", start), ("stop", stop)):
        if not isinstance(value, numbers.Real) or not 0 <= value < 1e300:
            raise ValueError(f"{name} = {value!r} ms must be a finite number >= 0")
    if not stop > start:
        raise ValueError(f"stop = {stop} ms must be after start = {start} ms")
    if not isinstance(level, numbers.Real) or not 0.0 <= level <= 1.0:
        raise ValueError(f"level = {level!r} must lie in [0, 1]")

    ops = []
    for at, value in ((start, float(level)), (stop, 0.0)):
        op = network.add_operation(
            _Set(population, value),
            every=_ONCE * network.dt,
            start=at,
            sync=False,
            name=f"protein_block_{population.name}",
        )
        op.fn.op = op
        ops.append(op)
    return tuple(ops)


class _Set:
    """One-shot operation: set ``synthesis_block`` of every neuron, then remove itself."""

    def __init__(self, population, value: float):
        self.population, self.value, self.op = population, value, None

    def __call__(self, network) -> None:
        self.population.synthesis_block = self.value
        self.op.remove()
