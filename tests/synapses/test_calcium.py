"""Graupner–Brunel: event-driven scheme vs clock-driven integration, noise statistics,
and the published STDP window and frequency curves."""

import math

import numpy as np
import pytest

import neurosim as ns
from neurosim.experiments.stdp_protocols import GB_DP_WINDOW, SJOSTROM_2001, run_patterns
from neurosim.synapses import GraupnerBrunel, synapse_model
from tests.synapses.reference import gb_clock_driven


def gb_network(pre_times, post_times, rule, rho0):
    net = ns.Network(seed=4)
    n = len(rho0)
    pre = net.add_spike_generator("pre", 1, pre_times, np.zeros(len(pre_times), int))
    post = net.add_spike_generator(
        "post", n, np.repeat(post_times, n), np.tile(np.arange(n), len(post_times))
    )
    proj = net.connect(pre, post, receptor=None, synapse=rule)
    proj.rho = rho0
    return net, proj


@pytest.mark.parametrize("delta", [-15.0, 10.0])
def test_event_driven_matches_clock_driven_without_noise(delta):
    # Five pairs at 5 Hz with a short tau so that rho moves a lot; the event-driven
    # scheme neglects the cubic term above threshold: its error against RK4 of the full
    # equation at h = 0.01 ms was measured at 2.3e-4 in rho (for changes of up to 0.6;
    # 4e-5 with the published tau = 150 s); the test allows 5e-4.
    rule = GraupnerBrunel(sigma=0.0, tau=2000.0)
    p = rule.params
    pre = [100.0 + 200.0 * k for k in range(5)]
    post = [t + delta for t in pre]
    rho0 = np.array([0.1, 0.3, 0.45, 0.6, 0.9])
    net, proj = gb_network(pre, post, rule, rho0)
    T = 1100.0
    net.run(T)
    proj.synchronize()
    events = [(t + p.D, p.C_pre) for t in pre] + [(t, p.C_post) for t in post]
    for k, r0 in enumerate(rho0):
        ref = gb_clock_driven(events, r0, p, T, h=0.01)
        assert abs(proj.rho[k] - ref) < 5e-4, (r0, proj.rho[k], ref)
    # the changes themselves are large, so the comparison is meaningful
    assert np.max(np.abs(proj.rho - rho0)) > 0.1


@pytest.mark.parametrize("tau", [1000.0, 1e6])
def test_subthreshold_cubic_flow_is_exact(tau):
    # tau = 1e6 ms: 3 s is below 0.01 * 2 tau, so 1 - exp(-t/(2 tau)) comes from its
    # series; tau = 1 s: from the exponential
    rule = GraupnerBrunel(sigma=0.0, tau=tau)
    rho0 = np.array([-0.1, 0.2, 0.49, 0.51, 0.8, 1.2])
    net, proj = gb_network([], [], rule, rho0)
    net.run(3000.0)
    proj.synchronize()
    for k, r0 in enumerate(rho0):
        ref = gb_clock_driven([], r0, rule.params, 3000.0, h=0.5)
        assert proj.rho[k] == pytest.approx(ref, abs=1e-9)


def test_series_and_exponential_branches_of_the_block_update_agree():
    # The block update takes 1 - e^(-a) from a series when every gap of the block is
    # short, and the decay between the thresholds from one when its argument is
    # bounded by 0.01 (the DP set); forcing the exponentials gives the same states.
    from numba import njit

    from neurosim.synapses.calcium import BAND_ARG as _BAND_ARG
    from neurosim.synapses.calcium import _advance_block

    @njit
    def advance(c, rho, last, n, P, z, short_gaps):
        _advance_block(c, rho, last, n, 1.0, P, z, short_gaps)

    rule = synapse_model("graupner_brunel_2012_dp")
    P = rule.constants(0.1)
    assert P[_BAND_ARG] < 0.01
    rng = np.random.default_rng(3)
    m = 4096
    c0, rho0 = rng.uniform(0.0, 6.0, m), rng.uniform(-0.1, 1.1, m)
    last0 = 5000.0 - rng.integers(0, 2000, m)  # gaps up to 200 ms
    z = rng.standard_normal(m)
    states = []
    for short_gaps, band_arg in ((True, P[_BAND_ARG]), (False, 1.0)):
        Q = P.copy()
        Q[_BAND_ARG] = band_arg
        c, rho, last = c0.copy(), rho0.copy(), last0.copy()
        advance(c, rho, last, 5000.0, Q, z, short_gaps)
        states.append((c, rho))
    (c1, r1), (c2, r2) = states
    assert np.max(np.abs(r1 - r2)) < 1e-14 and np.max(np.abs(c1 - c2)) < 1e-14
    assert np.max(np.abs(r1 - rho0)) > 0.05  # the update did something


