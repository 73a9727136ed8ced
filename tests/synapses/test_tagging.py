"""Synaptic tagging and capture (``tagging_capture``) and the Frey & Morris experiment.

References: a step-by-step integration of the same equations (tests/synapses/
tagging_reference.py, the authors' scheme with small steps), stepping for the
fast-forward (bit for bit), an uninterrupted run for checkpoints (bit for bit), and
the criteria of Frey & Morris 1997 (reference note, section 6)."""

from __future__ import annotations

import numpy as np
import pytest

import neurosim as ns
from neurosim.experiments import tagging_capture as tc
from neurosim.synapses import block_protein_synthesis, protein_at, synapse_model
from tests.synapses import tagging_reference

HOUR = tc.HOUR


def _compare(protocol, block):
    model = synapse_model("luboeinski_tetzlaff_2021_slices", sigma=0.0)
    sched = tc.schedule(protocol, 1.0)
    last = max(sched["end"].values())
    readouts = np.array([sched["end"]["s1"] + tc.EARLY, last + 1 * HOUR, last + 3 * HOUR])
    readouts = np.append(readouts, last + 8 * HOUR)
    got = tc.simulate(sched, readouts, synapses=1, rule=model, dt=0.2, block=block)
    p = model.params
    arrivals = [sched[path] + p.D for path in ("s1", "s2")]
    spans = [(sched["stet"] - tc.BLOCK_BEFORE, sched["stet"] + tc.BLOCK_AFTER)] if block else []
    ref_w, _ = tagging_reference.simulate(p, arrivals, readouts, spans)
    return got, ref_w / p.h0 - 1.0


@pytest.mark.parametrize("block", [False, True])
def test_event_driven_rule_matches_a_step_by_step_integration(block):
    got, ref = _compare("stet_then_wtet", block)
    # changes of order 1; the reference's steps (0.05 ms, 0.5 s) and the transient
    # approximation of the tag leave < 2e-3 of difference
    np.testing.assert_allclose(got, ref, rtol=0, atol=2e-3)
    assert ref[0, -1] > (0.5 if not block else -1)  # the comparison covers late LTP


FAST = dict(tau_h=6884.0, tau_p=36000.0, tau_z=36000.0, sigma=2.90436, C_pre=1.0)


def _fast_network(seed=3, **overrides):
    """Two pathways of 3 synapses onto 3 neurons, time constants 100x shorter."""
    net = ns.Network(dt=0.5, seed=seed)
    post = net.add_spike_generator("cells", 3, np.zeros(0), np.zeros(0, dtype=int))
    strong = np.concatenate([100.0 + 10 * np.arange(100), 6000.0 + 10 * np.arange(100)])
    weak = 20_000.0 + 10 * np.arange(21)
    projs = []
    for name, times in (("s1", strong), ("s2", weak)):
        src = net.add_spike_generator(
            name, 3, np.repeat(times, 3), np.tile(np.arange(3), times.size)
        )
        rule = synapse_model("tagging_capture", **{**FAST, **overrides})
        wiring = ns.Explicit(np.arange(3), np.arange(3))
        projs.append(
            net.connect(src, post, wiring, weight=rule.params.h0, receptor=None, synapse=rule)
        )
    block_protein_synthesis(net, post, 10_000.0, 15_000.0, level=0.5)
    return net, post, projs


def _state(net, post, projs):
    out = {"rows": post.neuron_rows.copy(), "step": net.step}
    for k, proj in enumerate(projs):
        for attr in ("weight", "S_syn", "S_post", "rng_state"):
            out[f"{k}/{attr}"] = getattr(proj, attr).copy()
    return out


def test_fast_forward_is_bit_for_bit_stepping_across_protein_flips():
    runs = []
    for ff in (False, True):
        net, post, projs = _fast_network()
        for t in (25_000.0, 200_000.0, 600_000.0):  # flips of the source inside the jumps
            net.run(t - net.t, fast_forward=ff)
        runs.append(_state(net, post, projs))
    stepped, jumped = runs
    assert stepped["rows"][0].max() > 0.1  # protein was made
    # its source switched off in the quiet after the block (15 s) and the last input
    assert stepped["rows"][1].min() > 25_000.0 / 0.5
    for key in stepped:
        np.testing.assert_array_equal(jumped[key], stepped[key], err_msg=key)


def test_checkpoint_continues_bit_for_bit(tmp_path):
    net, post, projs = _fast_network()
    net.run(20_500.0)
    path = tmp_path / "stc.ckpt"
    net.save(path)
    net.run(100_000.0, fast_forward=True)
    expected = _state(net, post, projs)
    loaded = ns.Network.load(path)
    names = ("s1_to_cells_plastic", "s2_to_cells_plastic")
    lprojs = [loaded.projections[n] for n in names]
    loaded.run(100_000.0, fast_forward=True)
    got = _state(loaded, loaded.populations["cells"], lprojs)
    for key in expected:
        np.testing.assert_array_equal(got[key], expected[key], err_msg=key)


def test_protein_read_out_follows_its_closed_form():
    # without noise and with the published tau_h the source switches on once
    net, post, projs = _fast_network(sigma=0.0, tau_h=688400.0)
    net.run(1500.0)
    rows = post.neuron_row_names
    step = post.neuron_rows[rows.index("protein_step")]
    assert np.all(step > 0) and np.all(post.neuron_rows[rows.index("protein_source")] == 1.0)
    t = (net.step - step) * net.dt
    np.testing.assert_allclose(protein_at(post, net.step, FAST["tau_p"]), 1 - np.exp(-t / 36000.0))


