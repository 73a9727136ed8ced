"""Checkpoints: a network saved, loaded in a fresh process and run on gives the same
spikes, weights, state, rule state, random streams, buffers and counters, bit for bit,
as the network that never stopped; bad files and bad paths give clear errors.

Run as a script, this module loads a checkpoint, runs it on and saves the outcome
(the fresh process of the continuation tests)::

    python -m tests.test_checkpoint CHECKPOINT DURATION OUT [TO_DISK]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import neurosim as ns
from neurosim import checkpoint_file
from neurosim.errors import CheckpointError
from neurosim.neurons.lif import LIF

ROOT = Path(__file__).resolve().parents[1]
T1, T2 = 20.0, 30.0


# -- networks -----------------------------------------------------------------------------
def rules_network():
    """Every plasticity rule, onto neurons driven by Poisson input and a current."""
    net = ns.Network(dt=0.1, seed=11)
    inp = net.add_poisson("inp", 12, rate=80.0)
    post = net.add_population("post", 6, "lif_cond")
    net.add_current(post, ns.CurrentInput(times=[0.0, 25.0], amplitudes=[450.0, 600.0]))
    rules = {
        "stdp_pair": ns.synapses.synapse_model("stdp_pair", A_plus=0.05, A_minus=0.05),
        "stdp_triplet": ns.synapses.synapse_model("stdp_triplet"),
        # noise on (sigma > 0): the rule draws from its own random stream
        "graupner_brunel": ns.synapses.synapse_model("graupner_brunel", tau=50.0, sigma=3.0),
        "shouval_2002": ns.synapses.synapse_model("shouval_2002"),
        "tsodyks_markram": ns.synapses.synapse_model("tsodyks_markram", tau_f=50.0),
    }
    for k, (name, rule) in enumerate(rules.items()):
        delay = 2.0 if k % 2 else 0.1
        net.connect(inp, post, ns.FixedProbability(0.5), 0.5, delay, name=name, synapse=rule)
    # per-synapse delays on a plastic projection: a spike history in flight at the save
    rule = ns.synapses.synapse_model("stdp_pair", A_plus=0.05, A_minus=0.05)
    delays = ns.Uniform(0.1, 4.0)
    net.connect(inp, post, ns.FixedProbability(0.5), 0.5, delays, name="delays", synapse=rule)
    net.record_spikes(post)
    net.record_weights("graupner_brunel", every=1.0)
    return net


def mixed_network(folder: Path):
    """Delays longer than a step (constant and drawn), Poisson inputs, a spike
    generator, currents switching after the save, the adex and izhikevich models, and
    every kind of monitor (one streaming to disk)."""
    net = ns.Network(dt=0.1, seed=5)
    inp = net.add_poisson("inp", 20, rate=60.0)
    per_neuron = net.add_poisson("per", 4, rate=[20.0, 40.0, 80.0, 160.0])
    gen = net.add_spike_generator("gen", 3, times=[5.0, 19.5, 21.0, 33.0], indices=[0, 1, 2, 0])
    adex = net.add_population("adex", 5, "adex")
    izh = net.add_population("izh", 5, "izhikevich")
    net.connect(inp, adex, ns.FixedProbability(0.4), weight=3.0, delay=ns.Uniform(0.1, 4.0))
    net.connect(per_neuron, adex, weight=2.0, delay=3.0)
    net.connect(gen, izh, weight=20.0, delay=2.5)
    net.connect(adex, izh, weight=5.0, delay=1.5)
    net.add_current(adex, ns.CurrentInput(times=[0.0, 25.0, 35.0], amplitudes=[300, 900, 0]))
    net.add_current(izh, ns.CurrentInput(8.0, start=22.0, stop=40.0), neurons=[0, 2, 4])
    net.record_spikes(adex, to_disk=folder / "adex_spikes")
    net.record_spikes(izh)
    net.record_state(izh, ["v", "u"], every=0.5)
    net.record_rate(adex)
    return net


# -- what is compared ---------------------------------------------------------------------
def outcome(net) -> dict[str, np.ndarray]:
    """Every array of the network's state, its buffers, counters and recordings."""
    out = {"step": np.array(net.step)}
    for name, pop in net.populations.items():
        for attr in ("S", "I", "rng_state"):
            out[f"pop/{name}/{attr}"] = getattr(pop, attr)
    for name, proj in net.projections.items():
        for attr in ("weight", "rng_state", "S_syn", "S_pre", "S_post"):
            if attr in vars(proj):
                out[f"proj/{name}/{attr}"] = vars(proj)[attr]
    for name in net.buffers:
        out[f"buffer/{name}"] = net.buffers[name]
    for name, value in net.counters().items():
        out[f"count/{name}"] = np.array(value)
    for m, mon in enumerate(net.monitors):
        for c, column in enumerate(mon.recorded()):
            out[f"monitor/{m}/{c}"] = np.asarray(column)
    return out


