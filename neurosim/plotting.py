"""One-line plots of monitors with matplotlib (headless-safe: the Agg backend is used
when no display is available).

- :func:`raster` — spike raster from a :class:`~neurosim.monitors.SpikeMonitor`;
- :func:`traces` — state traces from a :class:`~neurosim.monitors.StateMonitor`;
- :func:`rates` — population rate from a :class:`~neurosim.monitors.RateMonitor`.

Each returns the matplotlib ``Axes`` it drew on (a new figure unless ``ax`` is given).
"""

from __future__ import annotations

import os

import matplotlib

if not os.environ.get("DISPLAY") and not os.environ.get("MPLBACKEND"):
    matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402


def _axes(ax, figsize=(8, 3)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def raster(monitor, ax=None, markersize=1.0, color="k", **kwargs):
    """Spike raster: neuron index against time (ms)."""
    ax = _axes(ax)
    ax.plot(monitor.t, monitor.i, ".", markersize=markersize, color=color, **kwargs)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel(f"{monitor.target.name} neuron")
    return ax


def traces(monitor, var="v", ax=None, **kwargs):
    """One line per recorded neuron of state variable ``var`` against time (ms)."""
    from neurosim.units import UNITS

    ax = _axes(ax)
    ax.plot(monitor.t, monitor[var], **kwargs)
    unit = UNITS[monitor.target.model.dimension(var)][0]
    ax.set_xlabel("time (ms)")
    ax.set_ylabel(f"{var} ({unit})")
    return ax


def rates(monitor, width=5.0, ax=None, **kwargs):
    """Population rate (Hz) smoothed over ``width`` ms against time (ms)."""
    ax = _axes(ax)
    ax.plot(monitor.t, monitor.smoothed(width), **kwargs)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel(f"{monitor.target.name} rate (Hz)")
    return ax
