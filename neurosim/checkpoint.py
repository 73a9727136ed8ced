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

import importlib
import json
from pathlib import Path

import numpy as np

from neurosim import checkpoint_file as fmt
from neurosim.errors import CheckpointError
from neurosim.inputs import CurrentInput, PoissonSource, SpikeGeneratorSource
from neurosim.kernels.rng import kernel_state
from neurosim.monitors import RateMonitor, SpikeMonitor, StateMonitor, WeightMonitor
from neurosim.network import Network
from neurosim.neurons import MODELS
from neurosim.population import Population
from neurosim.projection import Projection
from neurosim.synapses import RULES

__all__ = ["CheckpointError", "load", "save"]

#: Spike sources (not in the model registry), by name: class and defining arrays.
_SOURCES = {
    PoissonSource.name: (PoissonSource, ("rate", "times")),
    SpikeGeneratorSource.name: (SpikeGeneratorSource, ("times", "indices")),
}
#: Attributes that are references or names, rebuilt from the description.
_POPULATION_REFS = {"network", "name", "n", "model", "_init"}
_PROJECTION_REFS = {
    "network",
    "name",
    "pre_population",
    "post_population",
    "rule",
    "synapse",
    "receptor",
    "target_row",
    "_dimension",
    "_frozen",
    "_post_index",  # caches derived from ``post``
    "_pre_by_post",
}
_MONITORS = {cls.kind: cls for cls in (SpikeMonitor, StateMonitor, RateMonitor, WeightMonitor)}


# -- saving ----------------------------------------------------------------------------
def save(network: Network, path, monitors: bool = False) -> None:
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
    if not isinstance(network, Network):
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


def _version() -> str:
    import neurosim

    return getattr(neurosim, "__version__", "0+unknown")


