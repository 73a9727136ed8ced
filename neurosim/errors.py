"""Errors that a simulation raises while it runs (shared by every engine) and that
saving or loading a checkpoint raises."""

from __future__ import annotations


class SimulationError(RuntimeError):
    """A run stopped because a population's state became NaN or infinite."""


class CheckpointError(ValueError):
    """A checkpoint cannot be written or read: the message names the file and what is
    wrong with it (truncated, corrupt, foreign, from a newer format, naming a model
    that is not registered, or not fitting the models of this neurosim)."""
