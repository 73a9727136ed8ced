"""Errors that a simulation raises while it runs (shared by every engine) and that
saving or loading a checkpoint raises."""

from __future__ import annotations


class SimulationError(RuntimeError):
    """A run stopped because a population's state became NaN or infinite."""


class CheckpointError(ValueError):
    """A checkpoint cannot be written or read: the message names the file and what is
    wrong with it (truncated, corrupt, foreign, from a newer format, naming a model
    that is not registered, or not fitting the models of this neurosim)."""


class QuiescenceError(RuntimeError):
    """A period asked to be crossed as quiet is not: a neuron would fire in it, or an
    input is scheduled in it (see :func:`neurosim.engine.fastforward.advance`). The
    network is left exactly as it was.

    Attributes
    ----------
    population : str
        The population whose neuron fires, the input's target or source, or the
        operation due in the period.
    neuron : int or None
        The neuron (``None`` when the whole input is meant).
    t : float
        Time (ms) of the spike or of the scheduled input.
    """

    def __init__(self, message: str, population: str, neuron: int | None, t: float):
        super().__init__(message)
        self.population, self.neuron, self.t = population, neuron, t