def test_blocks_of_many_afferents_match_single_synapses():
    # 600 synapses onto one neuron (the postsynaptic pass gathers them in blocks of 256
    # and pads the last) against 600 separate pre/post pairs with the same spike times
    # (blocks of one synapse), without noise: the same states to rounding.
    rule = GraupnerBrunel(sigma=0.0, tau=2000.0)
    rng = np.random.default_rng(5)
    n = 600
    pre_t = np.round(rng.uniform(5.0, 300.0, (n, 3)), 1)
    post_t = np.array([40.0, 120.0, 125.0, 210.0])
    rho0 = rng.uniform(0.0, 1.0, n)
    finals = []
    for shared in (True, False):
        net = ns.Network(seed=2)
        pre = net.add_spike_generator("pre", n, pre_t.ravel(), np.repeat(np.arange(n), 3))
        m = 1 if shared else n
        post = net.add_spike_generator(
            "post", m, np.repeat(post_t, m), np.tile(np.arange(m), len(post_t))
        )
        wiring = ns.Explicit(np.arange(n), np.zeros(n, int) if shared else np.arange(n))
        proj = net.connect(pre, post, wiring, receptor=None, synapse=rule)
        proj.rho = rho0
        net.run(400.0)
        proj.synchronize()
        finals.append((np.array(proj.rho), np.array(proj.c)))
    (r1, c1), (r2, c2) = finals
    assert np.max(np.abs(r1 - r2)) < 1e-14 and np.max(np.abs(c1 - c2)) < 1e-14
    assert np.max(np.abs(r1 - rho0)) > 0.05


@pytest.mark.parametrize("x0", [1e-9, -1e-9, 1e-6, 0.3])
def test_cubic_flow_after_very_long_silences(x0):
    # t_0 = 200 tau: e^(-t_0/(2 tau)) is 4e-44 and 1 - e^(...) rounds to 1, so the
    # radicand 1 - (1 - 4x^2) m must not be formed by subtraction (it gave rho = 5e145
    # for x0 = 1e-9). Reference: the closed form with e and m from the C library.
    from numba import njit

    from neurosim.synapses.calcium import _advance_block

    @njit
    def advance(c, rho, last, n, P, z):
        _advance_block(c, rho, last, n, 0.0, P, z, False)

    tau = 1000.0
    P = GraupnerBrunel(tau=tau).constants(0.1)
    n = 1e12
    for t_0 in (200.0 * tau, 3.0 * tau, 0.5):
        last = np.array([n - t_0 / 0.1])
        rho = np.array([0.5 + x0])
        advance(np.zeros(1), rho, last, n, P, np.zeros(1))
        a = t_0 / (2.0 * tau)
        ref = 0.5 + x0 / math.sqrt(math.exp(-a) - 4.0 * x0 * x0 * math.expm1(-a))
        assert rho[0] == pytest.approx(ref, abs=1e-13, rel=1e-13), (t_0, rho[0], ref)


def test_noise_gives_the_ornstein_uhlenbeck_distribution():
    # Long suprathreshold calcium (one big post transient) with the cubic made
    # negligible by a long tau: rho after the event is Gaussian with the OU mean and
    # variance for the time spent above each threshold (two-sample-free exact check).
    rule = GraupnerBrunel(C_post=5.0, C_pre=0.0, tau=1e4, sigma=2.0, D=0.0)
    p = rule.params
    n = 20000
    rho0 = np.full(n, 0.3)
    net, proj = gb_network([], [50.0], rule, rho0)
    net.run(400.0)
    proj.synchronize()
    t_p = p.tau_Ca * math.log(5.0 / p.theta_p)
    t_d = p.tau_Ca * math.log(5.0 / p.theta_d) - t_p
    g = p.gamma_p + p.gamma_d
    bar = p.gamma_p / g
    e1 = math.exp(-g * t_p / p.tau)
    m1 = bar + (0.3 - bar) * e1
    v1 = p.sigma**2 * (1 - e1**2) / g
    e2 = math.exp(-p.gamma_d * t_d / p.tau)
    mean = m1 * e2
    var = v1 * e2**2 + p.sigma**2 * (1 - e2**2) / (2 * p.gamma_d)
    # the cubic acts for the remaining ~300 ms (tau = 10 s): tolerance 1e-3 on the mean
    se = math.sqrt(var / n)
    assert abs(proj.rho.mean() - mean) < 4 * se + 1e-3
    assert proj.rho.var() == pytest.approx(var, rel=0.05)


