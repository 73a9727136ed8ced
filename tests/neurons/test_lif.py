"""LIF models against closed-form solutions (exact integration makes them exact on
the grid, so tolerances are at rounding level)."""

import numpy as np
import pytest

import neurosim as ns
from neurosim.experiments.fi_curve import lif_rate_analytic
from tests.conftest import assert_close


def test_subthreshold_relaxation_matches_analytic(net):
    # v(t) = E_L + R I (1 - exp(-t/tau_m)), R = tau_m / C
    pop = net.add_population("n", 1, "lif")
    p = pop.model.params
    current = 300.0  # pA: R I = 12 mV < V_th - E_L = 15 mV, so no spike
    net.add_current(pop, ns.CurrentInput(current))
    mon = net.record_state(pop, "v")
    net.run(100.0)
    t = mon.t
    expected = p.E_L + current * p.tau_m / p.C * (1 - np.exp(-t / p.tau_m))
    assert_close(mon.v[:, 0], expected, 1e-9, "v")


@pytest.mark.parametrize("delay_steps", [1, 3])
def test_psp_shape_and_delay(net, delay_steps):
    # One spike at t0 onto an exponential current synapse of weight w (pA), arriving
    # at ta = t0 + delay: v - E_L = w/C * a*b/(a-b)*(e^{-b s} - e^{-a s})... with
    # a = 1/tau_s, b = 1/tau_m:  v - E_L = w tau_m tau_s / (C (tau_m - tau_s)) (e^{-s/tau_m} - e^{-s/tau_s})
    pop = net.add_population("n", 1, "lif", params={"tau_syn_ex": 3.0})
    p = pop.model.params
    gen = net.add_spike_generator("gen", 1, times=[5.0], indices=[0])
    w = 100.0
    net.connect(gen, pop, weight=w, delay=delay_steps * net.dt, receptor="exc")
    mon = net.record_state(pop, ["v", "I_syn_ex"])
    net.run(40.0)
    s = mon.t - (5.0 + delay_steps * net.dt)
    s_pos = np.clip(s, 0, None)
    amp = w * p.tau_m * p.tau_syn_ex / (p.C * (p.tau_m - p.tau_syn_ex))
    v_expected = p.E_L + np.where(
        s >= 0, amp * (np.exp(-s_pos / p.tau_m) - np.exp(-s_pos / p.tau_syn_ex)), 0
    )
    i_expected = np.where(s >= -1e-9, w * np.exp(-s_pos / p.tau_syn_ex), 0)
    assert_close(mon.I_syn_ex[:, 0], i_expected, 1e-9, "I_syn_ex")
    assert_close(mon.v[:, 0], v_expected, 1e-9, "v")


def test_exponential_euler_conductance_lif_relaxation(net):
    # With no synaptic input exponential Euler is exact:
    # v(t) = E_L + I/g_L (1 - exp(-t g_L / C))
    pop = net.add_population("n", 1, "lif_cond", params={"method": "exponential_euler"})
    p = pop.model.params
    net.add_current(pop, ns.CurrentInput(80.0))
    mon = net.record_state(pop, "v")
    net.run(50.0)
    expected = p.E_L + 80.0 / p.g_L * (1 - np.exp(-mon.t * p.g_L / p.C))
    assert_close(mon.v[:, 0], expected, 1e-9, "v")


def test_fi_curve_matches_analytic_relation():
    from neurosim.experiments.fi_curve import run

    result = run(model="lif", currents=np.arange(0, 1001, 100.0), duration=1000.0, transient=200.0)
    params = ns.model("lif").params
    rates = np.array(result.summary["rate_hz"])
    currents = np.array(result.summary["current_pA"])
    # exactly the grid-discretised analytic period ...
    assert_close(rates, lif_rate_analytic(currents, params, dt=0.1), 1e-6, "rate vs grid analytic")
    # ... and within one time step of the continuous relation
    cont = lif_rate_analytic(currents, params)
    firing = cont > 0
    assert np.array_equal(rates > 0, firing)
    assert np.all(np.abs(1000 / rates[firing] - 1000 / cont[firing]) <= 0.1 + 1e-9)


def test_refractory_period_clamps_voltage(net):
    pop = net.add_population("n", 1, "lif", params={"t_ref": 5.0})
    net.add_current(pop, ns.CurrentInput(2000.0))
    v = net.record_state(pop, "v")
    spk = net.record_spikes(pop)
    net.run(30.0)
    t0 = spk.t[0]
    # after the spike step, v stays at V_reset for round(t_ref/dt) samples
    idx = np.searchsorted(v.t, t0)
    held = v.v[idx + 1 : idx + 1 + 50, 0]
    assert np.all(held == pop.model.params.V_reset)
    assert v.v[idx + 51, 0] > pop.model.params.V_reset