def _describe(net: Network, members: fmt.Members, monitors: bool) -> dict:
    return {
        "format": fmt.FORMAT,
        "format_version": fmt.FORMAT_VERSION,
        "neurosim_version": _version(),
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
    """Whether ``value`` is saved as JSON (numbers, strings, None, lists and dicts)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if isinstance(value, (list, tuple)):
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
    if model.name in _SOURCES and isinstance(model, _SOURCES[model.name][0]):
        fields = _SOURCES[model.name][1]
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
def load(path, to_disk=None) -> Network:
    """The network saved in the checkpoint file ``path``, ready to continue.

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`save`.
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
    description, arrays = fmt.read(path)
    try:
        plan = _Plan(description, arrays, to_disk)
    except CheckpointError as err:
        raise CheckpointError(f"checkpoint {str(path)!r}: {err}") from None
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as err:
        raise CheckpointError(
            f"checkpoint {str(path)!r}: its description does not fit this neurosim "
            f"({_version()}; file written by {description.get('neurosim_version')!r}): "
            f"{type(err).__name__}: {err}"
        ) from None
    try:
        return plan.build()
    except Exception as err:
        raise CheckpointError(
            f"checkpoint {str(path)!r}: the network could not be rebuilt: "
            f"{type(err).__name__}: {err}"
        ) from err


def _expect(array: np.ndarray, dtype, shape, where: str) -> np.ndarray:
    if array.dtype != np.dtype(dtype) or array.shape != tuple(shape):
        raise CheckpointError(
            f"{where} has dtype {array.dtype} and shape {array.shape}; this neurosim "
            f"expects {np.dtype(dtype)} and {tuple(shape)}"
        )
    return array


def _in_range(array: np.ndarray, n: int, where: str) -> np.ndarray:
    if array.size and (array.min() < 0 or array.max() >= n):
        raise CheckpointError(f"{where} holds indices outside [0, {n - 1}]")
    return array


def _model(entry: dict, registry, arrays: dict, where: str):
    """The model or rule an entry describes (a spike source from its arrays)."""
    if "source" in entry:
        cls, fields = _SOURCES[entry["source"]]
        return cls(**{f: arrays[entry["arrays"][f]] for f in fields})
    name = entry["name"]
    if name not in registry:
        raise CheckpointError(
            f"{where} uses {registry.kind} {name!r}, which is not registered in this "
            f"neurosim; {registry.plural}: {sorted(registry)}"
        )
    return registry[name](**entry["params"])


def _population_class(spec):
    if spec is None:
        return Population
    module, _, qualname = str(spec).partition(":")
    if not module.startswith("neurosim."):
        raise CheckpointError(f"population class {spec!r} is not one of neurosim's")
    cls = getattr(importlib.import_module(module), qualname, None)
    if not (isinstance(cls, type) and issubclass(cls, Population)):
        raise CheckpointError(f"population class {spec!r} does not exist in this neurosim")
    return cls


class _Plan:
    """A checkpoint's description, checked and with its models and rules made; only
    :meth:`build` creates a network."""

    def __init__(self, description: dict, arrays: dict, to_disk):
        self.d, self.arrays = description, arrays
        net = description["network"]
        self.dt, self.seed, self.step = float(net["dt"]), int(net["seed"]), int(net["step"])
        self.counts = {str(k): int(v) for k, v in net["event_counts"].items()}
        self.models = {p["name"]: self._check_population(p) for p in description["populations"]}
        self.sizes = {p["name"]: int(p["n"]) for p in description["populations"]}
        self.rules = {p["name"]: self._check_projection(p) for p in description["projections"]}
        for c in description["currents"]:
            self._check_current(c)
        self.folders = [
            self._check_monitor(m, mon, to_disk) for m, mon in enumerate(description["monitors"])
        ]
        self.buffers = {str(name): arrays[key] for name, key in description["buffers"].items()}

    def _own(self, entry) -> dict[str, np.ndarray]:
        return {attr: self.arrays[key] for attr, key in entry["arrays"].items()}

    def _check_population(self, p: dict):
        where = f"population {p['name']!r}"
        _population_class(p["class"])
        model = _model(p["model"], MODELS, self.arrays, where)
        n, own = int(p["n"]), self._own(p)
        _expect(own["S"], float, (len(model.state_vars), n), f"{where} state S")
        _expect(own["I"], float, (n,), f"{where} current I")
        stream = kernel_state(0, "shape")
        _expect(own["rng_state"], stream.dtype, stream.shape, f"{where} random stream")
        return model

    def _check_projection(self, p: dict):
        where = f"projection {p['name']!r}"
        n_pre, n_post = self.sizes[p["pre"]], self.sizes[p["post"]]
        rule = None if p["synapse"] is None else _model(p["synapse"], RULES, self.arrays, where)
        own = self._own(p)
        n = own["post"].shape[0] if own["post"].ndim == 1 else -1
        _in_range(_expect(own["pre"], np.uint32, (n,), f"{where} pre"), n_pre, f"{where} pre")
        _in_range(_expect(own["post"], np.uint32, (n,), f"{where} post"), n_post, f"{where} post")
        indptr = _expect(own["indptr"], np.int64, (n_pre + 1,), f"{where} indptr")
        if indptr[0] != 0 or indptr[-1] != n or np.any(np.diff(indptr) < 0):
            raise CheckpointError(f"{where} indptr does not delimit its {n} synapses")
        _expect(own["weight"], float, (n,), f"{where} weight")
        delays = _expect(own["delay_steps"], np.int32, (n,), f"{where} delay_steps")
        if delays.size and delays.min() < 1:
            raise CheckpointError(f"{where} has delays below one step")
        stream = (kernel_state if rule is None else rule.random_state)(0, "shape")
        _expect(own["rng_state"], stream.dtype, stream.shape, f"{where} random stream")
        if rule is not None:
            for attr, rows, size in (
                ("S_syn", rule.synapse_vars, n),
                ("S_pre", rule.pre_vars, n_pre),
                ("S_post", rule.post_vars, n_post),
            ):
                _expect(own[attr], float, (len(rows), size), f"{where} rule state {attr}")
        return rule

    def _check_current(self, c: dict) -> None:
        where = f"current input onto {c['population']!r}"
        if self.models[c["population"]].is_source:
            raise CheckpointError(f"{where}: a spike source takes no current")
        targets = self.arrays[c["targets"]]
        _in_range(targets, self.sizes[c["population"]], f"{where} targets")
        times = self.arrays[c["times"]]
        if self.arrays[c["amplitudes"]].shape[0] != times.size:
            raise CheckpointError(f"{where}: amplitudes do not match times")

    def _check_monitor(self, m: int, mon: dict, to_disk):
        where = f"monitor {m} ({mon['kind']} of {mon['target']!r})"
        if mon["kind"] not in _MONITORS:
            raise CheckpointError(f"{where}: unknown monitor kind {mon['kind']!r}")
        table = self.rules if mon["kind"] == "weights" else self.models
        if mon["target"] not in table:
            raise CheckpointError(f"{where}: its target does not exist")
        if not mon["disk"]:
            return None
        if to_disk is None:
            raise CheckpointError(
                f"{where} streamed to disk; give Network.load a to_disk folder for its new files"
            )
        return Path(to_disk) / f"monitor{m}_{mon['kind']}_{mon['target']}"

    # -- building --------------------------------------------------------------------
    def build(self) -> Network:
        net = Network(dt=self.dt, seed=self.seed)
        for p in self.d["populations"]:
            self._population(net, p)
        for p in self.d["projections"]:
            pre, post = net.populations[p["pre"]], net.populations[p["post"]]
            own = self._own(p)
            args = (net, p["name"], pre, post, p["receptor"], self.rules[p["name"]])
            proj = Projection._from_arrays(*args, {k: own[k] for k in ("pre", "post")})
            _restore(proj, own, p["values"])
            net.projections[p["name"]] = proj
        for c in self.d["currents"]:
            current = CurrentInput(
                times=self.arrays[c["times"]], amplitudes=self.arrays[c["amplitudes"]]
            )
            net.add_current(c["population"], current, neurons=self.arrays[c["targets"]])
        for m, mon in enumerate(self.d["monitors"]):
            net.monitors.append(self._monitor(net, mon, self.folders[m]))
        for name, value in self.buffers.items():
            net.buffers.array(name, value.shape, value.dtype)[...] = value
        net.step = self.step
        net._event_counts.update(self.counts)
        return net

    def _population(self, net: Network, p: dict) -> None:
        cls, model = _population_class(p["class"]), self.models[p["name"]]
        if cls is Population:
            pop = net.add_population(p["name"], int(p["n"]), model)
        else:
            pop = cls.__new__(cls)
            Population.__init__(pop, net, p["name"], int(p["n"]), model)
            net.populations[p["name"]] = pop
        _restore(pop, self._own(p), p["values"])

    def _monitor(self, net: Network, mon: dict, folder):
        cls, select = _MONITORS[mon["kind"]], self.arrays[mon["select"]]
        kind = mon["kind"]
        if kind == "weights":
            new = cls(net, net.projections[mon["target"]], select, mon["every"], folder)
        elif kind == "state":
            pop = net.populations[mon["target"]]
            new = cls(net, pop, mon["variables"], select, mon["every"], folder)
        elif kind == "spikes":
            new = cls(net, net.populations[mon["target"]], select, folder)
        else:
            new = cls(net, net.populations[mon["target"]], folder)
        new.active = mon["active"]
        if mon["data"] is not None:
            new.append(*(self.arrays[key] for key in mon["data"]))
        return new


def _restore(obj, arrays: dict[str, np.ndarray], values: dict) -> None:
    """Set saved arrays (as writable, contiguous copies) and values on ``obj``, past
    its attribute guards (the values were valid when saved)."""
    for attr, value in arrays.items():
        object.__setattr__(obj, attr, np.array(value, copy=True, order="C"))
    for attr, value in values.items():
        object.__setattr__(obj, attr, json.loads(json.dumps(value)))
