"""AdEx and Izhikevich: one forward-Euler step worked by hand, spike/reset rules."""

import math

import numpy as np
import pytest

import neurosim as ns


def test_izhikevich_one_step_by_hand(net):
    pop = net.add_population("n", 1, "izhikevich")
    net.add_current(pop, ns.CurrentInput(10.0))
    net.run(0.1)
    # v1 = -65 + 0.1 (0.04*65^2 - 5*65 + 140 + 13 + 10) = -64.3; u1 = -13 + 0.1*0.02*(0.2*-65 + 13) = -13
    assert pop.v[0] == pytest.approx(-64.3, abs=1e-12)
    assert pop.u[0] == pytest.approx(-13.0, abs=1e-12)


def test_izhikevich_reset(net):
    pop = net.add_population("n", 1, "izhikevich")
    pop.v = 29.0  # next step crosses 30 mV
    spk = net.record_spikes(pop)
    u0 = pop.u[0]
    net.run(0.1)
    assert spk.t.tolist() == [0.0]
    assert pop.v[0] == -65.0
    v_new_u = u0 + 0.1 * 0.02 * (0.2 * 29.0 - u0)
    assert pop.u[0] == pytest.approx(v_new_u + 8.0, abs=1e-12)


def test_adex_one_step_by_hand(net):
    pop = net.add_population("n", 1, "adex")
    p = pop.model.params
    pop.v = -55.0
    pop.w = 20.0
    pop.g_e = 5.0
    net.add_current(pop, ns.CurrentInput(300.0))
    net.run(0.1)
    v0, w0, ge0 = -55.0, 20.0, 5.0
    dv = (
        p.g_L * (p.E_L - v0)
        + p.g_L * p.Delta_T * math.exp((v0 - p.V_T) / p.Delta_T)
        - w0
        + ge0 * (p.E_e - v0)
        + 300.0
    ) / p.C
    assert pop.v[0] == pytest.approx(v0 + 0.1 * dv, abs=1e-12)
    assert pop.w[0] == pytest.approx(w0 + 0.1 * (p.a * (v0 - p.E_L) - w0) / p.tau_w, abs=1e-12)
    assert pop.g_e[0] == pytest.approx(ge0 * math.exp(-0.1 / p.tau_e), abs=1e-12)


def test_adex_spike_increments_adaptation(net):
    pop = net.add_population("n", 1, "adex")
    net.add_current(pop, ns.CurrentInput(1500.0))
    spk = net.record_spikes(pop)
    mon = net.record_state(pop, ["v", "w"])
    net.run(300.0)
    assert len(spk.t) >= 3
    isi = np.diff(spk.t)
    assert isi[-1] > isi[0]  # spike-frequency adaptation
    k = int(round(spk.t[0] / 0.1))
    # the sample after the spike step holds V_reset and w jumped by b (minus one Euler decay)
    assert mon.v[k + 1, 0] == pop.model.params.V_reset
    assert mon.w[k + 1, 0] - mon.w[k, 0] > 0.9 * pop.model.params.b


def test_adex_and_izhikevich_published_sets_load():
    m = ns.model("adex_brette_gerstner_2005")
    assert m.params.C == 281.0 and m.params.tau_w == 144.0
    fs = ns.model("izhikevich_fast_spiking")
    assert fs.params.a == 0.1 and fs.params.d == 2.0


def test_izhikevich_random_input_is_uniform_of_the_given_width_and_drawn_each_step():
    # izhikevich_noisy: from the initial state (V = c, u = bV), one step of forward Euler moves V by
    # h (0.04 V^2 + 5 V + 140 - u + xi) with xi uniform on [-w/2, w/2): its mean,
    # variance (w^2 / 12) and range over 20 000 neurons; the next step draws anew
    n, w, h = 20_000, 13.0, 1.0
    net = ns.Network(dt=h, seed=4)
    pop = net.add_population("p", n, "izhikevich_noisy", params={"I_noise": w})
    v0, u0 = pop.v.copy(), pop.u.copy()
    net.run(h)
    xi = (pop.v - v0) / h - (0.04 * v0**2 + 5 * v0 + 140 - u0)
    assert abs(xi.min() + w / 2) < 0.01 and abs(xi.max() - w / 2) < 0.01
    assert abs(xi.mean()) < 4 * w / np.sqrt(12 * n)
    assert abs(xi.var() / (w**2 / 12) - 1) < 0.05  # s.d. of the ratio about 0.009
    v1, u1 = pop.v.copy(), pop.u.copy()
    net.run(h)
    xi2 = (pop.v - v1) / h - (0.04 * v1**2 + 5 * v1 + 140 - u1)
    assert abs(np.corrcoef(xi, xi2)[0, 1]) < 0.05
    quiet = ns.Network(dt=h, seed=4)
    still = quiet.add_population("p", 3, "izhikevich_regular_spiking")
    quiet.run(10 * h)
    v, u = -65.0, -13.0  # without I_noise: the deterministic forward-Euler steps
    for _ in range(10):
        v, u = v + h * (0.04 * v * v + 5 * v + 140 - u), u + h * 0.02 * (0.2 * v - u)
    assert (still.v == v).all() and (still.u == u).all()
