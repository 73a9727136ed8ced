"""A population whose external current is +0.0 for every neuron is updated without
reading it (the engine passes the model an empty ``I``, see
:func:`neurosim.neurons.base.current`); a current written in place between runs or
from an operation acts from the next step on, as it always did. Reference: forward
and exponential Euler of a single ``lif_cond`` cell without synaptic input, started
at rest, whose closed forms after ``m`` steps of a constant current ``I`` are
``E_L + (I/g_L)(1 - q^m)`` with ``q = 1 - dt g_L/C`` or ``q = exp(-dt g_L/C)``."""

import math

import pytest

import neurosim as ns
from neurosim.neurons.base import NeuronModel
from neurosim.neurons.lif import LIF, LIFCond, step_lif_current

P = ns.neurons.lif.LIFCondParams()
CURRENT = 50.0  # pA: rest + 5 mV, below threshold


def _factor(method):
    x = 0.1 * P.g_L / P.C
    return 1.0 - x if method == "euler" else math.exp(-x)


def _run(change, method):
    """Voltage of two cells after runs of 5 and 20 ms, ``CURRENT`` being written into
    cell 1's ``I`` in place ("between": between the runs, 200 steps before the end;
    "operation": from an operation at 2 ms, 230 steps before the end); the value of
    ``Z`` (the length of ``I`` the update reads) at the end of each run."""
    net = ns.Network(dt=0.1, seed=1)
    cells = net.add_population("cells", 2, "lif_cond", params={"method": method})
    if change == "operation":
        net.add_operation(lambda network: cells.I.__setitem__(1, CURRENT), every=100.0, start=2.0)
    lengths = []
    net.run(5.0)
    lengths.append(int(net._engine.args[net._engine.names.index("Z0")][0]))
    if change == "between":
        cells.I[1] = CURRENT
    net.run(20.0)
    lengths.append(int(net._engine.args[net._engine.names.index("Z0")][0]))
    return cells.v.copy(), lengths


@pytest.mark.parametrize("method", ["euler", "exponential_euler"])
@pytest.mark.parametrize("change", ["between", "operation"])
def test_a_current_written_in_place_acts_from_the_next_step(change, method):
    v, lengths = _run(change, method)
    steps = 200 if change == "between" else 230
    expected = P.E_L + CURRENT / P.g_L * (1.0 - _factor(method) ** steps)
    assert v[0] == P.E_L  # no current: exactly at rest
    assert v[1] == pytest.approx(expected, rel=1e-12, abs=0.0)
    # "between": the first run read no current, the second all of it; "operation":
    # the first chunk (before the operation at 2 ms) read none, the rest all of it
    assert lengths == ([0, 2] if change == "between" else [2, 2])


def test_negative_zero_and_fed_populations_read_their_current():
    net = ns.Network(dt=0.1, seed=1)
    a = net.add_population("a", 3, "lif_cond")
    net.add_population("b", 3, "lif_cond")
    c = net.add_population("c", 3, "lif_cond")
    a.I[1] = -0.0
    net.add_current(c, ns.inputs.CurrentInput(times=[1.0], amplitudes=[0.0]))
    net.run(1.0)
    engine = net._engine
    assert engine.args[engine.names.index("Z0")][0] == 3  # -0.0 is not +0.0
    assert engine.args[engine.names.index("Z1")][0] == 0
    assert "Z2" not in engine.names  # a current input writes c's I inside the loop
    assert "I2, n" in engine.source


def test_a_subclass_with_its_own_step_must_declare_it_again():
    assert LIF.zero_current_as_empty and LIFCond.zero_current_as_empty
    assert not NeuronModel.zero_current_as_empty

    class Mine(LIF):
        name = "mine_for_the_test"
        step = step_lif_current

    class Same(LIF):
        name = "same_for_the_test"

    assert not Mine.zero_current_as_empty
    assert Same.zero_current_as_empty
