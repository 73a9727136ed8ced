"""Poisson sources, spike generators and current injection."""

import numpy as np
import pytest

import neurosim as ns
from tests.conftest import assert_close


def test_poisson_count_matches_rate(net):
    src = net.add_poisson("p", 1000, rate=20.0)
    mon = net.record_spikes(src)
    net.run(1000.0)
    # Bernoulli per step: count ~ Binomial(1000 * 10000, 0.002); 4 s.d. bound
    n, p = 1000 * 10000, 20.0 * 0.1e-3
    assert abs(len(mon.t) - n * p) < 4 * np.sqrt(n * p * (1 - p))
    # inter-spike intervals are (geometric ~) exponential: CV close to 1
    isi = np.concatenate([np.diff(t) for t in mon.spike_trains().values() if len(t) > 2])
    assert isi.std() / isi.mean() == pytest.approx(1.0, abs=0.05)


def test_poisson_time_varying_and_per_neuron_rates(net):
    src = net.add_poisson(
        "p", 2, rate=[[0.0, 0.0], [50.0, 200.0], [0.0, 0.0]], times=[0.0, 100.0, 1100.0]
    )
    mon = net.record_spikes(src)
    net.run(1500.0)
    assert mon.t.min() >= 100.0 and mon.t.max() < 1100.0
    counts = mon.count
    assert abs(counts[0] - 50) < 4 * np.sqrt(50) and abs(counts[1] - 200) < 4 * np.sqrt(200)


def test_shared_rate_poisson_is_a_bernoulli_process_over_steps_and_neurons():
    # One rate for all neurons is drawn by geometric gaps between spikes; the result
    # must be the Bernoulli process: per step, the number of spikes is Binomial(N, p)
    # (mean, variance and P(no spike) within 4 s.e.), the neurons are equally likely
    # (chi-square), and rate segments (0 Hz in between) are respected.
    from scipy import stats

    net = ns.Network(dt=0.1, seed=3)
    n, rates, times = 200, [40.0, 0.0, 80.0], [0.0, 1000.0, 1500.0]
    src = net.add_poisson("p", n, rate=rates, times=times)
    mon = net.record_spikes(src)
    net.run(2500.0)
    steps = np.round(mon.t / 0.1).astype(int)
    first = steps < 10000
    assert not np.any((steps >= 10000) & (steps < 15000))  # silent segment
    per_step = np.bincount(steps[first], minlength=10000)
    p = 40.0 * 0.1e-3
    m = per_step.size
    assert abs(per_step.mean() - n * p) < 4 * np.sqrt(n * p * (1 - p) / m)
    var = n * p * (1 - p)
    assert abs(per_step.var() - var) < 4 * var * np.sqrt(2 / m)
    p0 = (1 - p) ** n
    assert abs(np.mean(per_step == 0) - p0) < 4 * np.sqrt(p0 * (1 - p0) / m)
    counts = np.bincount(mon.i[first], minlength=n)
    assert stats.chisquare(counts).pvalue > 1e-3
    # the 80 Hz segment: 10000 steps
    late = np.sum(steps >= 15000)
    mean = n * 10000 * 80.0 * 0.1e-3
    assert abs(late - mean) < 4 * np.sqrt(mean)
    # one spike per neuron and step at most
    pairs = steps * n + mon.i
    assert np.unique(pairs).size == pairs.size


def test_poisson_sources_have_independent_streams():
    def run(names):
        net = ns.Network(seed=9)
        mons = {n: net.record_spikes(net.add_poisson(n, 50, rate=30.0)) for n in names}
        net.run(200.0)
        return mons

    one, two = run(["a"]), run(["b", "a"])
    # adding another source does not change what source "a" draws
    assert np.array_equal(one["a"].t, two["a"].t) and np.array_equal(one["a"].i, two["a"].i)


def test_spike_generator_emits_given_times(net):
    gen = net.add_spike_generator("g", 3, times=[0.5, 0.26, 2.0, 0.5], indices=[0, 2, 1, 1])
    mon = net.record_spikes(gen)
    net.run(5.0)
    got = sorted(zip(mon.t.round(6).tolist(), mon.i.tolist(), strict=True))
    assert got == [(0.3, 2), (0.5, 0), (0.5, 1), (2.0, 1)]
    with pytest.raises(ValueError, match="two spikes in the step"):
        net2 = ns.Network(dt=0.1)
        net2.add_spike_generator("g", 1, times=[1.0, 1.04], indices=[0, 0])
        net2.run(2.0)
    with pytest.raises(ValueError, match=r"spike indices must be in \[0, 0\]"):
        ns.Network().add_spike_generator("g", 1, times=[1.0], indices=[1])


