r"""Energy, memory, data and time of a learner on a task: the efficiency report.

Energy devices
--------------
A :class:`Device` prices one counted operation (joules): a spike ``e_spike``, a
synaptic event ``e_synaptic_event``, a plasticity update ``e_plasticity_update``, a
neuron update ``e_neuron_update``, a multiply-accumulate ``e_mac``, a memory access
``e_memory_access`` (one value read or written), and the resting power of a neuron
``p_rest_neuron`` (W). Each value has a status (verified, secondary, derived,
assumption, not applicable) and the device a citation. The published sets ship in
``models/energy/devices.toml``: biological :cite:p:`attwell2001`, loihi
:cite:p:`davies2018`, horowitz_45nm :cite:p:`horowitz2014`, cpu and gpu
:cite:p:`degnan2016`;
:func:`load_devices` reads that file or a user's file of the same layout, so users add
devices or change values without touching code.

Energy of a learner (J)
-----------------------
Spiking learner, from its counted operations on a device:

.. math:: E = N_{spk} e_{spike} + N_{syn} e_{syn} + N_{plast} e_{plast} + N_{steps} e_{neuron}

(:func:`spiking_energy`; ``neuron_steps`` = neurons × steps stepped). Resting
(maintenance) energy, its own line, :math:`E_{rest} = P_{rest} \cdot N_{neurons} \cdot T`
with :math:`T` the biological time (:func:`resting_energy`): a brain's cost barely
changes with effort, so the resting line dominates whenever activity is sparse.
Gradient-descent learner (:func:`gd_energy`):

.. math:: E = N_{MAC} e_{mac} + N_{neuron\ updates} e_{neuron} + N_{access} e_{access}

Unlike the per-op estimates used in the field (e.g. KerasSpiking's ``ModelEnergy``),
memory accesses are counted (see :mod:`neurosim.baselines.mlp` for the formulae) and
priced wherever the device gives a price per access; the cpu and gpu figures are
all-in per operation, so they price accesses at 0. A gradient-descent learner has no
price on a spiking device (biological, loihi): its energy there is None.

On the ``cpu`` set, a dense 784 → 128 layer costs per inference
(100,352 connections + 128 neurons) × 8.6 nJ = 8.64128e-4 J (:func:`gd_energy` with
``macs=100352, neuron_updates=128``), the figure KerasSpiking prints for that layer.

Simulating or training on this computer (:func:`host_energy`): wall time × the
power drawn by one busy core (``[host] power_per_core_w`` in the devices file, an
assumption of 10 W: learners run on one core).

The report
----------
:func:`report` turns a :class:`~neurosim.tasks.run.TaskRun` into an
:class:`EfficiencyReport` row; :func:`combine` averages rows over seeds;
:func:`constants_table` prints the constants used with their status and sources
(printed with every report).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from neurosim.params import models_dir

#: The per-operation fields of a device (J; ``p_rest_neuron`` in W).
FIELDS = (
    "e_spike",
    "e_synaptic_event",
    "e_plasticity_update",
    "e_neuron_update",
    "e_mac",
    "e_memory_access",
    "p_rest_neuron",
)


def devices_file() -> Path:
    """The shipped devices file, ``models/energy/devices.toml``."""
    return models_dir() / "energy" / "devices.toml"


#: Which device prices each energy column of a report.
COLUMNS = {
    "energy_biological_j": "biological",
    "energy_neuromorphic_j": "loihi",
    "energy_45nm_j": "horowitz_45nm",
    "energy_cpu_ops_j": "cpu",
    "energy_gpu_ops_j": "gpu",
}


@dataclass(frozen=True)
class Device:
    """What each counted operation costs on one device (see :mod:`neurosim.efficiency`).

    Attributes
    ----------
    name : str
        Device name.
    spiking : bool
        Whether it runs spiking networks event by event (a gradient-descent learner
        has no price there).
    citation : str
        Source of the values.
    values : dict
        Field (:data:`FIELDS`) -> value in J (W for ``p_rest_neuron``), >= 0.
    status : dict
        Field -> status of the value.
    notes : dict
        Field -> how it was obtained (arithmetic for derived values).
    """

    name: str
    spiking: bool
    citation: str
    values: dict[str, float]
    status: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        missing = [f for f in FIELDS if f not in self.values]
        if missing:
            raise ValueError(f"device {self.name!r}: missing {', '.join(missing)}")
        for key, value in self.values.items():
            if key not in FIELDS:
                raise ValueError(f"device {self.name!r}: unknown field {key!r}; fields: {FIELDS}")
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"device {self.name!r}: {key} = {value!r} must be a number")
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"device {self.name!r}: {key} = {value!r} must be finite and >= 0")

    def __getitem__(self, key: str) -> float:
        return self.values[key]


def load_devices(path=None) -> dict[str, Device]:
    """The devices of a TOML file (default: the shipped ``models/energy/devices.toml``).

    Each ``[devices.<name>]`` table has ``spiking``, ``citation``, every field of
    :data:`FIELDS` and, per field, optional ``<field>_status`` and ``<field>_note``.

    Raises
    ------
    ValueError
        The file has no devices, or a device lacks a field or has a bad value.
    """
    path = devices_file() if path is None else Path(path)
    data = tomllib.loads(path.read_text())
    tables = data.get("devices", {})
    if not tables:
        raise ValueError(f"{path}: no [devices.<name>] tables")
    devices = {}
    for name, table in tables.items():
        devices[name] = Device(
            name=name,
            spiking=bool(table.get("spiking", False)),
            citation=str(table.get("citation", "")),
            values={f: table[f] for f in FIELDS if f in table},
            status={f: table.get(f"{f}_status", "") for f in FIELDS},
            notes={f: table.get(f"{f}_note", "") for f in FIELDS},
        )
    return devices


def host_power_per_core(path=None) -> float:
    """Power in W drawn by one busy core of this computer (``[host]`` of the devices
    file; an assumption)."""
    path = devices_file() if path is None else Path(path)
    return float(tomllib.loads(path.read_text())["host"]["power_per_core_w"])


def _count(ops: dict, key: str) -> float:
    value = ops.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"operation count {key} = {value!r} must be a number")
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"operation count {key} = {value!r} must be finite and >= 0")
    return float(value)


def spiking_energy(ops: dict, device: Device) -> float:
    """E = spikes·e_spike + synaptic_events·e_synaptic_event +
    plasticity_updates·e_plasticity_update + neuron_steps·e_neuron_update (J)."""
    return (
        _count(ops, "spikes") * device["e_spike"]
        + _count(ops, "synaptic_events") * device["e_synaptic_event"]
        + _count(ops, "plasticity_updates") * device["e_plasticity_update"]
        + _count(ops, "neuron_steps") * device["e_neuron_update"]
    )


def gd_energy(ops: dict, device: Device) -> float | None:
    """E = macs·e_mac + neuron_updates·e_neuron_update +
    memory_accesses·e_memory_access (J); None on a spiking device."""
    if device.spiking:
        return None
    return (
        _count(ops, "macs") * device["e_mac"]
        + _count(ops, "neuron_updates") * device["e_neuron_update"]
        + _count(ops, "memory_accesses") * device["e_memory_access"]
    )


def energy(ops: dict, device: Device) -> float | None:
    """The energy of a learner's operations on ``device``: :func:`gd_energy` for
    counts with ``macs``, :func:`spiking_energy` otherwise."""
    return gd_energy(ops, device) if "macs" in ops else spiking_energy(ops, device)


def resting_energy(n_neurons: float, biological_time_s: float, device: Device) -> float:
    """E_rest = p_rest_neuron · n_neurons · biological_time_s (J)."""
    for name, value in (("n_neurons", n_neurons), ("biological_time_s", biological_time_s)):
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(f"{name} = {value!r} must be finite and >= 0")
    return device["p_rest_neuron"] * n_neurons * biological_time_s


def host_energy(wall_s: float, power_per_core_w: float | None = None) -> float:
    """Energy in J of computing for ``wall_s`` seconds on one core of this computer:
    wall_s × power_per_core_w (default :func:`host_power_per_core`)."""
    power = host_power_per_core() if power_per_core_w is None else power_per_core_w
    if not (math.isfinite(wall_s) and wall_s >= 0):
        raise ValueError(f"wall_s = {wall_s!r} must be finite and >= 0")
    return wall_s * power


@dataclass
class EfficiencyReport:
    """One learner on one task: the five dimensions (keys as in ``neurosim compare
    --json``). Energies in J, times in s; None where a value does not apply."""

    learner: str
    exposures_to_criterion: float | None
    best_score: float | None
    plastic_state_count: int
    plastic_state_bytes: int
    energy_biological_j: float | None
    energy_neuromorphic_j: float | None
    energy_resting_j: float | None
    energy_cpu_j: float
    biological_time_s: float
    wall_s: float
    generalization: float | None
    interference: float | None
    energy_45nm_j: float | None = None
    energy_cpu_ops_j: float | None = None
    energy_gpu_ops_j: float | None = None
    n_reached: int = 1
    learning_curve: list = field(default_factory=list)

    def to_dict(self) -> dict:
        """The row as a plain dict (JSON-serialisable)."""
        return asdict(self)


def report(run, devices: dict[str, Device] | None = None) -> EfficiencyReport:
    """The efficiency row of one :class:`~neurosim.tasks.run.TaskRun`.

    The resting line needs the learner's ``n_neurons`` operation count (None without
    it, and for a gradient-descent learner)."""
    devices = load_devices() if devices is None else devices
    ops = run.operations
    priced = {column: energy(ops, devices[name]) for column, name in COLUMNS.items()}
    neurons = ops.get("n_neurons")
    resting = (
        None
        if neurons is None or "macs" in ops
        else resting_energy(neurons, run.biological_time_s, devices["biological"])
    )
    return EfficiencyReport(
        learner=run.learner,
        exposures_to_criterion=run.exposures_to_criterion,
        best_score=run.best_score,
        plastic_state_count=run.plastic_state[0],
        plastic_state_bytes=run.plastic_state[1],
        energy_resting_j=resting,
        energy_cpu_j=host_energy(run.wall_s),
        biological_time_s=run.biological_time_s,
        wall_s=run.wall_s,
        generalization=run.generalization,
        interference=run.interference,
        learning_curve=[list(point) for point in run.learning_curve],
        **priced,
    )


def _mean(values):
    kept = [v for v in values if v is not None]
    return float(np.mean(kept)) if len(kept) == len(values) and kept else None


def combine(rows: list[EfficiencyReport]) -> EfficiencyReport:
    """The mean of one learner's rows over seeds. ``exposures_to_criterion`` is the
    mean over seeds when every seed reached the criterion, else None; ``n_reached``
    counts the seeds that did; ``best_score`` and the learning curve are means over
    seeds; a value that is None for some seed is None."""
    if not rows or len({r.learner for r in rows}) != 1:
        raise ValueError("combine needs rows of one learner")
    out = {}
    for key in EfficiencyReport.__dataclass_fields__:
        values = [getattr(r, key) for r in rows]
        if key == "learner":
            out[key] = values[0]
        elif key == "n_reached":
            out[key] = sum(r.exposures_to_criterion is not None for r in rows)
        elif key == "learning_curve":
            curves = np.array([[p[1] for p in v] for v in values], dtype=float)
            out[key] = [
                [p[0], float(s)] for p, s in zip(values[0], curves.mean(axis=0), strict=True)
            ]
        else:
            out[key] = _mean(values)
    for key in ("plastic_state_count", "plastic_state_bytes"):
        out[key] = int(round(out[key]))
    return EfficiencyReport(**out)


def constants_table(devices: dict[str, Device] | None = None) -> str:
    """The constants of every device with status and source, one line each, and the
    host power (printed with every report)."""
    devices = load_devices() if devices is None else devices
    lines = ["energy constants (J per operation; p_rest_neuron in W per neuron):"]
    for dev in devices.values():
        lines.append(f"[{dev.name}] {'spiking' if dev.spiking else 'non-spiking'}; {dev.citation}")
        for f in FIELDS:
            note = f"; {dev.notes[f]}" if dev.notes.get(f) else ""
            lines.append(f"  {f:20s} {dev[f]:.4g}  ({dev.status.get(f) or 'no status'}{note})")
    lines.append(f"[host] {host_power_per_core():g} W per busy core (assumption)")
    return "\n".join(lines)
