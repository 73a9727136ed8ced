"""One-line plots of monitors with matplotlib (headless-safe: the Agg backend is used
when no display is available).

- :func:`raster` — spike raster from a :class:`~neurosim.monitors.SpikeMonitor`;
- :func:`traces` — state traces from a :class:`~neurosim.monitors.StateMonitor`;
- :func:`rates` — population rate from a :class:`~neurosim.monitors.RateMonitor`;
- :func:`sweep_curve` — a sweep's metric against one parameter, mean and seed spread;
- :func:`sweep_heatmap` — a sweep's metric over two parameters (mean over seeds).

Each returns the matplotlib ``Axes`` it drew on (a new figure unless ``ax`` is given).
"""

from __future__ import annotations

import os

import matplotlib

if not os.environ.get("DISPLAY") and not os.environ.get("MPLBACKEND"):
    matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def _axes(ax, figsize=(8, 3)):
    if ax is None:
        # the constrained layout keeps axis labels inside the figure when it is saved
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def raster(monitor, ax=None, markersize=1.0, color="k", **kwargs):
    """Spike raster: neuron index against time (ms)."""
    ax = _axes(ax)
    ax.plot(monitor.t, monitor.i, ".", markersize=markersize, color=color, **kwargs)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel(f"{monitor.target.name} neuron")
    return ax


def traces(monitor, var="v", ax=None, **kwargs):
    """One line per recorded neuron of state variable ``var`` against time (ms), or,
    for a :class:`~neurosim.monitors.WeightMonitor`, one line per recorded synapse's
    weight (in the unit of the projection's receptor; ``var`` is then ignored)."""
    from neurosim.units import UNITS

    ax = _axes(ax)
    if hasattr(monitor, "synapses"):
        proj = monitor.target
        values, var = monitor.w, "weight"
        dim = proj.post_population.model.receptor_dimension.get(proj.receptor, "1")
    else:
        values, dim = monitor[var], monitor.target.model.dimension(var)
    ax.plot(monitor.t, values, **kwargs)
    unit = UNITS[dim][0]
    ax.set_xlabel("time (ms)")
    ax.set_ylabel(var if unit == "1" else f"{var} ({unit})")
    return ax


def rates(monitor, width=5.0, ax=None, **kwargs):
    """Population rate (Hz) smoothed over ``width`` ms against time (ms)."""
    ax = _axes(ax)
    ax.plot(monitor.t, monitor.smoothed(width), **kwargs)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel(f"{monitor.target.name} rate (Hz)")
    return ax


def _ok_rows(df, metric, columns):
    missing = [c for c in (metric, *columns) if c not in df.columns]
    if missing:
        raise ValueError(f"no column(s) {missing} in the sweep table; columns: {list(df.columns)}")
    return df[df["status"] == "ok"] if "status" in df.columns else df


def sweep_curve(df, metric, param, by=None, ax=None, spread="sd", **kwargs):
    """``metric`` against ``param`` from a sweep table (:func:`neurosim.sweep.load_results`):
    the mean over seeds as a line, the spread as a band (``"sd"``: one standard
    deviation; ``"minmax"``: the range) and each run as a dot; one line per value of
    ``by``. Failed runs are left out. When no run of the metric is negative (a rate, a
    count) the band stops at 0."""
    if spread not in ("sd", "minmax"):
        raise ValueError(f"spread = {spread!r} must be 'sd' or 'minmax'")
    ok = _ok_rows(df, metric, [param] + ([by] if by else []))
    ax = _axes(ax, figsize=(5, 3.5))
    floor = 0.0 if (ok[metric] >= 0).all() else -np.inf
    groups = ok.groupby(by, sort=True) if by else [(None, ok)]
    for key, part in groups:
        key = key[0] if isinstance(key, tuple) and len(key) == 1 else key
        stats = part.groupby(param, sort=True)[metric].agg(["mean", "std", "min", "max"])
        x = stats.index.to_numpy()
        label = None if by is None else f"{by} = {key}"
        (line,) = ax.plot(x, stats["mean"], "o-", label=label, **kwargs)
        lo, hi = (
            (stats["mean"] - stats["std"].fillna(0), stats["mean"] + stats["std"].fillna(0))
            if spread == "sd"
            else (stats["min"], stats["max"])
        )
        ax.fill_between(
            x, np.maximum(lo, floor), hi, color=line.get_color(), alpha=0.2, linewidth=0
        )
        ax.plot(part[param], part[metric], ".", color=line.get_color(), alpha=0.4, markersize=3)
    ax.set_xlabel(param)
    ax.set_ylabel(metric)
    if by is not None:
        ax.legend(frameon=False)
    return ax


def sweep_heatmap(df, metric, x, y, ax=None, cmap="viridis", annotate=True):
    """Mean of ``metric`` over seeds on the grid of parameters ``x`` (columns) and
    ``y`` (rows), as a heat map with a colour bar. Failed runs are left out."""
    ok = _ok_rows(df, metric, [x, y])
    table = ok.pivot_table(index=y, columns=x, values=metric, aggfunc="mean").sort_index()
    ax = _axes(ax, figsize=(1.0 + 0.8 * table.shape[1], 1.0 + 0.6 * table.shape[0]))
    image = ax.imshow(table.to_numpy(dtype=float), origin="lower", aspect="auto", cmap=cmap)
    ax.set_xticks(
        range(table.shape[1]), [f"{v:g}" if isinstance(v, float) else v for v in table.columns]
    )
    ax.set_yticks(
        range(table.shape[0]), [f"{v:g}" if isinstance(v, float) else v for v in table.index]
    )
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    if annotate:
        for (i, j), value in np.ndenumerate(table.to_numpy(dtype=float)):
            ax.text(j, i, f"{value:.3g}", ha="center", va="center", color="w", fontsize=8)
    ax.figure.colorbar(image, ax=ax, label=metric)
    return ax
