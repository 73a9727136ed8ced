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


def capture(z, early, protein, source, hours, tau_e, tau_p, tau_z, theta_tag, **bounds):
    r"""The late phase ``z`` after ``hours`` of capture, in closed form, for models that
    keep the early change themselves (the imprinting and taste-aversion models): the
    equations of Luboeinski & Tetzlaff 2021 :cite:p:`luboeinski2021` with an early
    change that only decays, :math:`\dot e = -e/\tau_e`,

    .. math::
        \tau_z \frac{dz}{dt} = p\,(z_{max} - z)\,\Theta[e - \theta_{tag}]
            - p\,(z - z_{min})\,\Theta[-e - \theta_{tag}],
        \qquad p(t) = u + (p_0 - u)e^{-t/\tau_p}\ (t < t_{on}),

    after which the protein decays. A synapse stays tagged for :math:`t_{tag} = \tau_e
    \ln(|e|/\theta_{tag})` (at most ``hours``); then :math:`z_{max} - z` (or :math:`z -
    z_{min}`) is multiplied by :math:`e^{-K}`, :math:`K = \tau_z^{-1}\int_0^{t_{tag}}
    p\,dt`. ``protein`` (:math:`p_0`), ``source`` (:math:`u`) and the keyword ``t_on``
    (h; default ``hours``: the source holds throughout) are per synapse or scalars;
    ``z_max`` (default 1) and ``z_min`` (default: no capture of depressed synapses) are
    keywords. Times in hours, ``early`` and ``theta_tag`` in one weight unit.
    """
    z_max, z_min = bounds.get("z_max", 1.0), bounds.get("z_min")
    early = np.asarray(early, float)
    up = early > theta_tag
    down = early < -theta_tag if z_min is not None else np.zeros_like(up)
    tagged = up | down
    t_tag = np.zeros_like(early)
    t_tag[tagged] = np.minimum(tau_e * np.log(np.abs(early[tagged]) / theta_tag), hours)
    on = np.minimum(bounds.get("t_on", hours), hours)
    first = np.minimum(t_tag, on)
    area = source * first + (protein - source) * tau_p * (1 - np.exp(-first / tau_p))
    p_on = source + (protein - source) * np.exp(-on / tau_p)
    area = area + p_on * tau_p * (1 - np.exp(-np.maximum(t_tag - on, 0.0) / tau_p))
    keep = np.exp(-np.where(tagged, area, 0.0) / tau_z)
    if z_min is None:
        return z_max - (z_max - z) * keep
    return np.where(down, z_min + (z - z_min) * keep, z_max - (z_max - z) * keep)
