"""Tsodyks–Markram short-term plasticity against the iterated map."""

import numpy as np
import pytest

import neurosim as ns
from neurosim.synapses import TsodyksMarkram
from tests.synapses.reference import tsodyks_markram_releases


@pytest.mark.parametrize(
    "name", ["tsodyks_markram_1998_depressing", "tsodyks_markram_1998_facilitating"]
)
def test_released_fraction_follows_the_iterated_map(name):
    times = [10.0, 30.0, 50.0, 70.0, 90.0, 400.0, 420.0]
    net = ns.Network(seed=1)
    gen = net.add_spike_generator("gen", 1, times, np.zeros(len(times), int))
    post = net.add_population("post", 1, "lif")
    proj = net.connect(gen, post, weight=100.0, synapse=name)
    mon = net.record_state(post, "I_syn_ex")
    net.run(500.0)
    p = proj.synapse.params
    r = tsodyks_markram_releases(times, p.U, p.tau_d, p.tau_f)
    # the synaptic current jumps by w * r one step after each spike
    i_syn = mon.I_syn_ex[:, 0]
    for t, rk in zip(times, r, strict=True):
        k = int(round(t / 0.1)) + 1
        jump = i_syn[k] - i_syn[k - 1] * np.exp(-0.1 / 2.0)
        assert jump == pytest.approx(100.0 * rk, rel=1e-9)
    if p.tau_f == 0:
        assert r[1] < r[0]  # depression
    else:
        assert r[1] > r[0]  # facilitation


def test_release_probability_is_per_synapse_state():
    net = ns.Network(seed=1)
    gen = net.add_spike_generator("gen", 1, [1.0], [0])
    post = net.add_population("post", 2, "lif")
    proj = net.connect(gen, post, weight=10.0, synapse=TsodyksMarkram(U=0.5))
    proj.U = [0.2, 0.9]
    mon = net.record_state(post, "I_syn_ex")
    net.run(2.0)
    assert mon.I_syn_ex[11].tolist() == pytest.approx([2.0, 9.0])
