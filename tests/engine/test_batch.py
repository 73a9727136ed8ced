"""Batched instances in one kernel give bit-identical results to single runs."""

import numpy as np
import pytest

from neurosim.engine.batch import run_batch
from neurosim.network import SimulationError
from tests.sweep_targets import setup

#: instances differ in parameters and seeds (so in synapse counts) and in size
PARAMS = [
    {"rate": 20.0, "w": 1.0, "seed": 0},
    {"rate": 35.0, "w": 0.7, "seed": 1},
    {"rate": 20.0, "w": 1.4, "seed": 2, "n": 24},
    {"rate": 50.0, "w": 1.0, "seed": 3, "duration": 150.0},
]


def _recorded(net):
    spikes, state, weights = net.monitors
    proj = net.projections["ee"]
    return {
        "t": spikes.t,
        "i": spikes.i,
        "state_t": state.t,
        "v": state.v,
        "g_e": state.g_e,
        "w_t": weights.t,
        "w": weights.w,
        "weight": proj.weight,
        "S": net.populations["exc"].S,
        "step": np.array([net.step]),
        **{k: np.array([v]) for k, v in net.counters().items()},
    }


def _alone(params, rule):
    net, duration = setup(**params, rule=rule)
    net.run(duration)
    return _recorded(net)


# Graupner–Brunel: a rule whose random state holds buffered normals and scratch
@pytest.mark.parametrize("rule", ["stdp_pair", "graupner_brunel_2012_dp"])
def test_batch_is_bit_identical_to_single_runs(rule):
    expected = [_alone(p, rule) for p in PARAMS]
    built = [setup(**p, rule=rule) for p in PARAMS]
    errors = run_batch([net for net, _ in built], [d for _, d in built])
    assert errors == [None] * len(PARAMS)
    for k, ((net, _), ref) in enumerate(zip(built, expected, strict=True)):
        got = _recorded(net)
        assert got.keys() == ref.keys()
        for key in ref:
            assert np.array_equal(got[key], ref[key]), f"instance {k}: {key} differs"
    assert len(expected[0]["t"]) > 10  # the comparison covers real activity


def test_batch_continues_like_single_runs_and_isolates_failures():
    built = [setup(**p) for p in PARAMS[:3]]
    nets = [net for net, _ in built]
    nets[1].populations["exc"].g_e = 1e308  # g_e + g_i overflows in the first step
    nets[1].populations["exc"].g_i = 1e308
    errors = run_batch(nets, 100.0)
    assert errors[0] is None and errors[2] is None
    assert isinstance(errors[1], SimulationError)
    assert run_batch([nets[0], nets[2]], 100.0) == [None, None]  # a second run goes on
    for net, params in zip((nets[0], nets[2]), (PARAMS[0], PARAMS[2]), strict=True):
        ref, _ = setup(**params)
        ref.run(100.0)
        ref.run(100.0)
        assert np.array_equal(net.monitors[0].t, ref.monitors[0].t)
        assert np.array_equal(net.projections["ee"].weight, ref.projections["ee"].weight)


def test_batch_rejects_bad_input():
    net, _ = setup()
    with pytest.raises(ValueError, match="more than once"):
        run_batch([net, net], 10.0)
    with pytest.raises(ValueError, match="durations"):
        run_batch([net], [10.0, 20.0])
    assert run_batch([], 10.0) == []