def continue_in_fresh_process(path: Path, duration: float, tmp: Path, to_disk=None) -> dict:
    out = tmp / "continued.npz"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")])
    args = [sys.executable, "-m", "tests.test_checkpoint", str(path), str(duration), str(out)]
    if to_disk is not None:
        args.append(str(to_disk))
    subprocess.run(args, check=True, env=env, cwd=ROOT, timeout=1200)
    with np.load(out) as saved:
        return {k: saved[k] for k in saved.files}


def assert_identical(expected: dict, actual: dict) -> None:
    assert sorted(expected) == sorted(actual)
    for key in sorted(expected):
        np.testing.assert_array_equal(actual[key], expected[key], err_msg=key)


# -- continuation -------------------------------------------------------------------------
def test_every_rule_continues_bit_for_bit_in_a_fresh_process(tmp_path):
    net = rules_network()
    net.run(T1)
    path = tmp_path / "rules.ckpt"
    net.save(path, monitors=True)
    saved = outcome(net)
    saved = {k: v.copy() for k, v in saved.items()}
    net.run(T2)
    expected = outcome(net)
    assert net.projections["delays"].delay_groups.size > 10
    for rule in ("stdp_pair", "stdp_triplet", "graupner_brunel", "shouval_2002", "delays"):
        key = f"proj/{rule}/weight"
        assert not np.array_equal(expected[key], saved[key]), f"{rule} did not learn after save"
    tm = "proj/tsodyks_markram/S_syn"
    assert not np.array_equal(expected[tm], saved[tm])
    gb = "proj/graupner_brunel/rng_state"
    assert not np.array_equal(expected[gb], saved[gb]), "graupner_brunel drew no noise"
    assert any(np.any(saved[k]) for k in saved if k.startswith("buffer/queue"))
    assert_identical(expected, continue_in_fresh_process(path, T2, tmp_path))


def test_delays_sources_currents_and_models_continue_bit_for_bit(tmp_path):
    net = mixed_network(tmp_path)
    net.run(T1)
    path = tmp_path / "mixed.ckpt"
    net.save(path, monitors=True)
    in_flight = [net.buffers[k] for k in net.buffers if k.startswith("ring/")]
    assert any(np.any(ring) for ring in in_flight), "no spike in flight at the save"
    net.run(T2)
    expected = outcome(net)
    assert expected["count/spikes/adex"] > 0 and expected["count/spikes/izh"] > 0
    actual = continue_in_fresh_process(path, T2, tmp_path, to_disk=tmp_path / "loaded")
    assert_identical(expected, actual)
    files = list((tmp_path / "loaded").glob("monitor0_spikes_adex/*.bin"))
    assert files, "the disk monitor did not stream into its new folder"


def test_monitors_start_empty_unless_their_data_are_saved(tmp_path):
    net = mixed_network(tmp_path)
    net.run(T1)
    net.save(tmp_path / "plain.ckpt")
    loaded = ns.Network.load(tmp_path / "plain.ckpt", to_disk=tmp_path / "again")
    assert loaded.step == net.step
    assert [m.kind for m in loaded.monitors] == [m.kind for m in net.monitors]
    assert all(len(m.t) == 0 for m in loaded.monitors)
    assert len(net.monitors[2].t) > 0
    assert_identical(
        {k: v for k, v in outcome(net).items() if not k.startswith("monitor/")},
        {k: v for k, v in outcome(loaded).items() if not k.startswith("monitor/")},
    )


def modulated_network():
    """A modulator with a rise fed by a spike generator and Poisson releases, read by a
    plastic projection, and per-neuron rows declared on the postsynaptic population."""
    net = ns.Network(dt=0.1, seed=4)
    inp = net.add_poisson("inp", 10, rate=90.0)
    post = net.add_population("post", 4, "lif_cond")
    da = net.add_modulator("da", tau_decay=40.0, tau_rise=5.0)
    net.connect(net.add_spike_generator("reward", 1, [3.0, 26.0], [0, 0]), da, receptor="release")
    net.connect(inp, da, ns.FixedProbability(0.3), weight=0.1, receptor="release")
    rule = ns.synapses.synapse_model("stdp_pair", A_plus=0.05, A_minus=0.05, w_max=5.0)
    net.connect(inp, post, weight=3.0, synapse=rule, modulator=da, name="plastic")
    rows = post.declare_rows((("protein", "1"),), "the test")
    post.neuron_rows[rows[0]] = [0.5, 1.0, 1.5, 2.0]
    net.record_state(da, ["c", "r"])
    return net


