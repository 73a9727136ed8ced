"""Pair and triplet STDP against hand-worked values and a spike-by-spike reference."""

import math

import numpy as np
import pytest

import neurosim as ns
from neurosim.synapses import PairSTDP, TripletSTDP, synapse_model
from tests.synapses.reference import triplet_weight


def plastic_pair(pre_times, post_times, synapse, w0=0.5, delay=None):
    net = ns.Network(seed=1)
    pre = net.add_spike_generator("pre", 1, pre_times, np.zeros(len(pre_times), int))
    post = net.add_spike_generator("post", 1, post_times, np.zeros(len(post_times), int))
    proj = net.connect(pre, post, weight=w0, receptor=None, synapse=synapse, delay=delay)
    net.run(max([*pre_times, *post_times]) + 50.0)
    return proj, net


@pytest.mark.parametrize("delta", [-30.0, -10.0, 0.0, 10.0, 30.0])
def test_pair_window_additive(delta):
    rule = PairSTDP(A_plus=0.01, A_minus=0.012)
    proj, net = plastic_pair([100.0], [100.0 + delta], rule)
    if delta >= 0:  # pre first (or together: pre events come first): potentiation
        expected = 0.5 + 0.01 * math.exp(-delta / 16.8)
    else:
        expected = 0.5 - 0.012 * math.exp(delta / 33.7)
    assert proj.weight[0] == pytest.approx(expected, abs=1e-12)
    assert net.counters()["plasticity_updates/pre_to_post_plastic"] == 2


def test_pair_multiplicative_and_bounds():
    rule = PairSTDP(A_plus=0.5, A_minus=0.5, mu_plus=1.0, mu_minus=1.0, w_max=2.0)
    proj, _ = plastic_pair([100.0], [110.0], rule, w0=1.5)
    x = math.exp(-10 / 16.8)
    assert proj.weight[0] == pytest.approx(1.5 + 2.0 * 0.5 * (1 - 1.5 / 2.0) * x, abs=1e-12)
    proj, _ = plastic_pair(
        [100.0 + 20 * k for k in range(50)],
        [101.0 + 20 * k for k in range(50)],
        PairSTDP(A_plus=0.5, w_max=2.0),
        w0=1.9,
    )
    assert proj.weight[0] == 2.0  # clipped at w_max
    with pytest.raises(ValueError, match=r"initial weights must lie in \[w_min, w_max\]"):
        plastic_pair([1.0], [2.0], PairSTDP(w_max=1.0), w0=3.0)


def test_nearest_versus_all_to_all():
    pre, post = [100.0, 105.0], [110.0]
    all_proj, _ = plastic_pair(pre, post, PairSTDP())
    near_proj, _ = plastic_pair(pre, post, PairSTDP(interaction="nearest"))
    x_all = math.exp(-10 / 16.8) + math.exp(-5 / 16.8)
    assert all_proj.weight[0] == pytest.approx(0.5 + 0.01 * x_all, abs=1e-12)
    assert near_proj.weight[0] == pytest.approx(0.5 + 0.01 * math.exp(-5 / 16.8), abs=1e-12)


def test_plastic_delay_shifts_the_presynaptic_event():
    # delay of 3 steps: the presynaptic event reaches the synapse 2 steps later than
    # with the minimal delay, so the effective timing is delta - 0.2 ms
    proj, _ = plastic_pair([100.0], [110.0], PairSTDP(), delay=0.3)
    assert proj.weight[0] == pytest.approx(0.5 + 0.01 * math.exp(-9.8 / 16.8), abs=1e-12)


@pytest.mark.parametrize(
    "name",
    [
        "pfister_gerstner_2006_visual_cortex_all_to_all_full",
        "pfister_gerstner_2006_hippocampal_nearest_full",
    ],
)
def test_triplet_matches_spike_by_spike_reference(name):
    rng = np.random.default_rng(3)
    pre = np.unique(np.round(np.sort(rng.uniform(0, 2000, 40)), 1))
    post = np.unique(np.round(np.sort(rng.uniform(0, 2000, 40)), 1))
    rule = synapse_model(name)
    proj, _ = plastic_pair(pre.tolist(), post.tolist(), rule, w0=1.0)
    assert proj.weight[0] == pytest.approx(triplet_weight(pre, post, rule.params, 1.0), abs=1e-12)


def test_stdp_transmits_weight_before_depression():
    net = ns.Network(seed=1)
    gen = net.add_spike_generator("gen", 1, [5.0], [0])
    post = net.add_population("post", 1, "lif")
    proj = net.connect(gen, post, weight=0.8, synapse=PairSTDP(w_max=1.0))
    mon = net.record_state(post, "I_syn_ex")
    net.run(10.0)
    assert mon.I_syn_ex[51, 0] == pytest.approx(0.8)
    assert proj.weight[0] == 0.8  # no post spike: y_post = 0, no change


def test_triplet_protocol_against_sjostrom_data():
    # Pfister & Gerstner 2006 fit the visual-cortex set to Sjöström et al. 2001:
    # 60 pairs at +-10 ms; the model must lie within 2 s.e.m. of every data point.
    from neurosim.experiments.stdp_protocols import SJOSTROM_2001, stdp_triplets

    res = stdp_triplets(synapses=2)
    for delta, curve in zip(res.summary["delta_t_ms"], res.summary["synaptic_change"], strict=True):
        for f, value in zip(res.summary["frequency_hz"], curve, strict=True):
            mean, sem = SJOSTROM_2001[delta][f]
            assert abs(value - mean) <= 2 * sem, (delta, f, value, mean)


def test_rules_reject_bad_parameters():
    with pytest.raises(ValueError, match="w_min"):
        PairSTDP(w_min=2.0, w_max=1.0)
    with pytest.raises(ValueError, match="interaction"):
        TripletSTDP(interaction="some")
    with pytest.raises(ValueError, match="unknown synapse model"):
        synapse_model("stdp_quadruplet")
    net = ns.Network()
    a = net.add_population("a", 2, "lif")
    # per-synapse delays are accepted since plastic projections support them
    # (tests/synapses/test_plastic_delays.py); a bad delay is still refused
    proj = net.connect(a, a, delay=[0.1, 0.2, 0.3, 0.4], synapse="stdp_pair", weight=0.5)
    assert sorted(proj.delay_steps.tolist()) == [1, 2, 3, 4]
    with pytest.raises(ValueError, match="delay must be >= dt"):
        net.connect(a, a, delay=[0.1, 0.2, 0.3, 0.0], synapse="stdp_pair", weight=0.5)
