"""neurosim monitors as Brian2 monitors, chosen by the monitor's class.

- :class:`~neurosim.monitors.SpikeMonitor` -> ``SpikeMonitor`` of the group (the
  neuron mask applied when copying);
- :class:`~neurosim.monitors.StateMonitor` -> ``StateMonitor(record=neurons,
  when="start")`` every ``every`` steps (values at the start of the step, after the
  spikes that arrive then);
- :class:`~neurosim.monitors.RateMonitor` -> ``PopulationRateMonitor`` (rate times
  ``N dt`` = spike count per step);
- :class:`~neurosim.monitors.WeightMonitor` -> ``StateMonitor`` of the synapses'
  ``w_syn`` (static or plastic projections).

After every run the new records are appended to the neurosim monitors exactly as the
numba engine does (steps as int64); ``monitor.active`` switches the Brian2 monitor.
"""

from __future__ import annotations

from functools import singledispatch

import brian2 as b2
import numpy as np

from neurosim.backends.brian2.state import steps_of_lastspike
from neurosim.backends.brian2.synapses import WEIGHT
from neurosim.monitors import RateMonitor, SpikeMonitor, StateMonitor, WeightMonitor
from neurosim.neurons.base import NeuronModel


@singledispatch
def brian2_monitor(mon, engine, name: str):
    """The Brian2 monitor (named ``name``) recording what ``mon`` records."""
    raise NotImplementedError(f"the Brian2 backend has no mapping for {type(mon).__name__}")


@brian2_monitor.register
def _(mon: SpikeMonitor, engine, name: str):
    return b2.SpikeMonitor(engine.groups[mon.target.name], name=name)


@brian2_monitor.register
def _(mon: RateMonitor, engine, name: str):
    return b2.PopulationRateMonitor(engine.groups[mon.target.name], name=name)


@brian2_monitor.register
def _(mon: StateMonitor, engine, name: str):
    pop = mon.target
    if pop.model.is_source:
        raise NotImplementedError(
            f"the Brian2 backend does not record state of source {pop.name!r}"
        )
    names = ["lastspike" if v == NeuronModel.LAST_SPIKE else v for v in mon.variables]
    return _sampled(engine.groups[pop.name], names, mon.neurons, mon.every, engine, name)


@brian2_monitor.register
def _(mon: WeightMonitor, engine, name: str):
    source = engine.synapses[mon.target.name]
    return _sampled(source, [WEIGHT], mon.synapses, mon.every, engine, name)


def _sampled(source, names, record, every, engine, name):
    """``StateMonitor`` of ``names`` of ``source`` at the start of every ``every``-th step."""
    return b2.StateMonitor(
        source, names, record=record, clock=engine.sampling_clock(every), when="start", name=name
    )


@singledispatch
def new_records(mon, b2mon, new: slice, steps: np.ndarray, engine) -> tuple:
    """The arguments with which ``mon`` appends the records ``new`` of ``b2mon``, made
    at ``steps``."""
    raise NotImplementedError(f"the Brian2 backend has no mapping for {type(mon).__name__}")


@new_records.register
def _(mon: SpikeMonitor, b2mon, new, steps, engine):
    idx = b2mon.i[:][new]
    keep = mon.mask[idx].astype(bool)
    return steps[keep], idx[keep].astype(np.int32)


@new_records.register
def _(mon: RateMonitor, b2mon, new, steps, engine):
    counts = np.rint(b2mon.rate_[:][new] * mon.target.n * engine.dt_s)
    return steps, counts.astype(np.int32)


@new_records.register
def _(mon: StateMonitor, b2mon, new, steps, engine):
    block = np.empty((len(steps), len(mon.rows), len(mon.neurons)))
    for a, var in enumerate(mon.variables):
        if var == NeuronModel.LAST_SPIKE:
            values = steps_of_lastspike(b2mon.lastspike_[:, new].T, engine.dt_s)
        else:
            values = getattr(b2mon, f"{var}_")[:, new].T
        block[:, a, :] = values
    return steps, block


@new_records.register
def _(mon: WeightMonitor, b2mon, new, steps, engine):
    return steps, getattr(b2mon, f"{WEIGHT}_")[:, new].T


def flush(engine) -> None:
    """Append to every active monitor what its Brian2 monitor recorded since the last
    call (``engine.monitors`` holds ``[Brian2 monitor, records already copied]``)."""
    for slot, mon in zip(engine.monitors, engine.net.monitors, strict=True):
        b2mon, done = slot
        if not mon.active:
            continue
        t = b2mon.t_[:]
        new = slice(done, len(t))
        slot[1] = len(t)
        steps = np.rint(t[new] / engine.dt_s).astype(np.int64)
        mon.append(*new_records(mon, b2mon, new, steps, engine))