@pytest.fixture(scope="module")
def frey_morris():
    """The protocols at reduced size, 3 seeds each."""
    kw = dict(seeds=3, synapses=10, readout_h=(0.17, 1.0, 3.0, 4.0, 8.0), curve_min=120.0)
    cases = {
        "wtet": tc.run("wtet", **kw),
        "stet": tc.run("stet", **kw),
        "stet_then_wtet": tc.run("stet_then_wtet", gap_h=1.0, **kw),
        "stet_block": tc.run("stet", protein_block=True, **kw),
        "weak_first_15min": tc.run("wtet_then_stet", gap_h=0.25, **kw),
        "weak_first_3h": tc.run("wtet_then_stet", gap_h=3.0, **kw),
    }
    return {k: r.summary for k, r in cases.items()}


def _at(summary, path, hours):
    return summary[f"{path}_change"][summary["readout_h"].index(hours)]


def test_weak_tetanus_alone_decays_to_baseline(frey_morris):
    s = frey_morris["wtet"]
    assert s["s2_early"] > 0.2  # early LTP
    assert _at(s, "s2", 4.0) < 0.2 * s["s2_early"]
    assert abs(_at(s, "s1", 8.0)) < 0.1 * s["s2_early"]  # untetanised control


def test_strong_tetanus_lasts_eight_hours(frey_morris):
    s = frey_morris["stet"]
    assert _at(s, "s1", 8.0) >= 0.7 * s["s1_early"]
    assert all(abs(v) < 0.1 for v in s["s2_change"])  # control pathway at baseline


def test_weak_tetanus_after_strong_one_is_converted_to_late_ltp(frey_morris):
    weak, pair = frey_morris["wtet"], frey_morris["stet_then_wtet"]
    assert _at(pair, "s2", 8.0) >= 0.7 * pair["s2_early"]
    assert _at(pair, "s2", 8.0) > 5 * _at(weak, "s2", 8.0) + 0.1


def test_protein_synthesis_block_leaves_only_early_ltp(frey_morris):
    s = frey_morris["stet_block"]
    assert s["s1_early"] > 0.3
    assert _at(s, "s1", 8.0) < 0.2 * s["s1_early"]


def test_the_tag_of_a_weak_tetanus_lasts_less_than_three_hours(frey_morris):
    # Frey & Morris 1997: a later strong tetanus rescues the weak one's potentiation
    # only while its tag lasts, which is less than three hours
    soon, late = frey_morris["weak_first_15min"], frey_morris["weak_first_3h"]
    assert _at(soon, "s2", 8.0) >= 0.5 * soon["s2_early"]
    assert _at(late, "s2", 8.0) < 0.2 * late["s2_early"]


def test_the_experiment_reports_its_keys(frey_morris):
    s = frey_morris["stet_then_wtet"]
    for key in ("readout_h", "s1_change", "s2_change", "s1_early", "s2_early", "n_seeds"):
        assert key in s
    assert s["n_seeds"] == 3 and len(s["s1_change"]) == len(s["readout_h"])
    assert frey_morris["wtet"]["s1_early"] is None


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="protocol = 'theta'"):
        tc.run("theta")
    with pytest.raises(ValueError, match="gap_h"):
        tc.schedule("stet_then_wtet", -1.0)
    with pytest.raises(ValueError, match="theta_d = 3.5"):
        synapse_model("tagging_capture", theta_d=3.5)
    net, post, _ = _fast_network()
    with pytest.raises(ValueError, match="level = 2"):
        block_protein_synthesis(net, post, 0.0, 10.0, level=2)
    with pytest.raises(ValueError, match="stop = 5.0 ms"):
        block_protein_synthesis(net, post, 10.0, 5.0)
    other = net.add_spike_generator("other", 2, np.zeros(0), np.zeros(0, dtype=int))
    with pytest.raises(ValueError, match="'other' has no afferents"):
        block_protein_synthesis(net, other, 0.0, 10.0)


@pytest.mark.slow
def test_full_size_frey_morris_reproduction():
    full = {p: tc.run(p).summary for p in ("wtet", "stet", "stet_then_wtet")}
    blocked = tc.run("stet", protein_block=True).summary
    assert _at(full["wtet"], "s2", 4.0) < 0.2 * full["wtet"]["s2_early"]
    assert _at(full["stet"], "s1", 8.0) >= 0.7 * full["stet"]["s1_early"]
    assert _at(full["stet_then_wtet"], "s2", 8.0) >= 0.7 * full["stet_then_wtet"]["s2_early"]
    assert _at(blocked, "s1", 8.0) < 0.2 * blocked["s1_early"]


def _transmitted(synapse):
    """Membrane potential of a LIF neuron after three spikes through one synapse."""
    net = ns.Network(dt=0.1, seed=0)
    src = net.add_spike_generator("pre", 1, [5.0, 15.0, 25.0], [0, 0, 0])
    cell = net.add_population("cell", 1, "lif")
    weight = 4.20075 * 1.5 if synapse is None else 4.20075
    proj = net.connect(src, cell, weight=weight, synapse=synapse)
    if synapse is not None:
        proj.z = 0.5  # the weight follows: h + h0 z
    monitor = net.record_state(cell, "v")
    net.run(40.0)
    return proj, np.asarray(monitor.v)


def test_transmission_sends_early_plus_late_weight():
    proj, plastic = _transmitted(synapse_model("luboeinski_tetzlaff_2021", sigma=0.0))
    _, static = _transmitted(None)
    np.testing.assert_allclose(proj.weight, 4.20075 * 1.5, rtol=1e-12)
    assert np.ptp(static) > 0
    np.testing.assert_array_equal(plastic, static)
