"""Operations between chunks: Python functions called at chosen times of a run.

An :class:`Operation` (made by :meth:`Network.add_operation
<neurosim.network.Network.add_operation>`) calls ``fn(network)`` at the times
``start + k * every`` (ms, on the step grid), as Brian2's ``network_operation``: the
call at time ``t_n = n dt`` comes before step ``n`` runs, so the function sees the
state at ``t_n`` and what it writes (weights through ``projection.weight[...] = ``,
state variables, parameters through ``set_params``, ``projection.plastic``) acts from
step ``n`` on. A run of ``T`` ms from ``t_0`` calls it at the times in
``[t_0, t_0 + T)``; a time at the very end of a run is called at the start of the next
run. The engines split their compiled chunks at these steps, so with no operation
nothing changes.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from neurosim.errors import SimulationError
from neurosim.units import to_neurosim, to_steps


@dataclass(eq=False)
class Operation:
    """A function called between compiled chunks of a run (see module docstring).

    Parameters
    ----------
    network : Network
        The network it belongs to.
    fn : callable
        Called as ``fn(network)``; read ``network.t`` (ms) for the time.
    every : int
        Period in steps (>= 1).
    start : int
        First step at which it is called.
    sync : bool
        Bring every plastic projection's lazy rule state to the present step
        (:meth:`~neurosim.projection.Projection.synchronize`) before calling ``fn``.
    name : str
        Name used in error messages (default: the function's name).
    calls : int
        How many times ``fn`` has been called.
    """

    network: Any = field(repr=False)
    fn: Callable
    every: int
    start: int
    sync: bool
    name: str
    calls: int = 0
    _last: int = field(default=-1, repr=False)

    @property
    def every_ms(self) -> float:
        """Period in ms."""
        return self.every * self.network.dt

    def next_step(self, step: int) -> int:
        """The first step ``>= step`` at which the operation is due."""
        if step <= self.start:
            return self.start
        return self.start + -(-(step - self.start) // self.every) * self.every

    def remove(self) -> None:
        """Stop calling this operation (it is taken out of ``network.operations``)."""
        if self in self.network.operations:
            self.network.operations.remove(self)

    def __call__(self) -> None:
        net = self.network
        if self.sync:
            for proj in net.projections.values():
                if proj.synapse is not None:
                    proj.synchronize()
        try:
            self.fn(net)
        except Exception as err:
            raise SimulationError(
                f"operation {self.name!r} raised {type(err).__name__} at t = {net.t:.4g} ms: "
                f"{err}; the run stopped there (recorded data up to that time are kept)"
            ) from err
        finally:
            self.calls += 1
            self._last = net.step


def call_due(network, engine) -> None:
    """Call the operations due at the present step (each once per step), then check
    that none changed the network's structure, which the running ``engine`` could not
    simulate."""
    step = network.step
    for op in list(network.operations):
        if op._last != step and op.next_step(step) == step:
            op()
            if network._engine is not engine:
                raise SimulationError(
                    f"operation {op.name!r} changed the network's structure (added a "
                    f"component) at t = {network.t:.4g} ms during a run; add components "
                    "between runs"
                )


def next_due(network, step: int, end: int) -> int:
    """The first step in ``(step, end]`` at which an operation is due, else ``end``."""
    due = end
    for op in network.operations:
        due = min(due, op.next_step(step + 1))
    return due


def check_operation(fn, sync, name) -> str:
    """Validate the arguments of :meth:`Network.add_operation` other than times;
    return the operation's name."""
    if not callable(fn):
        raise TypeError(f"fn = {fn!r} must be callable as fn(network)")
    if not isinstance(sync, bool):
        raise TypeError(f"sync = {sync!r} must be True or False")
    if name is None:
        name = getattr(fn, "__name__", type(fn).__name__)
    if not isinstance(name, str) or not name:
        raise ValueError(f"name = {name!r} must be a non-empty string")
    return name


def start_step(start, dt: float) -> int:
    """``start`` (ms or a time quantity) as a step of the grid: a finite number >= 0,
    a whole multiple of ``dt``."""
    start = to_neurosim(start, "time", "start")
    if isinstance(start, bool) or not isinstance(start, numbers.Real) or not 0 <= start < 1e300:
        raise ValueError(f"start = {start!r} ms must be a finite number >= 0")
    return to_steps(start, dt, "start")
