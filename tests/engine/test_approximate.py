"""The approximate fast-forward (``Network.advance(duration, approximate=True)``): what
it resets, that the plastic state follows its rule's quiet dynamics (against an
independent numerical solution), and its refusals."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import neurosim as ns
from neurosim.errors import QuiescenceError
from neurosim.neurons.base import NEVER
from neurosim.synapses import GraupnerBrunel

HOUR = 3600e3


class _ForgetfulGB(GraupnerBrunel):
    """Graupner–Brunel with its calcium declared an activity trace."""

    activity_vars = ("c",)


def _network(generator_times=()):
    """Background-driven neurons (they fire), a plastic Graupner–Brunel projection from
    Poisson inputs, a recurrent static projection with delays, and a spike generator."""
    net = ns.Network(dt=0.1, seed=3)
    cells = net.add_population("cells", 12, "lif")
    bg = net.add_poisson("bg", 12, rate=2000.0)
    net.connect(bg, cells, ns.OneToOne(), weight=300.0)
    inp = net.add_poisson("inp", 20, rate=40.0)
    proj = net.connect(
        inp, cells, ns.FixedProbability(0.5), weight=0.5, synapse=_ForgetfulGB(w_max=1.0)
    )
    net.connect(cells, cells, ns.FixedProbability(0.3), weight=50.0, delay=ns.Uniform(1.0, 5.0))
    times = np.asarray(generator_times, dtype=float)
    gen = net.add_spike_generator("gen", 1, times=times, indices=np.zeros(times.size, int))
    net.connect(gen, cells, weight=10.0)
    return net, cells, proj


def test_refused_unless_asked():
    """The exact advance refuses a network with Poisson background; nothing changes."""
    net, cells, _ = _network()
    net.run(200.0)
    v, step = cells.v.copy(), net.step
    with pytest.raises(QuiescenceError, match="Poisson"):
        net.advance(HOUR)
    assert net.step == step and np.array_equal(cells.v, v)
    with pytest.raises(TypeError, match="approximate = 'yes'"):
        net.advance(HOUR, approximate="yes")


def test_scheduled_input_refused():
    """A listed spike inside the period would be lost: refused, nothing changed."""
    net, cells, proj = _network(generator_times=[5000.0])
    net.run(200.0)
    v, rho, step = cells.v.copy(), proj.S_syn.copy(), net.step
    with pytest.raises(QuiescenceError, match="'gen' at t = 5000 ms"):
        net.advance(HOUR, approximate=True)
    assert net.step == step and np.array_equal(cells.v, v) and np.array_equal(proj.S_syn, rho)


def test_state_after_approximate_advance():
    """Neurons at rest with their last spike kept, nothing in flight, the step moved,
    the gap noted, calcium zero; the network runs on and fires again."""
    net, cells, proj = _network()
    spikes = net.record_spikes(cells)
    net.run(300.0)
    assert spikes.t.size > 0 and net.buffers.in_flight()
    last = cells.S[cells.model.state_index(cells.model.LAST_SPIKE)].copy()
    assert np.any(last != NEVER)
    start = net.step
    net.advance(2 * HOUR, approximate=True)
    assert net.step == start + round(2 * HOUR / net.dt)
    p = cells.model.params
    assert np.all(cells.v == p.E_L)
    assert np.all(cells.S[cells.model.state_index("I_syn_ex")] == 0.0)
    assert np.array_equal(cells.S[cells.model.state_index(cells.model.LAST_SPIKE)], last)
    assert not net.buffers.in_flight()
    assert np.all(proj.S_syn[0] == 0.0)  # calcium
    np.testing.assert_array_equal(spikes.gaps, [[start * net.dt, net.t]])
    before = spikes.t.size
    net.run(200.0)
    assert spikes.t.size > before and spikes.t[-1] >= 2 * HOUR


def _cubic_flow(rho0, t_ms, tau):
    """rho after ``t_ms`` of tau drho/dt = -rho (1 - rho) (1/2 - rho), by an adaptive
    Runge–Kutta solver at tight tolerance (independent of the rule's closed form)."""
    sol = solve_ivp(
        lambda _, r: -r * (1.0 - r) * (0.5 - r) / tau,
        (0.0, t_ms),
        rho0,
        method="DOP853",
        rtol=1e-12,
        atol=1e-14,
    )
    return sol.y[:, -1]


def test_plastic_state_follows_quiet_dynamics():
    """Efficacies after the advance equal the quiet flow of the rule (calcium zero)
    from their state at its start, within 1e-9."""
    net, _, proj = _network()
    net.run(300.0)
    proj.synchronize()
    rho = proj.S_syn[1].copy()
    proj.S_syn[1] = np.linspace(0.05, 0.95, rho.size)  # spread the start over (0, 1)
    rho0 = proj.S_syn[1].copy()
    net.advance(0.05 * HOUR, approximate=True)
    proj.synchronize()
    tau = proj.synapse.params.tau
    np.testing.assert_allclose(proj.S_syn[1], _cubic_flow(rho0, 0.05 * HOUR, tau), atol=1e-9)
    assert np.all(np.abs(proj.S_syn[1] - 0.5) > np.abs(rho0 - 0.5) - 1e-12)  # bistable drift


def test_frozen_projection_keeps_its_state():
    """A frozen rule (``plastic = False``) is neither reset nor advanced."""
    net, _, proj = _network()
    net.run(300.0)
    proj.plastic = False
    state, weight = proj.S_syn.copy(), proj.weight.copy()
    net.advance(HOUR, approximate=True)
    assert np.array_equal(proj.S_syn, state) and np.array_equal(proj.weight, weight)
