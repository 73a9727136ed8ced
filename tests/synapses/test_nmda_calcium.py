"""Shouval, Bear & Cooper 2002: Omega and eta, clock-driven reference, rate dependence."""

import math

import numpy as np
import pytest

import neurosim as ns
from neurosim.synapses import Shouval2002
from neurosim.synapses.nmda_calcium import eta, omega
from tests.synapses.reference import shouval_kernel_mode


def test_omega_and_learning_rate_by_hand():
    rule = Shouval2002()
    P = rule.constants(0.1)
    sig = lambda x: 1 / (1 + math.exp(-80 * x))  # noqa: E731
    for ca in (0.0, 0.3, 0.45, 0.6, 1.0):
        assert omega(ca, P) == pytest.approx(0.25 + sig(ca - 0.55) - 0.25 * sig(ca - 0.35))
        assert eta(ca, P) == pytest.approx(1 / (1000 * (0.1 / (1e-5 + ca**3) + 1.0)))
    # low calcium depresses (Omega < 0.25 = Omega(0)), high calcium potentiates
    assert omega(0.45, P) < 0.1 < 0.9 < omega(1.0, P)


def run_kernel_protocol(pre, post, T, **params):
    net = ns.Network(seed=1, dt=0.1)
    src = net.add_spike_generator("pre", 1, pre, np.zeros(len(pre), int))
    dst = net.add_spike_generator("post", 1, post, np.zeros(len(post), int))
    proj = net.connect(
        src, dst, weight=0.25, receptor=None, synapse=Shouval2002(voltage="kernel", **params)
    )
    net.run(T)
    proj.synchronize()
    return proj.weight[0], proj.synapse.params


def test_matches_clock_driven_reference_for_a_pairing_train():
    pre = [20.0, 120.0, 220.0]
    post = [30.0, 130.0, 230.0]
    w, p = run_kernel_protocol(pre, post, 1500.0, epsp_amplitude=10.0)
    ref = shouval_kernel_mode(pre, post, p, 0.25, 1500.0, h=0.1)
    assert w == pytest.approx(ref, abs=1e-9)
    assert abs(w - 0.25) > 1e-3  # the protocol changed the weight


def test_rate_dependence_depression_low_potentiation_high():
    # Shouval et al. 2002 Fig. 3B: 100 presynaptic pulses; low rates depress, high
    # rates potentiate (EPSP 10 mV, no postsynaptic spikes).
    def final_weight(f):
        t = 100 + np.arange(100) * 1000.0 / f
        return run_kernel_protocol(t, [], t[-1] + 3000.0, epsp_amplitude=10.0)[0]

    assert final_weight(1.0) < 0.2 and final_weight(3.0) < 0.2
    assert final_weight(20.0) > 0.5


def test_membrane_mode_reads_the_neuron_and_needs_one():
    net = ns.Network()
    a = net.add_spike_generator("a", 1, [1.0], [0])
    b = net.add_population("b", 1, "lif_cond")
    proj = net.connect(a, b, weight=1.0, synapse="shouval_2002")
    mon = net.record_state(b, "g_e")
    net.run(5.0)
    assert mon.g_e[11, 0] == pytest.approx(1.0)
    assert proj.Ca[0] > 0  # calcium entered through NMDA receptors at rest
    with pytest.raises(ValueError, match="voltage='kernel'"):
        net.connect(a, a, receptor=None, synapse="shouval_2002")