def test_modulators_and_neuron_rows_continue_bit_for_bit(tmp_path):
    net = modulated_network()
    net.run(T1)
    path = tmp_path / "modulated.ckpt"
    net.save(path, monitors=True)
    net.run(T2)
    expected = outcome(net)
    expected["pop/post/neuron_rows"] = net.populations["post"].neuron_rows
    assert net.counters()["modulator_events/reward_to_da_release"] == 2
    loaded = ns.Network.load(path)
    assert loaded.projections["plastic"].modulator is loaded.populations["da"]
    assert loaded.populations["post"].neuron_row_names == ("protein",)
    assert_identical(
        {k: v for k, v in expected.items() if k != "pop/post/neuron_rows"},
        continue_in_fresh_process(path, T2, tmp_path),
    )
    np.testing.assert_array_equal(loaded.populations["post"].protein, [0.5, 1.0, 1.5, 2.0])


def main(argv):
    path, duration, out = argv[:3]
    net = ns.Network.load(path, to_disk=argv[3] if len(argv) > 3 else None)
    net.run(float(duration))
    np.savez(out, **outcome(net))


# -- bad files and paths ------------------------------------------------------------------
@pytest.fixture
def saved(tmp_path):
    """A small network saved without running (nothing to compile)."""
    net = ns.Network(dt=0.1, seed=2)
    pop = net.add_population("exc", 4, "lif_cond")
    inp = net.add_poisson("inp", 3, rate=10.0)
    net.connect(inp, pop, weight=1.0, synapse="stdp_pair")
    plastic_only = {"receptor": None, "name": "silent", "synapse": "stdp_triplet"}
    net.connect(inp, pop, ns.FixedProbability(0.5), 0.5, **plastic_only)
    path = tmp_path / "net.ckpt"
    net.save(path)
    return path


def rewrite(src: Path, dst: Path, edit) -> Path:
    """A copy of checkpoint ``src`` whose description (a dict) ``edit`` changed."""
    with np.load(src) as archive:
        members = {k: archive[k] for k in archive.files}
    text = members[checkpoint_file.DESCRIPTION].tobytes().decode()
    description = json.loads(text)
    edit(description)
    blob = np.frombuffer(json.dumps(description).encode(), np.uint8)
    members[checkpoint_file.DESCRIPTION] = blob
    with open(dst, "wb") as fh:
        np.savez(fh, **members)
    return dst


def refused(path, *words):
    with pytest.raises(CheckpointError) as err:
        ns.Network.load(path)
    message = str(err.value)
    assert str(path) in message
    for word in words:
        assert word in message, message
    return message


def test_a_saved_network_loads_with_its_description_and_arrays(saved, tmp_path):
    net = ns.Network.load(saved)
    net.save(tmp_path / "again.ckpt")  # a loaded network saves as the original did
    assert_identical(outcome(ns.Network.load(tmp_path / "again.ckpt")), outcome(net))
    assert net.dt == 0.1 and net.seed == 2 and net.step == 0
    assert list(net.populations) == ["exc", "inp"]
    proj = next(iter(net.projections.values()))
    assert proj.synapse.name == "stdp_pair" and proj.n_synapses == 12
    assert proj.synapse.params == ns.synapses.synapse_model("stdp_pair").params
    assert isinstance(proj.rule, ns.Explicit)
    assert net.projections["silent"].target_row is None


def test_a_file_from_a_machine_of_the_other_byte_order_loads(saved, tmp_path):
    with np.load(saved) as archive:
        members = {k: archive[k] for k in archive.files}
    description = json.loads(members[checkpoint_file.DESCRIPTION].tobytes().decode())
    for key, array in members.items():
        if key != checkpoint_file.DESCRIPTION:
            swapped = array.astype(array.dtype.newbyteorder(">"))
            members[key] = swapped
            description["members"][key][0] = swapped.dtype.str
    text = json.dumps(description).encode()
    members[checkpoint_file.DESCRIPTION] = np.frombuffer(text, np.uint8)
    other = tmp_path / "big_endian.ckpt"
    with open(other, "wb") as fh:
        np.savez(fh, **members)
    mine, theirs = ns.Network.load(saved), ns.Network.load(other)
    assert_identical(outcome(mine), outcome(theirs))
    assert theirs.populations["exc"].S.dtype == np.float64


