"""Network assembly, determinism, chunking, delays, errors."""

import subprocess
import sys
import textwrap

import brian2 as b2
import numpy as np
import pytest

import neurosim as ns
from neurosim.engine import loop
from neurosim.units import nearest_steps


def small_coba(seed=5, backend="numba"):
    """COBA with 800 neurons and p = 0.08 (same in-degrees as the full network)."""
    from neurosim.experiments.coba import build

    return build(n_exc=640, n_inh=160, p=0.08, seed=seed, backend=backend)


def spikes_of(net, ms=200.0):
    mon = net.record_spikes(net.populations["exc"])
    net.run(ms)
    return mon.t.copy(), mon.i.copy()


def test_same_seed_same_result_different_seed_differs():
    t1, i1 = spikes_of(small_coba(seed=5))
    t2, i2 = spikes_of(small_coba(seed=5))
    t3, _ = spikes_of(small_coba(seed=6))
    assert len(t1) > 100
    assert np.array_equal(t1, t2) and np.array_equal(i1, i2)
    assert not np.array_equal(t1[:50], t3[:50])


def test_split_runs_and_small_chunks_give_identical_results(monkeypatch):
    t_ref, i_ref = spikes_of(small_coba(), 200.0)
    net = small_coba()
    mon = net.record_spikes(net.populations["exc"])
    net.run(70.0)
    net.run(130.0)
    assert np.array_equal(mon.t, t_ref) and np.array_equal(mon.i, i_ref)
    monkeypatch.setattr(loop, "CHUNK_STEPS", 37)
    monkeypatch.setattr(loop, "SPIKE_BUFFER", 1)  # forces early returns to flush
    t_small, i_small = spikes_of(small_coba(), 200.0)
    assert np.array_equal(t_small, t_ref) and np.array_equal(i_small, i_ref)


def test_mixed_delays_arrive_on_time(net):
    # neuron k of a spike generator fires at 1 ms onto target k with delay (k+1) steps
    n = 6
    gen = net.add_spike_generator("gen", n, times=np.full(n, 1.0), indices=np.arange(n))
    post = net.add_population("post", n, "lif", params={"tau_syn_ex": 2.0})
    delays = (np.arange(n) + 1) * 0.1
    net.connect(gen, post, ns.OneToOne(), weight=10.0, delay=delays, receptor="exc")
    mon = net.record_state(post, "I_syn_ex")
    net.run(3.0)
    arrival = np.argmax(mon.I_syn_ex > 0, axis=0)  # first sample index with current
    assert arrival.tolist() == [10 + k + 1 for k in range(n)]
    assert np.allclose(mon.I_syn_ex[arrival, np.arange(n)], 10.0)


def test_counters_count_spikes_and_events(net):
    gen = net.add_spike_generator("gen", 2, times=[1.0, 2.0, 3.0], indices=[0, 1, 0])
    post = net.add_population("post", 5, "lif")
    net.connect(gen, post, ns.AllToAll(), weight=1.0)
    net.run(5.0)
    c = net.counters()
    assert c["spikes/gen"] == 3
    assert c["synaptic_events/gen_to_post_exc"] == 15


def test_state_becoming_nan_stops_with_population_and_time(net):
    # conductances of 1e308 nS onto both receptors make dV = inf - inf = NaN at 20 ms
    pop = net.add_population("unstable", 1, "adex")
    gen = net.add_spike_generator("gen", 1, [20.0], [0])
    net.connect(gen, pop, weight=1e308)
    net.connect(gen, pop, weight=1e308, receptor="inh")
    other = net.add_population("fine", 1, "lif_cond")
    mon = net.record_state(other, "v")
    with pytest.raises(ns.SimulationError, match=r"'unstable'.*t = \d"):
        net.run(100.0)
    assert 1.0 < net.t < 100.0
    assert len(mon.t) == net.step  # data recorded up to the failure are kept


