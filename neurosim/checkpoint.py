"""Checkpoints: save a network's whole state and load it to continue bit for bit.

:func:`save` writes everything a run needs to continue: the description (models and
rules by registry name with their parameter values, connectivity as arrays, spike
sources and current inputs with their schedules, monitors' definitions), every array
of every population and projection (state, external current, plastic weights, rule
state, random streams, including buffered draws), every entry of
``network.buffers`` (ring buffers with spikes in flight, event queues, current
inputs' progress), the step and the event counters. :func:`load` rebuilds the network
from it; running the loaded network gives the same spikes, weights and state, bit for
bit, as the network that never stopped (on the same machine and build).

State is saved generically: every ``ndarray`` attribute of a population or
projection and every small value (number, string, list or dict of those) is saved and
restored under its attribute name, so state that a component keeps there is saved
without changes here. Recorded monitor data are saved only with ``monitors=True``.
Operations added as Python functions are not saved. The file format is described in
:mod:`neurosim.checkpoint_file`.
"""

from __future__ import annotations

import os

import numpy as np

from neurosim import checkpoint_file as fmt
from neurosim.checkpoint_build import SOURCES, Plan
from neurosim.errors import CheckpointError
from neurosim.neurons import MODELS
from neurosim.population import Population
from neurosim.projection import Projection
from neurosim.synapses import RULES

__all__ = ["CheckpointError", "load", "save"]

#: Attributes that are references or names, rebuilt from the description.
_POPULATION_REFS = {"network", "name", "n", "model", "_init"}
_PROJECTION_REFS = {
    "network",
    "name",
    "pre_population",
    "post_population",
    "rule",
    "synapse",
    "modulator",
    "receptor",
    "target_row",
    "_dimension",
    "_frozen",
    "_post_index",  # caches derived from ``post``
    "_pre_by_post",
}


# -- saving ----------------------------------------------------------------------------
def save(network, path, monitors: bool = False) -> None:
    """Write ``network``'s whole state to the checkpoint file ``path``.

    Parameters
    ----------
    network : Network
        A network of the numba backend (a Brian2-backend network cannot be saved).
    path : str or os.PathLike
        The file to write (no suffix is added). Its folder must exist and be writable.
        The file is written under a temporary name and renamed into place: a failed
        save leaves no partial file and an earlier file at ``path`` unchanged.
    monitors : bool
        Also save what the monitors recorded so far (default: only their
        definitions; a loaded network's monitors then start empty).

    Raises
    ------
    CheckpointError
        The path cannot be written, or the network holds something that cannot be
        saved (a model or rule that is not registered, an attribute that is neither an
        array nor a plain value); nothing is written then.
    """
    if not all(hasattr(network, a) for a in ("populations", "projections", "buffers")):
        raise TypeError(f"network must be a neurosim Network, got {network!r}")
    if not isinstance(monitors, bool):
        raise TypeError(f"monitors must be True or False, got {monitors!r}")
    fmt.check_target(path)
    if network.backend != "numba":
        raise CheckpointError(
            f"checkpoint {str(path)!r}: backend = {network.backend!r} networks cannot be "
            "saved (their state lives in Brian2); use backend='numba'"
        )
    members = fmt.Members()
    try:
        description = _describe(network, members, monitors)
    except (TypeError, ValueError) as err:
        raise CheckpointError(f"checkpoint {str(path)!r}: cannot be saved: {err}") from None
    fmt.write(path, description, members)


def _describe(net, members: fmt.Members, monitors: bool) -> dict:
    return {
        "format": fmt.FORMAT,
        "format_version": fmt.FORMAT_VERSION,
        "neurosim_version": fmt.version(),
        "network": {
            "dt": net.dt,
            "seed": net.seed,
            "step": int(net.step),
            "event_counts": {k: int(v) for k, v in net._event_counts.items()},
        },
        "populations": [_describe_population(p, members) for p in net.populations.values()],
        "projections": [_describe_projection(p, members) for p in net.projections.values()],
        "currents": [
            {
                "population": pop.name,
                "times": members.add(current.times),
                "amplitudes": members.add(current.amplitudes),
                "targets": members.add(targets),
            }
            for pop, current, targets in net.currents
        ],
        "monitors": [_describe_monitor(mon, members, monitors) for mon in net.monitors],
        "buffers": {name: members.add(net.buffers[name]) for name in net.buffers},
    }