@pytest.mark.parametrize("gamma_p", [0.0, 1e-13])
def test_zero_rates_give_pure_diffusion(gamma_p):
    # gamma_p = gamma_d = 0: no drift, and the noise sigma sqrt(tau) sqrt(Theta_d +
    # Theta_p) eta gives the variance sigma^2 (2 t_p + t_d) / tau over the excursion
    # (the limit of the OU formulas; a division by zero before). A rate of 1e-13 must
    # give the same (1 - e^(-2a) computed without cancellation; it was 0 before).
    rule = GraupnerBrunel(
        C_post=5.0, C_pre=0.0, tau=1e6, sigma=2.0, D=0.0, gamma_p=gamma_p, gamma_d=0.0
    )
    p = rule.params
    n = 20000
    net, proj = gb_network([], [50.0], rule, np.full(n, 0.3))
    net.run(400.0)
    proj.synchronize()
    t_p = p.tau_Ca * math.log(5.0 / p.theta_p)
    t_d = p.tau_Ca * math.log(5.0 / p.theta_d) - t_p
    var = p.sigma**2 * (2 * t_p + t_d) / p.tau
    assert np.all(np.isfinite(proj.rho))
    assert abs(proj.rho.mean() - 0.3) < 4 * math.sqrt(var / n) + 1e-6
    assert proj.rho.var() == pytest.approx(var, rel=0.05)


def test_dp_stdp_window_matches_published_model_curve():
    # Graupner & Brunel 2012 Fig. 2 (DP set, 60 pairs at 1 Hz). Reference values: the
    # paper's analytic reduction. With 3000 synapses per initial state the sampling
    # s.d. of the change is ~0.009; the reduction's own bias is <= 0.01 (it drops the
    # cubic), so each point must lie within 0.035.
    dts = np.array(sorted(GB_DP_WINDOW), dtype=float)
    change = run_patterns(
        "graupner_brunel_2012_dp", [([0.0], [d]) for d in dts], 60, 1.0, synapses=6000, seed=11
    )
    for d, c in zip(dts, change, strict=True):
        assert abs(c - GB_DP_WINDOW[int(d)]) < 0.035, (d, c, GB_DP_WINDOW[int(d)])
    # the shape: depression minimum near -24 ms, potentiation maximum near +5 ms
    assert dts[np.argmin(change)] in (-30.0, -24.0, -20.0)
    assert dts[np.argmax(change)] in (5.0, 10.0)


@pytest.mark.parametrize("delta", [10.0, -10.0])
def test_cortical_set_frequency_dependence_against_sjostrom(delta):
    # Sjöström et al. 2001 regular pairs; the cortical fit (75 pairs) must lie within
    # 2 s.e.m. of every data point.
    data = SJOSTROM_2001[delta]
    freqs = sorted(data)
    change = [
        run_patterns(
            "graupner_brunel_2012_cortical", [([0.0], [delta])], 75, f, synapses=2000, seed=5
        )[0]
        for f in freqs
    ]
    for f, c in zip(freqs, change, strict=True):
        mean, sem = data[f]
        assert abs(c - mean) <= 2 * sem, (f, c, mean, sem)


def test_published_sets_load_and_validate():
    for name in [
        "dp",
        "dpd",
        "dpd_prime",
        "p",
        "d",
        "d_prime",
        "cortical",
        "hippocampal_slices",
        "hippocampal_cultures",
    ]:
        rule = synapse_model(f"graupner_brunel_2012_{name}")
        assert rule.params.theta_d == 1.0
    assert synapse_model("graupner_brunel_2012_cortical").params.tau == pytest.approx(346361.5)
    with pytest.raises(ValueError, match="theta_d"):
        GraupnerBrunel(theta_d=2.0, theta_p=1.3)
    with pytest.raises(ValueError, match="rho_star"):
        GraupnerBrunel(rho_star=0.4)


def test_the_given_weight_sets_the_efficacy():
    net = ns.Network(seed=1)
    pre = net.add_spike_generator("pre", 2, [1.0], [0])
    post = net.add_spike_generator("post", 2, [1.0], [0])
    rule = GraupnerBrunel(w_min=1.0, w_max=3.0)
    proj = net.connect(pre, post, ns.OneToOne(), weight=[1.5, 3.0], receptor=None, synapse=rule)
    assert np.allclose(proj.rho, [0.25, 1.0]) and np.allclose(proj.weight, [1.5, 3.0])
    proj.weight = 2.0
    assert np.allclose(proj.rho, 0.5)
    with pytest.raises(ValueError, match=r"\[w_min, w_max\] = \[1.0, 3.0\]"):
        proj.weight = 0.5
