"""Monitors: sampling, on/off between runs, streaming to disk, rates, weights, plots."""

import gc
import json
import os

import numpy as np
import pytest

import neurosim as ns
from neurosim import plotting


def driven(net, n=20):
    pop = net.add_population("n", n, "lif")
    net.add_current(pop, ns.CurrentInput(np.linspace(400.0, 900.0, n)))
    return pop


def test_state_monitor_every_and_subset(net):
    pop = driven(net)
    full = net.record_state(pop, ["v", "I_syn_ex"])
    sub = net.record_state(pop, "v", neurons=[3, 7], every=0.5)
    net.run(20.0)
    assert full.v.shape == (200, 20) and np.allclose(full.t, np.arange(200) * 0.1)
    assert np.allclose(sub.t, np.arange(0, 20, 0.5))
    assert np.array_equal(sub.v, full.v[::5][:, [3, 7]])
    with pytest.raises(KeyError, match="not recorded"):
        sub["I_syn_ex"]


def test_monitor_switched_off_between_runs(net):
    pop = driven(net)
    spk = net.record_spikes(pop)
    st = net.record_state(pop, "v", neurons=[0], every=1.0)
    net.run(50.0)
    n1 = len(spk.t)
    spk.active = st.active = False
    net.run(50.0)
    assert len(spk.t) == n1 and len(st.t) == 50
    spk.active = st.active = True
    net.run(50.0)
    assert spk.t[n1:].min() >= 100.0
    assert st.t[50] == 100.0


def test_streaming_to_disk_equals_in_memory(tmp_path, monkeypatch):
    from neurosim.engine import loop

    monkeypatch.setattr(loop, "CHUNK_STEPS", 333)  # many chunks
    results = []
    for folder in (None, tmp_path):
        net = ns.Network(seed=2)
        pop = driven(net)
        kw = {} if folder is None else {"to_disk": folder / "spk"}
        spk = net.record_spikes(pop, **kw)
        kw = {} if folder is None else {"to_disk": folder / "v"}
        st = net.record_state(pop, "v", every=0.2, **kw)
        net.run(300.0)
        results.append((spk.t, spk.i, st.t, st.v))
    for a, b in zip(results[0], results[1], strict=True):
        assert np.array_equal(a, b)
    assert (
        isinstance(results[1][3], np.ndarray) and (tmp_path / "v" / "values.bin").stat().st_size > 0
    )


def test_rate_monitor_counts_spikes(net):
    pop = driven(net)
    spk = net.record_spikes(pop)
    rate = net.record_rate(pop)
    net.run(100.0)
    assert rate.counts.sum() == len(spk.t)
    assert rate.rate.mean() == pytest.approx(len(spk.t) / (20 * 0.1), rel=1e-12)
    assert rate.smoothed(5.0).shape == rate.t.shape


def test_weight_monitor_records_chosen_synapses(net):
    a = net.add_population("a", 3, "lif")
    proj = net.connect(a, a, ns.AllToAll(), weight=np.arange(9.0))
    wm = net.record_weights(proj, synapses=[1, 5], every=1.0)
    net.run(5.0)
    assert wm.w.shape == (5, 2) and np.all(wm.w == proj.weight[[1, 5]])


def test_plots_draw_headless(net):
    pop = driven(net)
    spk, st, rt = net.record_spikes(pop), net.record_state(pop, "v", [0, 1]), net.record_rate(pop)
    net.run(50.0)
    ax = plotting.raster(spk)
    assert len(ax.lines[0].get_xdata()) == len(spk.t)
    ax = plotting.traces(st, "v")
    assert len(ax.lines) == 2 and ax.get_ylabel() == "v (mV)"
    ax = plotting.rates(rt, width=2.0)
    assert np.allclose(ax.lines[0].get_ydata(), rt.smoothed(2.0))


def test_each_monitor_owns_its_folder(tmp_path, net):
    pop = driven(net)
    spk = net.record_spikes(pop, to_disk=tmp_path / "spk")
    with pytest.raises(ValueError, match=r"another monitor.*spikes monitor of 'n'"):
        net.record_spikes(pop, neurons=[0], to_disk=tmp_path / "spk")
    with pytest.raises(ValueError, match=r"another monitor.*rate monitor of 'n'"):
        net.record_rate(pop, to_disk=tmp_path / "spk")
    with pytest.raises(ValueError, match="another monitor"):  # another network's monitor too
        other = ns.Network(seed=1)
        other.record_spikes(driven(other), to_disk=tmp_path / "spk")
    st = net.record_state(pop, "v", to_disk=tmp_path / "v")
    rate = net.record_rate(pop, to_disk=tmp_path / "rate")
    net.run(50.0)
    assert len(spk.t) > 0 and len(st.t) == len(rate.t) == 500
    assert sorted(p.name for p in (tmp_path / "spk").iterdir()) == [
        "monitor.json",
        "spike_indices.bin",
        "spike_indices.json",
        "spike_steps.bin",
        "spike_steps.json",
    ]


def test_sampled_monitors_stay_aligned_after_a_failed_run(net):
    # conductances of 1e308 nS onto both receptors make dV = inf - inf = NaN at 20 ms
    cell = net.add_population("cell", 2, "adex")
    gen = net.add_spike_generator("gen", 1, [20.0], [0])
    exc = net.connect(gen, cell, weight=1e308)
    net.connect(gen, cell, weight=1e308, receptor="inh")
    st = net.record_state(cell, "v")
    w = net.record_weights(exc)
    for _ in range(2):
        with pytest.raises(ns.SimulationError, match="'cell'"):
            net.run(50.0)
        assert len(st.t) == len(st.v) == len(w.t) == len(w.w) == net.step


def test_a_finished_monitors_folder_is_reused_and_a_foreign_one_refused(tmp_path):
    def record():
        net = ns.Network(dt=0.1, seed=3)
        pop = driven(net)
        mon = net.record_spikes(pop, to_disk=tmp_path / "spk")
        net.run(20.0)
        return mon, np.asarray(mon.t).copy()

    first, t1 = record()
    del first  # a script run again: the earlier monitor is gone, its folder is reused
    gc.collect()
    second, t2 = record()
    np.testing.assert_array_equal(t1, t2)
    assert len(t2) > 0
    # a claim by a live process other than this one is respected
    owner = tmp_path / "spk" / "monitor.json"
    owner.write_text(json.dumps({"pid": os.getppid(), "token": "x"}))
    with pytest.raises(ValueError, match="another monitor"):
        record()
    (tmp_path / "own").mkdir()
    (tmp_path / "own" / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="other files"):
        net = ns.Network(seed=1)
        net.record_rate(driven(net), to_disk=tmp_path / "own")