def test_step_current_and_additive_schedules(net):
    # two inputs onto neuron 0 add; the step switches on at 5 ms and off at 15 ms
    pop = net.add_population("n", 2, "lif")
    p = pop.model.params
    net.add_current(pop, ns.CurrentInput(100.0, start=5.0, stop=15.0))
    net.add_current(
        pop, ns.CurrentInput(times=[0.0, 10.0], amplitudes=[[50.0], [0.0]]), neurons=[0]
    )
    mon = net.record_state(pop, "v")
    net.run(30.0)
    r = p.tau_m / p.C

    def relax(v0, i, s):
        v_inf = p.E_L + r * i
        return v_inf + (v0 - v_inf) * np.exp(-s / p.tau_m)

    t = mon.t
    expected = np.empty_like(t)
    v = p.E_L
    for k, tk in enumerate(t):
        expected[k] = v
        i = (100.0 if 5.0 <= tk < 15.0 - 1e-9 else 0.0) + (50.0 if tk < 10.0 - 1e-9 else 0.0)
        v = relax(v, i, 0.1)
    assert_close(mon.v[:, 0], expected, 1e-9, "v with two inputs")
    assert mon.v[49, 1] == pytest.approx(p.E_L) and mon.v[51, 1] > p.E_L


def test_current_input_errors(net):
    pop = net.add_population("n", 3, "lif")
    with pytest.raises(ValueError, match="stop"):
        ns.CurrentInput(1.0, start=5.0, stop=5.0)
    with pytest.raises(ValueError, match="3 target neurons"):
        net.add_current(pop, ns.CurrentInput([1.0, 2.0]))
    with pytest.raises(ValueError, match="strictly increasing"):
        ns.CurrentInput(times=[2.0, 1.0], amplitudes=[1.0, 2.0])
    with pytest.raises(ValueError, match="finite"):
        ns.CurrentInput(float("nan"))


def _generator_with_target():
    net = ns.Network(dt=0.5, seed=3)
    gen = net.add_spike_generator("gen", 3, times=[2.0], indices=[1])
    cells = net.add_population("cells", 3, "lif")
    net.connect(gen, cells, ns.OneToOne(), weight=1000.0, delay=1.5)
    return net, gen, net.record_spikes(gen), net.record_spikes(cells)


def test_spikes_added_during_a_run_are_emitted_and_delivered_as_listed_ones():
    # spikes added from an operation, at the present step or later, are emitted in
    # their steps and transmitted; the same spikes listed from the start give the
    # same network, bit for bit
    net, gen, out, post = _generator_with_target()

    def add(net):
        if net.t == 10.0:
            gen.add_spikes([10.0, 12.25, 30.0], [0, 2, 0])  # 12.25 rounds to 12.0 (step 24)
        if net.t == 20.0:
            gen.add_spikes([20.0], [1])

    net.add_operation(add, every=5.0)
    net.run(40.0)
    assert out.t.tolist() == [2.0, 10.0, 12.0, 20.0, 30.0]
    assert out.i.tolist() == [1, 0, 2, 1, 0]
    ref, _, ref_out, ref_post = _generator_with_target()
    ref.populations["gen"].add_spikes([10.0, 12.0, 20.0, 30.0], [0, 2, 1, 0])  # before any run
    ref.run(40.0)
    assert ref_out.t.tolist() == out.t.tolist() and ref_out.i.tolist() == out.i.tolist()
    assert post.t.tolist() == ref_post.t.tolist() and post.i.tolist() == ref_post.i.tolist()
    assert (net.populations["cells"].S == ref.populations["cells"].S).all()
    gen.add_spikes([45.0], [2])  # between runs, into the built engine
    net.run(10.0)
    assert out.t.tolist()[-1] == 45.0 and out.i.tolist()[-1] == 2


def test_added_spikes_are_checked():
    net, gen, out, _ = _generator_with_target()
    net.run(10.0)
    with pytest.raises(ValueError, match="in the past.*t = 10 ms"):
        gen.add_spikes([9.5], [0])
    with pytest.raises(ValueError, match=r"indices must be in \[0, 2\]"):
        gen.add_spikes([12.0], [3])
    with pytest.raises(ValueError, match="neuron 1 has two spikes in the step at 15"):
        gen.add_spikes([15.0, 15.1], [1, 1])
    with pytest.raises(TypeError, match="'cells' .* is not a spike generator"):
        net.populations["cells"].add_spikes([12.0], [0])
    net.run(10.0)
    assert out.t.tolist() == [2.0]  # nothing was added by the refused calls


def test_added_spikes_are_saved_in_a_checkpoint(tmp_path):
    net, gen, out, _ = _generator_with_target()
    net.run(5.0)
    gen.add_spikes([7.0, 8.0], [0, 2])
    net.save(tmp_path / "gen.ckpt")
    later = ns.Network.load(tmp_path / "gen.ckpt")
    spikes = later.record_spikes("gen")
    later.run(10.0)
    assert spikes.t.tolist() == [7.0, 8.0] and spikes.i.tolist() == [0, 2]
