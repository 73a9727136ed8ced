import pytest

import neurosim as ns
from neurosim.neurons.lif import LIFCondParams


def test_parameter_sets_validate_and_describe():
    p = LIFCondParams.create(tau_e=3.0)
    assert p.tau_e == 3.0 and p.replace(tau_i=2.0).tau_i == 2.0
    with pytest.raises(
        ValueError, match=r"'tau_e' = 0.0 is outside the accepted range \(0.0, inf\] ms"
    ):
        LIFCondParams.create(tau_e=0.0)
    with pytest.raises(ValueError, match="method"):
        LIFCondParams.create(method="rk4")
    with pytest.raises(TypeError, match="must be a number"):
        LIFCondParams.create(C="big")
    names = [row[0] for row in LIFCondParams.table()]
    assert names[:3] == ["C", "g_L", "E_L"]


def test_every_model_has_a_complete_protocol():
    for name, cls in ns.MODELS.items():
        m = cls()
        S = m.initial_state(3)
        assert S.shape == (len(cls.state_vars), 3)
        assert set(cls.receptors) == {"exc", "inh"}
        b2 = vars(m.brian2_model())
        assert {"equations", "threshold", "reset", "refractory", "method", "namespace"} <= set(
            b2
        ), name
        assert m.constants(0.1).dtype == float


def test_unknown_parameter_set():
    with pytest.raises(ValueError, match="published sets"):
        ns.model("adex_nobody_1999")