def test_truncated_file_is_refused(saved, tmp_path):
    data = saved.read_bytes()
    for cut in (len(data) // 2, len(data) - 10, 30):
        bad = tmp_path / f"cut{cut}.ckpt"
        bad.write_bytes(data[:cut])
        refused(bad, "truncated")


def test_corrupt_member_is_refused(saved, tmp_path):
    data = bytearray(saved.read_bytes())
    k = data.index(b"NUMPY", 200) + 200  # inside a member's data
    data[k] ^= 0xFF
    bad = tmp_path / "flipped.ckpt"
    bad.write_bytes(bytes(data))
    refused(bad, "corrupt")


def test_random_bytes_and_foreign_archives_are_refused(tmp_path):
    noise = tmp_path / "noise.ckpt"
    noise.write_bytes(np.random.default_rng(0).bytes(4000))
    refused(noise, "not a neurosim checkpoint")
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, x=np.arange(3))
    refused(foreign, "not a neurosim checkpoint")
    objects = tmp_path / "objects.npz"
    np.savez(objects, __checkpoint__=np.array([{"a": 1}], dtype=object))
    refused(objects, "corrupt")  # pickled objects are never loaded
    refused(tmp_path / "absent.ckpt", "no such file")


def test_future_format_is_refused(saved, tmp_path):
    def future(d):
        d["format_version"] = checkpoint_file.FORMAT_VERSION + 1
        d["neurosim_version"] = "99.0"

    bad = rewrite(saved, tmp_path / "future.ckpt", future)
    refused(bad, f"format {checkpoint_file.FORMAT_VERSION + 1}", "99.0")


def test_unknown_model_and_rule_are_named(saved, tmp_path):
    def model(d):
        d["populations"][0]["model"]["name"] = "lif_unheard_of"

    refused(rewrite(saved, tmp_path / "model.ckpt", model), "'lif_unheard_of'", "population 'exc'")

    def rule(d):
        d["projections"][0]["synapse"]["name"] = "stdp_unheard_of"

    refused(rewrite(saved, tmp_path / "rule.ckpt", rule), "'stdp_unheard_of'")


def test_arrays_that_do_not_fit_the_description_are_refused(saved, tmp_path):
    def size(d):
        d["populations"][0]["n"] = 7

    refused(rewrite(saved, tmp_path / "size.ckpt", size), "population 'exc' state S", "(4, 7)")

    def manifest(d):
        key = d["populations"][0]["arrays"]["S"]
        d["members"][key][1] = [1, 1]

    refused(rewrite(saved, tmp_path / "manifest.ckpt", manifest), "manifest")

    def param(d):
        d["populations"][0]["model"]["params"]["tau_m"] = -1.0

    refused(rewrite(saved, tmp_path / "param.ckpt", param), "tau_m")

    def method(d):
        d["populations"][0]["values"]["set"] = 1

    refused(rewrite(saved, tmp_path / "method.ckpt", method), "'set' cannot be set")

    def twice(d):
        d["projections"][1]["name"] = d["projections"][0]["name"]

    refused(rewrite(saved, tmp_path / "twice.ckpt", twice), "same name")


def test_bad_paths_are_refused_before_anything_is_written(saved, tmp_path):
    net = ns.Network.load(saved)
    with pytest.raises(CheckpointError, match="does not exist"):
        net.save(tmp_path / "missing" / "x.ckpt")
    assert not (tmp_path / "missing").exists()
    with pytest.raises(CheckpointError, match="is a folder"):
        net.save(tmp_path)
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        try:
            with pytest.raises(CheckpointError, match="not writable"):
                net.save(locked / "x.ckpt")
        finally:
            locked.chmod(0o700)
    with pytest.raises(CheckpointError, match="brian2"):
        ns.Network(backend="brian2").save(tmp_path / "b.ckpt")


def test_a_failed_save_keeps_the_earlier_file_and_leaves_no_partial_one(
    saved, tmp_path, monkeypatch
):
    before = saved.read_bytes()
    net = ns.Network.load(saved)

    class Unregistered(LIF):
        name = "lif_private"

    net.add_population("extra", 2, Unregistered())
    with pytest.raises(CheckpointError, match="lif_private"):
        net.save(saved)
    assert saved.read_bytes() == before

    def fail(fh, **arrays):
        fh.write(b"PK\x03\x04 partial")
        raise OSError("disk full")

    good = ns.Network.load(saved)
    monkeypatch.setattr(checkpoint_file.np, "savez", fail)
    with pytest.raises(CheckpointError, match="disk full"):
        good.save(saved)
    assert saved.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.ckpt"]


if __name__ == "__main__":
    main(sys.argv[1:])
