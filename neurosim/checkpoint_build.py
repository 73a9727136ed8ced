"""Checking a checkpoint's description against this neurosim and rebuilding the
network from it (see :mod:`neurosim.checkpoint`).

:class:`Plan` checks everything first (registry names, parameter values, the dtype
and shape of every array against the models and rules of this neurosim, indices in
range, monitor targets) and makes the models and rules; only :meth:`Plan.build`
creates a network, so that a checkpoint that does not fit never gives a half-built one.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np

from neurosim.errors import CheckpointError
from neurosim.inputs import CurrentInput, PoissonSource, SpikeGeneratorSource
from neurosim.kernels.rng import kernel_state
from neurosim.monitors import RateMonitor, SpikeMonitor, StateMonitor, WeightMonitor
from neurosim.neurons import MODELS
from neurosim.population import Population
from neurosim.projection import Projection
from neurosim.synapses import RULES

#: Spike sources (not in the model registry), by name: class and defining arrays.
SOURCES = {
    PoissonSource.name: (PoissonSource, ("rate", "times")),
    SpikeGeneratorSource.name: (SpikeGeneratorSource, ("times", "indices")),
}
MONITORS = {cls.kind: cls for cls in (SpikeMonitor, StateMonitor, RateMonitor, WeightMonitor)}


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
    if "source" in entry and registry is MODELS:
        if entry["source"] not in SOURCES:
            raise CheckpointError(f"{where} uses an unknown spike source {entry['source']!r}")
        cls, fields = SOURCES[entry["source"]]
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


class Plan:
    """A checkpoint's description, checked and with its models and rules made; only
    :meth:`build` creates a network."""

    def __init__(self, description: dict, arrays: dict, to_disk):
        self.d, self.arrays = description, arrays
        net = description["network"]
        self.dt, self.seed, self.step = float(net["dt"]), int(net["seed"]), int(net["step"])
        self.counts = {str(k): int(v) for k, v in net["event_counts"].items()}
        for kind in ("populations", "projections"):
            names = [entry["name"] for entry in description[kind]]
            if len(set(names)) != len(names):
                raise CheckpointError(f"two {kind} have the same name: {names}")
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
        _attributes_fit(p, _population_class(p["class"]), where)
        model = _model(p["model"], MODELS, self.arrays, where)
        n, own = int(p["n"]), self._own(p)
        model.initial_state(n)  # a source checks its spike list or rates against n
        _expect(own["S"], float, (len(model.state_vars), n), f"{where} state S")
        _expect(own["I"], float, (n,), f"{where} current I")
        stream = kernel_state(0, "shape")
        _expect(own["rng_state"], stream.dtype, stream.shape, f"{where} random stream")
        return model

    def _check_projection(self, p: dict):
        where = f"projection {p['name']!r}"
        _attributes_fit(p, Projection, where)
        n_pre, n_post = self.sizes[p["pre"]], self.sizes[p["post"]]
        rule = None if p["synapse"] is None else _model(p["synapse"], RULES, self.arrays, where)
        modulator = p.get("modulator")
        if modulator is not None and getattr(self.models.get(modulator), "name", "") != "modulator":
            raise CheckpointError(f"{where} reads {modulator!r}, which is not a saved modulator")
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
                ("S_pre", rule.pre_vars, n_pre * own.get("delay_groups", np.ones(1)).size),
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
        if mon["kind"] not in MONITORS:
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
    def build(self, network_class):
        """A new network of ``network_class`` holding everything the checkpoint saved."""
        net = network_class(dt=self.dt, seed=self.seed)
        for p in self.d["populations"]:
            self._population(net, p)
        for p in self.d["projections"]:
            pre, post = net.populations[p["pre"]], net.populations[p["post"]]
            own = self._own(p)
            args = (net, p["name"], pre, post, p["receptor"], self.rules[p["name"]])
            modulator = net.populations[p["modulator"]] if p.get("modulator") else None
            proj = Projection._from_arrays(*args, {k: own[k] for k in ("pre", "post")}, modulator)
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

    def _population(self, net, p: dict) -> None:
        cls, model = _population_class(p["class"]), self.models[p["name"]]
        if cls is Population:
            pop = net.add_population(p["name"], int(p["n"]), model)
        else:
            pop = cls.__new__(cls)
            Population.__init__(pop, net, p["name"], int(p["n"]), model)
            net.populations[p["name"]] = pop
        _restore(pop, self._own(p), p["values"])

    def _monitor(self, net, mon: dict, folder):
        cls, select = MONITORS[mon["kind"]], self.arrays[mon["select"]]
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


def _attributes_fit(entry: dict, cls: type, where: str) -> None:
    """Refuse a component name that is not an identifier, and saved attributes that
    would hide a method or property of ``cls`` (a file sets data, never behaviour)."""
    if not (isinstance(entry["name"], str) and entry["name"].isidentifier()):
        raise CheckpointError(f"{where}: the name is not a valid identifier")
    for attr in (*entry["arrays"], *entry["values"]):
        if not (isinstance(attr, str) and attr.isidentifier()) or hasattr(cls, attr):
            raise CheckpointError(f"{where}: attribute {attr!r} cannot be set from a file")


def _restore(obj, arrays: dict[str, np.ndarray], values: dict) -> None:
    """Set saved arrays (as writable, contiguous copies) and values on ``obj``, past
    its attribute guards (the values were valid when saved); JSON lists become the
    tuples they were saved from."""
    for attr, value in arrays.items():
        object.__setattr__(obj, attr, np.array(value, copy=True, order="C"))
    for attr, value in values.items():
        object.__setattr__(obj, attr, _tuples(value))


def _tuples(value):
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    if isinstance(value, dict):
        return {k: _tuples(v) for k, v in value.items()}
    return value