@pytest.mark.parametrize(
    "make, match",
    [
        (
            lambda n: n.add_population("a", 3, "lif", params={"tau_m": -1.0}),
            r"tau_m.*-1.0.*\(0.0, inf\]",
        ),
        (lambda n: n.add_population("a", 3, "lif", params={"tau_m": float("nan")}), "tau_m"),
        (
            lambda n: n.add_population("a", 3, "lif", params={"tau_mm": 1.0}),
            "unknown parameter.*tau_mm",
        ),
        (lambda n: n.add_population("a", 3, "nope"), "unknown neuron model 'nope'"),
        (lambda n: n.add_population("a", 0, "lif"), "population size"),
        (lambda n: n.add_population("a", 3, "lif", params={"V_reset": -40.0}), "V_reset"),
        (lambda n: n.add_population("a b", 3, "lif"), "identifier"),
    ],
)
def test_bad_parameters_raise_value_errors(net, make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make(net)


def test_wrong_unit_is_a_type_error_naming_the_parameter(net):
    with pytest.raises(TypeError, match="tau_m.*time"):
        net.add_population("a", 3, "lif", params={"tau_m": 10 * b2.mV})
    pop = net.add_population("ok", 3, "lif", params={"tau_m": 20 * b2.ms, "C": 0.3 * b2.nF})
    assert pop.model.params.tau_m == 20.0 and pop.model.params.C == pytest.approx(300.0)
    with pytest.raises(TypeError, match="dt"):
        ns.Network(dt=1 * b2.mV)


def test_projection_and_state_errors(net):
    a = net.add_population("a", 3, "lif")
    c = net.add_population("c", 3, "lif_cond")
    with pytest.raises(ValueError, match=r"delay must be >= dt = 0.1 ms"):
        net.connect(a, a, delay=0.05)
    with pytest.raises(ValueError, match="receptor 'nmda'"):
        net.connect(a, a, receptor="nmda")
    with pytest.raises(ValueError, match=r"weight onto conductance receptor.*>= 0 nS"):
        net.connect(a, c, weight=-1.0)
    with pytest.raises(ValueError, match=r"weight needs one value per synapse \(9\)"):
        net.connect(a, a, weight=np.ones(4))
    with pytest.raises(ValueError, match="v needs a scalar or 3 values"):
        a.v = np.zeros(5)
    with pytest.raises(AttributeError, match="no state variable 'vv'"):
        a.vv = 1.0
    with pytest.raises(ValueError, match="duration"):
        net.run(-1.0)
    with pytest.raises(ValueError, match="delay must be >= dt"):
        net.connect(a, c, delay=0.01 * b2.ms)


def test_second_process_loads_compiled_kernel_from_cache(tmp_path):
    code = textwrap.dedent(
        """
        import neurosim as ns
        net = ns.Network(dt=0.1, seed=3)
        p = net.add_population("p", 10, "lif")
        net.add_current(p, ns.CurrentInput(500.0))
        s = net.record_spikes(p)
        net.run(20.0)
        k = net._engine.kernel
        print(len(s.t), sum(k.stats.cache_hits.values()), sum(k.stats.cache_misses.values()))
        """
    )
    env = {
        "NEUROSIM_CACHE_DIR": str(tmp_path),
        "NUMBA_CACHE_DIR": str(tmp_path / "numba"),
        "PATH": "/usr/bin:/bin",
    }
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        ).stdout.split()
        for _ in range(2)
    ]
    assert runs[0][0] == runs[1][0] and int(runs[0][0]) > 0
    assert runs[0][2] == "1"  # first process compiles
    assert runs[1][1] == "1" and runs[1][2] == "0"  # second loads from disk


def test_rebuilt_engine_does_not_add_a_current_twice(net):
    pop = net.add_population("p", 1, "lif")
    net.add_current(pop, ns.CurrentInput(100.0))
    net.run(1.0)
    net.record_spikes(pop)  # a new monitor rebuilds the compiled loop
    net.run(1.0)
    assert pop.I.tolist() == [100.0]


def test_assigned_weights_reach_the_kernel_and_run_rounds_to_the_nearest_step(net):
    times = np.arange(1.0, 100.0, 2.0)
    gen = net.add_spike_generator("gen", 1, times, np.zeros(times.size, int))
    cell = net.add_population("cell", 1, "lif")
    proj = net.connect(gen, cell, weight=10.0)
    st = net.record_state(cell, "I_syn_ex")
    net.run(20.0)
    assert st.I_syn_ex.max() > 5.0
    array = proj.weight
    proj.weight = np.zeros(1)  # written in place: the compiled loop holds this array
    assert proj.weight is array and array[0] == 0.0
    net.run(30.0)
    assert st.I_syn_ex[-1, 0] < 1e-3
    proj.weight = 50.0  # a scalar sets every synapse
    net.run(10.0)
    assert proj.weight[0] == 50.0 and st.I_syn_ex[-100:].max() > 20.0
    net.run(0.05)  # half a step rounds up
    net.run(0.14)
    assert net.step == 602


def test_constant_delays_must_lie_on_the_grid_drawn_ones_round(net):
    a = net.add_population("a", 20, "lif")
    drawn = net.connect(a, a, delay=ns.Uniform(0.5, 3.0))
    assert drawn.delay_steps.min() >= 5 and drawn.delay_steps.max() <= 30
    assert nearest_steps(np.array([0.04, 0.05, 0.149, 0.25]), 0.1).tolist() == [0, 1, 1, 3]
    assert net.connect(a, a, delay=0.7).delay_steps[0] == 7
    with pytest.raises(ValueError, match="0.15 ms is not a whole multiple"):
        net.connect(a, a, delay=np.full(400, 0.15))
