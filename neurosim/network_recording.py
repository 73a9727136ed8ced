"""What a :class:`~neurosim.network.Network` records, and the operations it calls
between compiled chunks (the methods :class:`~neurosim.network.Network` inherits)."""

from __future__ import annotations

import numbers

from neurosim.monitors import RateMonitor, SpikeMonitor, StateMonitor, WeightMonitor
from neurosim.operations import Operation, check_operation, start_step
from neurosim.units import to_neurosim, to_steps


class Recording:
    """Monitors and operations of a network (mixed into :class:`~neurosim.network.Network`,
    which provides ``dt``, ``monitors``, ``operations``, ``projections``,
    ``_population`` and ``_changed``)."""

    # -- recording -------------------------------------------------------------------
    def _every(self, every) -> int:
        if every is None:
            return 1
        every = to_neurosim(every, "time", "every")
        if isinstance(every, bool) or not isinstance(every, numbers.Real) or not every > 0:
            raise ValueError(f"every = {every!r} ms must be a positive number")
        k = to_steps(every, self.dt, "every")
        if k < 1:
            raise ValueError(f"every = {every} ms must be >= dt = {self.dt} ms")
        return k

    def _add_monitor(self, mon):
        self.monitors.append(mon)
        self._changed()
        return mon

    def record_spikes(self, population, neurons=None, to_disk=None) -> SpikeMonitor:
        """Record spikes of a population (all neurons or ``neurons``)."""
        return self._add_monitor(SpikeMonitor(self, self._population(population), neurons, to_disk))

    def record_state(
        self, population, variables, neurons=None, every=None, to_disk=None
    ) -> StateMonitor:
        """Record state ``variables`` of ``neurons`` every ``every`` ms (default dt)."""
        pop = self._population(population)
        return self._add_monitor(
            StateMonitor(self, pop, variables, neurons, self._every(every), to_disk)
        )

    def record_rate(self, population, to_disk=None) -> RateMonitor:
        """Record the population's spike count in every step."""
        return self._add_monitor(RateMonitor(self, self._population(population), to_disk))

    def record_weights(self, projection, synapses=None, every=None, to_disk=None) -> WeightMonitor:
        """Record weights of chosen synapses (CSR order) every ``every`` ms."""
        if isinstance(projection, str):
            if projection not in self.projections:
                raise ValueError(
                    f"no projection {projection!r}; projections: {sorted(self.projections)}"
                )
            projection = self.projections[projection]
        return self._add_monitor(
            WeightMonitor(self, projection, synapses, self._every(every), to_disk)
        )

    # -- operations between chunks and parameter changes ---------------------------------
    def add_operation(self, fn, every, start=0.0, sync: bool = True, name=None) -> Operation:
        """Call ``fn(network)`` at times ``start + k * every`` (ms) during runs, between
        compiled chunks (Brian2's ``network_operation``; see :mod:`neurosim.operations`).

        Parameters
        ----------
        fn : callable
            Called as ``fn(network)`` before the step of each time, with the state at
            that time; what it writes (weights, state, ``set_params``,
            ``projection.plastic``) acts from that step on.
        every : float or Quantity
            Period in ms, a whole multiple of ``dt`` (>= dt).
        start : float or Quantity
            First time in ms (>= 0, a whole multiple of ``dt``; default 0).
        sync : bool
            Bring lazy rule state to the present step before each call (default True).
        name : str, optional
            Name in error messages (default: the function's name).

        Returns
        -------
        Operation
            ``op.calls`` counts the calls; ``op.remove()`` stops them. An exception in
            ``fn`` stops the run with :class:`SimulationError` naming the operation and
            the time, keeping what was recorded.
        """
        name = check_operation(fn, sync, name)
        if every is None:
            raise ValueError("every = None: an operation needs a period in ms (>= dt)")
        op = Operation(self, fn, self._every(every), start_step(start, self.dt), sync, name)
        self.operations.append(op)
        return op
