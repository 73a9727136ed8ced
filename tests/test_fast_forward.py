"""Fast-forward through quiet periods: ``Network.advance`` and ``run(fast_forward=True)``
against stepping the same period (bit for bit), and the refusals."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest

import neurosim as ns
from neurosim.engine import fastforward
from neurosim.errors import QuiescenceError
from neurosim.kernels.jit import kernel
from neurosim.neurons.base import NeuronModel
from neurosim.params import ParameterSet, pack, parameter

EXPOSURE = np.arange(0.0, 50.0, 2.0)  # ms: 25 volleys of the 10 inputs
SETTLE = 100.0  # ms: the exposure and the network's echo are over by then


def _network(rule, model="lif_cond", quiet_ms=12_000.0, seed=7):
    """10 spike sources (volleys in the first 50 ms and again 20 ms after the quiet
    period) onto 6 neurons, through a strong static projection (the neurons fire) and a
    projection with ``rule`` (none: static, with a 3-step delay)."""
    net = ns.Network(dt=0.1, seed=seed)
    later = SETTLE + quiet_ms + 20.0 + EXPOSURE[:10]
    times = np.concatenate([EXPOSURE, later])
    gen = net.add_spike_generator(
        "gen", 10, times=np.repeat(times, 10), indices=np.tile(np.arange(10), times.size)
    )
    post = net.add_population("post", 6, model)
    drive = {"izhikevich": 60.0, "lif": 1000.0, "adex": 40.0}.get(model, 4.0)
    net.connect(gen, post, ns.FixedProbability(0.6), weight=drive, delay=0.1)
    delay = 0.3 if rule is None else 0.1
    proj = net.connect(gen, post, ns.FixedProbability(0.5), weight=0.4, delay=delay, synapse=rule)
    net.connect(post, post, ns.FixedProbability(0.3), weight=0.2 * drive, delay=1.0)
    return net, proj, net.record_spikes(post), net.record_state(post, "v", every=1.0)


def _arrays(net, proj):
    out = [pop.S for pop in net.populations.values()]
    out += [pop.rng_state for pop in net.populations.values()]
    out += [proj.weight, proj.rng_state]
    if proj.synapse is not None:
        out += [proj.S_syn, proj.S_pre, proj.S_post]
    return [a.copy() for a in out]


def _same(a, b):
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


RULES = [None, "stdp_pair", "stdp_triplet", "tsodyks_markram", "graupner_brunel", "shouval_2002"]


@pytest.mark.parametrize("rule", RULES)
def test_advance_equals_stepping_bit_for_bit(rule):
    # conductances take ~4 s to decay to their last bit, shouval_2002 ~4 s to go idle
    quiet = 12_000.0
    (a, pa, sa, va), (b, pb, sb, vb) = (_network(rule, quiet_ms=quiet) for _ in range(2))
    a.run(SETTLE)
    b.run(SETTLE)
    assert sa.count.sum() > 0  # the exposure made the neurons fire
    a.advance(quiet)
    b.run(quiet)
    assert a.step == b.step
    assert _same(_arrays(a, pa), _arrays(b, pb))
    assert a.counters() == b.counters()
    # a jump happened, and the state monitor shows it as a gap
    assert va.gaps.shape == (1, 2) and va.gaps[0, 1] == SETTLE + quiet
    assert len(va.t) < len(vb.t) and np.all(np.diff(va.t) > 0)
    assert np.array_equal(va.t, vb.t[(vb.t < va.gaps[0, 0]) | (vb.t >= va.gaps[0, 1])])
    # the lazily updated state carries on identically through the second exposure
    fired = sa.count.sum()
    a.run(60.0)
    b.run(60.0)
    assert sa.count.sum() > fired
    assert np.array_equal(sa.t, sb.t) and np.array_equal(sa.i, sb.i)
    if rule is not None:
        pa.synchronize()
        pb.synchronize()
    assert _same(_arrays(a, pa), _arrays(b, pb))


@pytest.mark.parametrize("model", ["lif", "adex", "izhikevich"])
def test_other_neuron_models_settle_and_jump_bit_for_bit(model):
    (a, pa, sa, va), (b, pb, _, _) = (_network("stdp_pair", model) for _ in range(2))
    a.run(SETTLE)
    b.run(SETTLE)
    assert sa.count.sum() > 0
    a.advance(12_000.0)
    b.run(12_000.0)
    assert _same(_arrays(a, pa), _arrays(b, pb))
    assert va.gaps.shape == (1, 2)


def _firing_network():
    net = ns.Network(dt=0.1, seed=3)
    exc = net.add_population("exc", 5, "lif_cond")
    net.add_current(exc, ns.CurrentInput(300.0), neurons=[3])
    return net, exc, net.record_spikes(exc), net.record_state(exc, "v")


def test_a_neuron_that_would_fire_is_refused_and_nothing_changes():
    net, exc, spikes, states = _firing_network()
    net.run(10.0)
    before = (exc.S.copy(), net.step, net.counters(), len(spikes.t), states.v.copy())
    with pytest.raises(QuiescenceError) as err:
        net.advance(1000.0)
    ref, _, ref_spikes, _ = _firing_network()
    ref.run(1000.0)
    first = ref_spikes.t[ref_spikes.t >= 10.0][0]  # the stepped network's next spike
    assert err.value.population == "exc" and err.value.neuron == 3
    assert err.value.t == pytest.approx(first)
    assert "'exc'" in str(err.value) and "neuron 3" in str(err.value)
    assert np.array_equal(exc.S, before[0]) and net.step == before[1]
    assert net.counters() == before[2] and len(spikes.t) == before[3]
    assert np.array_equal(states.v, before[4]) and states.gaps.size == 0
    # the network carries on as if advance had not been called
    net.run(990.0)
    assert np.array_equal(spikes.t, ref_spikes.t) and np.array_equal(
        exc.S, ref.populations["exc"].S
    )


def _with_input(kind):
    net = ns.Network(dt=0.1, seed=3)
    exc = net.add_population("exc", 4, "lif")
    if kind == "generator":
        src = net.add_spike_generator("src", 2, times=[5.0, 250.0], indices=[0, 1])
        net.connect(src, exc, weight=1.0)
    elif kind == "poisson":
        src = net.add_poisson("src", 3, rate=[0.0, 2.0], times=[0.0, 250.0])
        net.connect(src, exc, weight=1.0)
    else:
        net.add_current(exc, ns.CurrentInput(50.0, start=250.0, stop=300.0))
    return net, exc


@pytest.mark.parametrize(
    "kind, population", [("generator", "src"), ("poisson", "src"), ("current", "exc")]
)
def test_scheduled_input_in_the_period_is_refused(kind, population):
    net, exc = _with_input(kind)
    net.run(10.0)
    S, step = exc.S.copy(), net.step
    with pytest.raises(QuiescenceError, match=f"'{population}' at t = 250 ms") as err:
        net.advance(500.0)
    assert err.value.population == population and err.value.t == pytest.approx(250.0)
    assert np.array_equal(exc.S, S) and net.step == step
    net.advance(240.0)  # up to the input: quiet
    assert net.step == step + 2400


def test_bad_durations_are_refused():
    net = ns.Network(dt=0.1, seed=1)
    net.add_population("exc", 2, "lif")
    with pytest.raises(
        ValueError, match=r"duration = -1.0 ms must be a finite number >= 0 .* dt = 0.1 ms"
    ):
        net.advance(-1.0)
    with pytest.raises(ValueError, match=r"duration = 0.15 ms is not a whole multiple of dt = 0.1"):
        net.advance(0.15)
    with pytest.raises(TypeError, match="fast_forward"):
        net.run(1.0, fast_forward="yes")
    other = ns.Network(dt=0.1, seed=1, backend="brian2")
    other.add_population("exc", 2, "lif")
    with pytest.raises(ValueError, match="advance needs backend 'numba'"):
        other.advance(1.0)


# -- a model with its own quiet solution (as a slowly decaying neuromodulator has) ----
@dataclass(frozen=True)
class _DecayParams(ParameterSet):
    tau: float = parameter(3.6e6, "time", low=0.0, low_open=True, doc="decay time constant")


@kernel
def _step_decay(S, P, A, B, R, I, n, spikes):
    for i in range(S.shape[1]):
        S[0, i] *= P[0]
    return 0


class _Decay(NeuronModel):
    """``dx/dt = -x / tau``, stepped by its exact per-step factor."""

    name = "test_decay"
    Params = _DecayParams
    state_vars = (("x", "1"),)
    receptors = {"exc": "x"}
    step = _step_decay

    def initial_values(self):
        return {"x": 1.0}

    def constants(self, dt):
        return pack(1, {0: math.exp(-dt / self.params.tau)})

    def advance_quiet(self, S, P, dt, steps):
        S[0] *= math.exp(-steps * dt / self.params.tau)
        return True


def test_a_model_with_a_quiet_solution_is_advanced_by_it():
    nets = []
    for _ in range(2):
        net = ns.Network(dt=0.1, seed=2)
        net.add_population("mod", 3, _Decay())
        net.add_population("exc", 2, "lif")
        nets.append(net)
    a, b = nets
    a.advance(2000.0)
    b.run(2000.0)
    x_a, x_b = a.populations["mod"].S[0], b.populations["mod"].S[0]
    assert np.all(x_a < 1.0)
    # the drain steps (a few thousand rounded factors), the jump multiplies once: both
    # within 20000 ulps of the exact value
    exact = math.exp(-2000.0 / 3.6e6)
    assert np.allclose(x_a, exact, rtol=2e4 * np.finfo(float).eps, atol=0)
    assert np.allclose(x_b, exact, rtol=2e4 * np.finfo(float).eps, atol=0)
    assert np.array_equal(a.populations["exc"].S, b.populations["exc"].S)


def test_run_fast_forward_jumps_the_gap_of_a_schedule():
    (a, pa, sa, va), (b, pb, sb, vb) = (_network("graupner_brunel") for _ in range(2))
    a.run(SETTLE + 12_100.0, fast_forward=True)
    b.run(SETTLE + 12_100.0)
    assert _same(_arrays(a, pa), _arrays(b, pb))
    assert np.array_equal(sa.t, sb.t) and np.array_equal(sa.i, sb.i) and sa.count.sum() > 0
    assert va.gaps.shape == (1, 2) and va.gaps[0, 0] < 8000.0 and va.gaps[0, 1] == SETTLE + 12_020.0
    assert len(va.t) < len(vb.t) / 2


def test_run_fast_forward_a_six_hour_gap_responds_as_after_a_short_one():
    six_hours = 6 * 3600e3
    (a, _, sa, va), (b, _, sb, _) = (
        _network("stdp_pair", quiet_ms=q) for q in (six_hours, 12_000.0)
    )
    a.run(SETTLE + six_hours + 100.0, fast_forward=True)
    b.run(SETTLE + 12_000.0 + 100.0)
    shift = six_hours - 12_000.0
    late_a, late_b = sa.t > 1000.0, sb.t > 1000.0
    assert late_b.sum() > 0
    assert np.allclose(sa.t[late_a] - shift, sb.t[late_b]) and np.array_equal(
        sa.i[late_a], sb.i[late_b]
    )
    assert len(va.t) < 10_000  # not millions of samples


def test_run_fast_forward_steps_where_a_neuron_keeps_firing():
    (a, exc_a, sa, _), (b, exc_b, sb, _) = (_firing_network() for _ in range(2))
    a.run(3000.0, fast_forward=True)
    b.run(3000.0)
    assert sa.count[3] > 100 and np.array_equal(sa.t, sb.t)
    assert np.array_equal(exc_a.S, exc_b.S)


def test_an_unsettled_state_is_refused(monkeypatch):
    monkeypatch.setattr(fastforward, "DRAIN_MS", 50.0)
    net = ns.Network(dt=0.1, seed=3)
    exc = net.add_population("exc", 2, "lif")
    exc.v = [-60.0, -65.0]
    S = exc.S.copy()
    with pytest.raises(QuiescenceError, match="did not settle within 50 ms"):
        net.advance(1000.0)
    assert np.array_equal(exc.S, S) and net.step == 0


def test_a_modulator_is_carried_through_a_jump_by_its_exact_solution():
    """An illness signal (tau_decay 30 min, tau_rise 6 min) released at t = 1 ms and
    again after 2 h of quiet: through ``run(fast_forward=True)`` its concentration is
    the analytic sum of two normalised differences of exponentials."""
    tau_d, tau_r, hours = 30 * 60e3, 6 * 60e3, 3600e3
    net = ns.Network(dt=0.1, seed=2)
    sick = net.add_modulator("sick", tau_decay=tau_d, tau_rise=tau_r)
    times = [1.0, 1.0 + 2 * hours]
    net.connect(net.add_spike_generator("lithium", 1, times, [0, 0]), sick, receptor="release")
    post = net.add_population("post", 3, "lif")
    net.connect(post, post, weight=1.0)  # quiet neurons: they settle and are jumped
    trace = net.record_state(sick, "c", every=1000.0)
    net.run(3 * hours, fast_forward=True)
    assert trace.gaps.shape == (2, 2)  # the 2 h before and the 1 h after the second dose
    t_peak = sick.model.peak_time()
    h = math.exp(-t_peak / tau_d) - math.exp(-t_peak / tau_r)

    def c(t):  # a release at step n reaches the modulator one step later (its delay)
        return sum(
            (math.exp(-(t - s - 0.1) / tau_d) - math.exp(-(t - s - 0.1) / tau_r)) / h
            for s in times
            if t > s
        )

    assert abs(t_peak / 60e3 - 12.07) < 0.01  # the illness peaks 12 min after the dose
    np.testing.assert_allclose(sick.c, c(net.t), rtol=1e-9)
    assert net.t == 3 * hours and net.counters()["modulator_events/lithium_to_sick_release"] == 2


def test_operations_are_never_jumped_over():
    """An operation is due like an input: ``advance`` refuses a period in which one is
    due, and ``run(fast_forward=True)`` stops each jump at it and calls it on time."""
    hour = 3600e3
    net = ns.Network(dt=0.1, seed=3)
    post = net.add_population("post", 3, "lif")
    net.connect(post, post, weight=1.0)
    seen = []
    net.add_operation(lambda n: seen.append(n.t), every=hour, start=hour, name="hourly")
    with pytest.raises(QuiescenceError, match="operation 'hourly'") as refused:
        net.advance(2 * hour)
    assert refused.value.population == "hourly" and net.t == 0.0
    trace = net.record_state(post, "v", every=1000.0)
    net.run(3.5 * hour, fast_forward=True)
    assert seen == [hour, 2 * hour, 3 * hour]
    assert trace.gaps.shape[0] == 4  # four quiet stretches between the calls


def test_spikes_on_their_way_through_long_plastic_delays_are_not_jumped_over():
    """A plasticity-only projection (nothing transmitted) with per-synapse delays of
    1 and 150 ms: between the two arrivals nothing changes for longer than the drain's
    100 ms settling window, yet ``advance`` must wait for the second, so that the rule
    sees every presynaptic event, exactly as stepping does."""
    nets = []
    for _ in range(2):
        net = ns.Network(dt=0.1, seed=8)
        gen = net.add_spike_generator("gen", 2, times=[1.0, 2.0], indices=[0, 1])
        post = net.add_population("post", 3, "lif")
        rule = ns.synapses.synapse_model("stdp_pair", A_plus=0.05, A_minus=0.05)
        delays = np.tile([1.0, 150.0], 3)
        net.connect(gen, post, weight=0.5, delay=delays, synapse=rule, receptor=None, name="slow")
        net.run(5.0)
        nets.append(net)
    nets[0].advance(10_000.0)
    nets[1].run(10_000.0)
    a, b = (n.projections["slow"] for n in nets)
    assert a.delay_groups.size == 2 and nets[0].counters() == nets[1].counters()
    assert nets[0].counters()["plasticity_updates/slow"] == 6
    assert np.array_equal(a.weight, b.weight) and np.array_equal(a.S_pre, b.S_pre)