def _plain(value) -> bool:
    """Whether ``value`` is saved as JSON (numbers, strings, None, tuples and dicts;
    JSON lists are read back as tuples, so a list attribute is not plain)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if isinstance(value, tuple):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False


def _attributes(obj, refs, members: fmt.Members, where: str) -> dict:
    """Every attribute of ``obj`` except ``refs``: arrays as members, plain values."""
    arrays, values = {}, {}
    for attr, value in vars(obj).items():
        if attr in refs:
            continue
        if isinstance(value, np.ndarray):
            arrays[attr] = members.add(value)
        elif isinstance(value, np.generic):
            values[attr] = value.item()
        elif _plain(value):
            values[attr] = value
        else:
            raise TypeError(f"{where}.{attr} ({type(value).__name__}) is not an array or value")
    return {"arrays": arrays, "values": values}


def _describe_model(model, registry, members: fmt.Members, where: str) -> dict:
    if model.name in SOURCES and isinstance(model, SOURCES[model.name][0]):
        fields = SOURCES[model.name][1]
        return {"source": model.name, "arrays": {f: members.add(getattr(model, f)) for f in fields}}
    if registry.get(model.name) is not type(model):
        raise ValueError(
            f"{where} uses {type(model).__name__} {model.name!r}, which is not registered "
            f"under that name ({registry.kind}s: {sorted(registry)})"
        )
    return {"name": model.name, "params": model.params.as_dict()}


def _describe_population(pop: Population, members: fmt.Members) -> dict:
    where = f"population {pop.name!r}"
    cls = type(pop)
    return {
        "name": pop.name,
        "n": pop.n,
        "class": None if cls is Population else f"{cls.__module__}:{cls.__qualname__}",
        "model": _describe_model(pop.model, MODELS, members, where),
        **_attributes(pop, _POPULATION_REFS, members, where),
    }


def _describe_projection(proj: Projection, members: fmt.Members) -> dict:
    where = f"projection {proj.name!r}"
    rule = proj.synapse
    return {
        "name": proj.name,
        "pre": proj.pre_population.name,
        "post": proj.post_population.name,
        "receptor": proj.receptor,
        "modulator": None if proj.modulator is None else proj.modulator.name,
        "synapse": None if rule is None else _describe_model(rule, RULES, members, where),
        **_attributes(proj, _PROJECTION_REFS, members, where),
    }


def _describe_monitor(mon, members: fmt.Members, data: bool) -> dict:
    select = {
        "spikes": lambda: np.flatnonzero(mon.mask),
        "state": lambda: mon.neurons,
        "weights": lambda: mon.synapses,
        "rate": lambda: np.zeros(0, np.int64),
    }[mon.kind]()
    return {
        "kind": mon.kind,
        "target": mon.target.name,
        "every": mon.every,
        "active": bool(mon.active),
        "variables": list(getattr(mon, "variables", [])),
        "select": members.add(select),
        "disk": mon.folder is not None,
        "data": [members.add(column) for column in mon.recorded()] if data else None,
    }


# -- loading ---------------------------------------------------------------------------
def load(path, network_class, to_disk=None):
    """The network saved in the checkpoint file ``path``, ready to continue (what
    ``Network.load(path)`` returns).

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`save`.
    network_class : type
        The class of the network to build (:class:`~neurosim.network.Network`; given
        by ``Network.load``, so that this module does not import the network's).
    to_disk : str or os.PathLike, optional
        Folder for the monitors that streamed to disk when saved: monitor ``m``
        streams into ``<to_disk>/monitor<m>_<kind>_<target>``, which must be new or
        empty. Needed only when the checkpoint has such monitors.

    Raises
    ------
    CheckpointError
        The file is missing, truncated, corrupt, not a checkpoint, of a newer format,
        names a model or rule that is not registered, or does not fit this neurosim's
        models; the message names the file and the problem. Everything is checked
        before the network is built, and no partly built network is returned.
    """
    if to_disk is not None and not isinstance(to_disk, (str, os.PathLike)):
        raise TypeError(f"to_disk must be a folder (str or os.PathLike), got {to_disk!r}")
    description, arrays = fmt.read(path)
    try:
        plan = Plan(description, arrays, to_disk)
    except CheckpointError as err:
        raise CheckpointError(f"checkpoint {str(path)!r}: {err}") from None
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as err:
        raise CheckpointError(
            f"checkpoint {str(path)!r}: its description does not fit this neurosim "
            f"({fmt.version()}; file written by {description.get('neurosim_version')!r}): "
            f"{type(err).__name__}: {err}"
        ) from None
    try:
        return plan.build(network_class)
    except Exception as err:
        raise CheckpointError(
            f"checkpoint {str(path)!r}: the network could not be rebuilt: "
            f"{type(err).__name__}: {err}"
        ) from err
