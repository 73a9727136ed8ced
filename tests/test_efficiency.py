"""Energy accounting against hand-worked cases: the dense 784 -> 128 layer of the
per-op estimators, a silent network, linearity in spike count, a two-layer example,
the resting line's arithmetic, and bad devices."""

from __future__ import annotations

import numpy as np
import pytest

from neurosim import Network
from neurosim.efficiency import (
    FIELDS,
    Device,
    combine,
    constants_table,
    energy,
    gd_energy,
    host_energy,
    load_devices,
    report,
    resting_energy,
    spiking_energy,
)
from neurosim.tasks.run import ProbeScore, TaskRun

DEV = load_devices()


def test_dense_784_to_128_on_cpu():
    # (100,352 connections + 128 neurons) x 8.6 nJ, KerasSpiking's figure for this layer
    ops = {"macs": 784 * 128, "neuron_updates": 128, "memory_accesses": 10**6}
    assert gd_energy(ops, DEV["cpu"]) == pytest.approx(8.64128e-4, rel=1e-12)
    assert gd_energy(ops, DEV["gpu"]) == pytest.approx(100480 * 0.3e-9, rel=1e-12)


def test_silent_network_costs_neuron_steps_only():
    net = Network(dt=0.1, seed=0)
    net.add_population("cells", 10, "lif")
    net.run(100.0)
    counts = net.counters()
    ops = {
        "spikes": sum(v for k, v in counts.items() if k.startswith("spikes/")),
        "synaptic_events": 0,
        "plasticity_updates": 0,
        "neuron_steps": 10 * 1000,
    }
    assert ops["spikes"] == 0
    assert spiking_energy(ops, DEV["loihi"]) == 10_000 * 81e-12
    assert spiking_energy(ops, DEV["biological"]) == 0.0  # upkeep is the resting line


def test_energy_linear_in_spike_count():
    energies, spikes = [], []
    for k in (0, 5, 10, 20, 40):
        net = Network(dt=0.1, seed=0)
        net.add_spike_generator("pre", 1, times=2.0 + 2.0 * np.arange(k), indices=[0] * k)
        net.add_population("post", 5, "lif")
        net.connect("pre", "post", weight=1.0)
        net.run(100.0)
        c = net.counters()
        ops = {
            "spikes": c["spikes/pre"] + c["spikes/post"],
            "synaptic_events": c["synaptic_events/pre_to_post_exc"],
            "neuron_steps": 5 * 1000,
        }
        spikes.append(ops["spikes"])
        energies.append(spiking_energy(ops, DEV["biological"]))
    assert spikes == [0, 5, 10, 20, 40]
    slope, intercept = np.polyfit(spikes, energies, 1)
    fit = slope * np.array(spikes) + intercept
    r2 = 1 - np.sum((energies - fit) ** 2) / np.sum((energies - np.mean(energies)) ** 2)
    assert r2 > 0.999
    # each spike: one 30-pJ spike and 5 synaptic events of 6.8 fJ
    assert slope == pytest.approx(3.209e-11 + 5 * 6.806e-15, rel=1e-9)


def test_two_layer_example_by_hand():
    # spiking: 120 spikes, 3000 events, 400 updates, 2e5 neuron steps on Loihi
    ops = {
        "spikes": 120,
        "synaptic_events": 3000,
        "plasticity_updates": 400,
        "neuron_steps": 200_000,
    }
    hand = (
        3000 * 23.6e-12 + 400 * 120e-12 + 200_000 * 81e-12
    )  # 7.08e-8 + 4.8e-8 + 1.62e-5 = 1.63188e-5 J
    assert spiking_energy(ops, DEV["loihi"]) == pytest.approx(1.63188e-5, rel=1e-12)
    assert energy(ops, DEV["loihi"]) == pytest.approx(hand, rel=1e-12)
    # gradient descent has no price on a spiking device
    assert gd_energy({"macs": 10}, DEV["loihi"]) is None
    assert energy({"macs": 10}, DEV["biological"]) is None


def test_resting_line_arithmetic():
    # 3.29e9 ATP/s/neuron x 0.13 x 8.3e-20 J/ATP = 3.5499e-11 W per neuron
    assert DEV["biological"]["p_rest_neuron"] == pytest.approx(3.29e9 * 0.13 * 8.3e-20, rel=1e-4)
    assert resting_energy(1000, 3600.0, DEV["biological"]) == pytest.approx(
        3.5499e-11 * 1000 * 3600, rel=1e-12
    )
    assert DEV["biological"]["e_spike"] == pytest.approx(0.47 * 3.29e9 / 4 * 8.3e-20, rel=1e-3)
    assert DEV["biological"]["e_synaptic_event"] == pytest.approx(8.2e4 * 8.3e-20, rel=1e-3)
    assert host_energy(2.0, 10.0) == 20.0
    with pytest.raises(ValueError, match="biological_time_s"):
        resting_energy(10, -1.0, DEV["biological"])


def test_every_shipped_value_has_status_and_source():
    for dev in DEV.values():
        assert dev.citation
        assert all(dev.status[f] for f in FIELDS), dev.name
    text = constants_table()
    assert "Davies" in text and "Degnan" in text and "Attwell" in text and "Horowitz" in text
    assert "assumption" in text


def test_bad_devices(tmp_path):
    values = dict.fromkeys(FIELDS, 1e-12)
    with pytest.raises(ValueError, match="e_mac = -1"):
        Device("x", False, "", {**values, "e_mac": -1.0})
    with pytest.raises(ValueError, match="missing e_spike"):
        Device("x", False, "", {k: v for k, v in values.items() if k != "e_spike"})
    with pytest.raises(ValueError, match="unknown field"):
        Device("x", False, "", {**values, "e_flop": 1.0})
    path = tmp_path / "mine.toml"
    path.write_text("[devices.mine]\nspiking = true\n" + "\n".join(f"{f} = 2e-12" for f in FIELDS))
    mine = load_devices(path)["mine"]
    assert spiking_energy({"spikes": 3}, mine) == 6e-12
    (tmp_path / "empty.toml").write_text("")
    with pytest.raises(ValueError, match="no \\[devices"):
        load_devices(tmp_path / "empty.toml")
    with pytest.raises(ValueError, match="spikes"):
        spiking_energy({"spikes": -1}, mine)


def _run(learner, curve, ops, **extra):
    run = TaskRun(
        "t",
        learner,
        0,
        criterion=0.7,
        biological_time_s=100.0,
        wall_s=0.5,
        operations=ops,
        plastic_state=(4, 32),
    )
    run.probes = [ProbeScore("test", a, 0.0, {}, s) for a, s in curve]
    return run


def test_report_rows_and_combine():
    spiking = report(_run("spiking", [(1, 0.8)], {"spikes": 10, "n_neurons": 100}), DEV)
    assert spiking.energy_resting_j == pytest.approx(3.5499e-11 * 100 * 100.0)
    assert spiking.energy_biological_j == pytest.approx(10 * 3.209e-11)
    assert spiking.energy_cpu_j == pytest.approx(0.5 * 10.0)
    mlp = [report(_run("mlp", [(1, 0.5), (2, s)], {"macs": 100}), DEV) for s in (0.8, 0.6)]
    assert mlp[0].energy_biological_j is None and mlp[0].energy_resting_j is None
    both = combine(mlp)
    assert both.exposures_to_criterion is None and both.n_reached == 1
    assert both.best_score == pytest.approx(0.7)
    assert both.learning_curve == [[1, 0.5], [2, pytest.approx(0.7)]]
    with pytest.raises(ValueError, match="one learner"):
        combine([spiking, mlp[0]])
