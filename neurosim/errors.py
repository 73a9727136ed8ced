"""Errors that a simulation raises while it runs (shared by every engine)."""

from __future__ import annotations


class SimulationError(RuntimeError):
    """A run stopped because a population's state became NaN or infinite."""
