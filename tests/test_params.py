import dataclasses
import inspect
import math
import re
import sys

import numpy as np
import pytest

import neurosim as ns
from neurosim import paramdocs
from neurosim.inputs import PoissonSource, SpikeGeneratorSource
from neurosim.neurons.lif import LIFCondParams
from neurosim.params import pack
from neurosim.synapses.traces import TABLE_STEPS


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
        assert set(cls.receptors) == ({"release"} if name == "modulator" else {"exc", "inh"})
        b2 = vars(m.brian2_model())
        assert {"equations", "threshold", "reset", "refractory", "method", "namespace"} <= set(
            b2
        ), name
        assert m.constants(0.1).dtype == float


def test_unknown_parameter_set():
    with pytest.raises(ValueError, match="published sets"):
        ns.model("adex_nobody_1999")


def test_pack_fills_every_slot_once():
    assert list(pack(3, {2: 5.0, 0: 1.0, 1: 3.0})) == [1.0, 3.0, 5.0]
    with pytest.raises(ValueError, match=r"missing \[1\]"):
        pack(3, {0: 1.0, 2: 5.0})
    with pytest.raises(ValueError, match=r"outside 0..1: \[2\]"):
        pack(2, {0: 1.0, 1: 2.0, 2: 3.0})


def _ref_steps(t_ref, dt):
    return float(math.floor(t_ref / dt + 1e-3))


def _p21(p, tau_s):
    # propagator of a decaying current onto V, from the two-exponential solution
    a, b = 1 / p.tau_m, 1 / tau_s
    return (math.exp(-DT * b) - math.exp(-DT * a)) / ((a - b) * p.C)


def _epsp_scale(p):
    t = np.linspace(0.0, 5 * p.tau_epsp_decay, 2_000_001)
    peak = np.max(np.exp(-t / p.tau_epsp_decay) - np.exp(-t / p.tau_epsp_rise))
    return p.epsp_amplitude / peak


def _peak(p):
    # the modulator's release response at its peak (before normalisation), found numerically
    from scipy.optimize import minimize_scalar

    def response(t):
        return -(math.exp(-t / p.tau_decay) - math.exp(-t / p.tau_rise))

    found = minimize_scalar(
        response,
        bounds=(0.0, p.tau_decay),
        method="bounded",
        options={"xatol": 1e-14 * p.tau_decay},
    )
    return -found.fun


DT = 0.1
_THRESHOLD_RESET = {
    "E_L": lambda p: p.E_L,
    "V_TH": lambda p: p.V_th,
    "V_RESET": lambda p: p.V_reset,
    "N_REF": lambda p: _ref_steps(p.t_ref, DT),
}
_STDP = {
    "TS_PLUS": lambda p: p.tau_plus / DT,
    "TS_MINUS": lambda p: p.tau_minus / DT,
    "W_MIN": lambda p: p.w_min,
    "W_MAX": lambda p: p.w_max,
    "NEAREST": lambda p: 0.0,
}
_SHOUVAL_PARAMS = (
    "I_f tau_f tau_s V_r Mg bpap_amplitude bpap_fast tau_bpap_fast tau_bpap_slow bpap_delay "
    "alpha1 alpha2 beta1 beta2 P1 P2 P3 P4 lam tau_epsp_decay tau_epsp_rise V_rest"
).split()
#: What each named slot of each class's P holds, written from the model equations:
#: (name of the size constant, slot name -> value for parameters p at step DT).
SLOTS = {
    "LIF": (
        "LIF_SIZE",
        {
            **_THRESHOLD_RESET,
            "DECAY_EX": lambda p: math.exp(-DT / p.tau_syn_ex),
            "DECAY_IN": lambda p: math.exp(-DT / p.tau_syn_in),
            "P22": lambda p: math.exp(-DT / p.tau_m),
            "P20": lambda p: p.tau_m / p.C * (1 - math.exp(-DT / p.tau_m)),
            "P21_EX": lambda p: _p21(p, p.tau_syn_ex),
            "P21_IN": lambda p: _p21(p, p.tau_syn_in),
        },
    ),
    "LIFCond": (
        "LIF_COND_SIZE",
        {
            **_THRESHOLD_RESET,
            "DECAY_EX": lambda p: math.exp(-DT / p.tau_e),
            "DECAY_IN": lambda p: math.exp(-DT / p.tau_i),
            "H_C": lambda p: DT / p.C,
            "G_L": lambda p: p.g_L,
            "E_E": lambda p: p.E_e,
            "E_I": lambda p: p.E_i,
            "EXP_EULER": lambda p: 1.0,
        },
    ),
    "AdEx": (
        "ADEX_SIZE",
        {
            **{k: v for k, v in _THRESHOLD_RESET.items() if k != "V_TH"},
            "H": lambda p: DT,
            "C_M": lambda p: p.C,
            "G_L": lambda p: p.g_L,
            "V_T": lambda p: p.V_T,
            "DELTA_T": lambda p: p.Delta_T,
            "V_PEAK": lambda p: p.V_peak,
            "A_SUB": lambda p: p.a,
            "B_SPIKE": lambda p: p.b,
            "TAU_W": lambda p: p.tau_w,
            "E_E": lambda p: p.E_e,
            "E_I": lambda p: p.E_i,
            "DECAY_E": lambda p: math.exp(-DT / p.tau_e),
            "DECAY_I": lambda p: math.exp(-DT / p.tau_i),
        },
    ),
    "Izhikevich": (
        "IZHIKEVICH_SIZE",
        {
            "H": lambda p: DT,
            "RATE_U": lambda p: p.a,
            "SENS_U": lambda p: p.b,
            "V_RESET": lambda p: p.c,
            "JUMP_U": lambda p: p.d,
            "V_TH": lambda p: p.V_th,
        },
    ),
    "Modulator": (
        "MODULATOR_SIZE",
        {
            "BASELINE": lambda p: p.baseline,
            "DECAY": lambda p: math.exp(-DT / p.tau_decay),
            "RISE": lambda p: math.exp(-DT / p.tau_rise),
            "GAIN": lambda p: (math.exp(-DT / p.tau_decay) - math.exp(-DT / p.tau_rise)) / _peak(p),
            "TAU_DECAY": lambda p: p.tau_decay,
            "TAU_RISE": lambda p: p.tau_rise,
            "INV_PEAK": lambda p: 1 / _peak(p),
        },
    ),
    "PoissonSource": ("SOURCE_SIZE", {"DT": lambda p: DT}),
    "SpikeGeneratorSource": ("SOURCE_SIZE", {"DT": lambda p: DT}),
    "TsodyksMarkram": (
        "TM_SIZE",
        {"TS_D": lambda p: p.tau_d / DT, "TS_F": lambda p: p.tau_f / DT},
    ),
    "PairSTDP": (
        "PAIR_SIZE",
        {
            **_STDP,
            "A_PLUS": lambda p: p.A_plus,
            "A_MINUS": lambda p: p.A_minus,
            "MU_PLUS": lambda p: p.mu_plus,
            "MU_MINUS": lambda p: p.mu_minus,
        },
    ),
    "TripletSTDP": (
        "TRIPLET_SIZE",
        {
            **_STDP,
            "TS_X": lambda p: p.tau_x / DT,
            "TS_Y": lambda p: p.tau_y / DT,
            "A2_PLUS": lambda p: p.A2_plus,
            "A3_PLUS": lambda p: p.A3_plus,
            "A2_MINUS": lambda p: p.A2_minus,
            "A3_MINUS": lambda p: p.A3_minus,
        },
    ),
    "GraupnerBrunel": (
        "GB_SIZE",
        {
            "TAU_CA": lambda p: p.tau_Ca,
            "C_PRE": lambda p: p.C_pre,
            "C_POST": lambda p: p.C_post,
            "SIGMA": lambda p: p.sigma,
            "DT": lambda p: DT,
            "W_MIN": lambda p: p.w_min,
            "W_MAX": lambda p: p.w_max,
            "BAND": lambda p: math.log(p.theta_p) - math.log(p.theta_d),
            "LOG_THETA_D": lambda p: math.log(p.theta_d),
            "RATE_P": lambda p: (p.gamma_p + p.gamma_d) / p.tau,
            "INV_G": lambda p: 1 / (p.gamma_p + p.gamma_d),
            "BAR": lambda p: p.gamma_p / (p.gamma_p + p.gamma_d),
            "RATE_D": lambda p: p.gamma_d / p.tau,
            "INV_2GD": lambda p: 1 / (2 * p.gamma_d),
            "INV_TAU": lambda p: 1 / p.tau,
            "INV_2TAU": lambda p: 1 / (2 * p.tau),
            "STEP_DECAY": lambda p: DT / p.tau_Ca,
            "BAND_ARG": lambda p: p.gamma_d * p.tau_Ca * math.log(p.theta_p / p.theta_d) / p.tau,
        },
    ),
    "Shouval2002": (
        "SHOUVAL_SIZE",
        {
            **{name.upper(): (lambda p, name=name: getattr(p, name)) for name in _SHOUVAL_PARAMS},
            "DT": lambda p: DT,
            "TAU_CA": lambda p: p.tau_Ca,
            "G_CA": lambda p: p.P0 * p.G_NMDA,
            "KERNEL": lambda p: 0.0,
            "ACTIVE_STEPS": lambda p: math.ceil(
                (max(p.tau_s, p.tau_epsp_decay) * math.log(1e6) + 20 * p.tau_Ca) / DT
            ),
            "EPSP_SCALE": _epsp_scale,
        },
    ),
    "TaggingCapture": (
        "STC_SIZE",
        {
            "DT": lambda p: DT,
            "STEP_DECAY": lambda p: DT / p.tau_Ca,
            "C_PRE": lambda p: p.C_pre,
            "C_POST": lambda p: p.C_post,
            "TAU_CA": lambda p: p.tau_Ca,
            "LOG_THETA_D": lambda p: math.log(p.theta_d),
            "BAND": lambda p: math.log(p.theta_p / p.theta_d),
            "THETA_D": lambda p: p.theta_d,
            "H0": lambda p: p.h0,
            "P_FIX": lambda p: (0.1 * p.h0 + p.gamma_p * p.h_max) / (0.1 + p.gamma_p + p.gamma_d),
            "P_RATE": lambda p: (0.1 + p.gamma_p + p.gamma_d) / p.tau_h,
            "P_VAR": lambda p: 1 / (0.1 + p.gamma_p + p.gamma_d),
            "D_FIX": lambda p: 0.1 * p.h0 / (0.1 + p.gamma_d),
            "D_RATE": lambda p: (0.1 + p.gamma_d) / p.tau_h,
            "D_VAR": lambda p: 1 / (2 * (0.1 + p.gamma_d)),
            "RELAX": lambda p: 0.1 / p.tau_h,
            "THETA_TAG": lambda p: p.theta_tag,
            "THETA_PRO": lambda p: p.theta_pro,
            "TAU_P": lambda p: p.tau_p,
            "ALPHA": lambda p: p.alpha,
            "TAU_Z": lambda p: p.tau_z,
            "Z_MIN": lambda p: p.z_min,
            "Z_MAX": lambda p: p.z_max,
            "SIGMA": lambda p: p.sigma,
        },
    ),
}


def _distinct_parameters(Params):
    """A valid parameter set whose numbers differ from each other (so that a slot
    holding the wrong parameter shows), each default moved a little where allowed."""
    values = {}
    for k, field in enumerate(dataclasses.fields(Params)):
        if not isinstance(field.default, float):
            continue
        shift = 1e-3 * (k + 1)
        try:
            Params.create(**{**values, field.name: field.default * (1 + shift) + shift})
        except ValueError:
            continue
        values[field.name] = field.default * (1 + shift) + shift
    return Params.create(**values)


def _slotted_classes():
    return [*ns.MODELS.values(), *ns.synapses.RULES.values(), PoissonSource, SpikeGeneratorSource]


def test_every_model_rule_and_source_has_its_slots_described():
    assert sorted(cls.__name__ for cls in _slotted_classes()) == sorted(SLOTS)


@pytest.mark.parametrize("cls", _slotted_classes(), ids=lambda cls: cls.__name__)
def test_named_slots_hold_the_values_they_name(cls):
    # the module's slot constants fill 0 .. size - 1, each once, and each slot holds
    # the value its name says (tables, where a rule has them, follow the named slots)
    size_name, expected = SLOTS[cls.__name__]
    module = sys.modules[cls.__module__]
    size = getattr(module, size_name)
    slots = {name: getattr(module, name) for name in expected}
    assert sorted(slots.values()) == list(range(size)), slots
    if cls in (PoissonSource, SpikeGeneratorSource):
        model = cls(rate=1.0) if cls is PoissonSource else cls([1.0], [0])
    else:
        model = cls(params=_distinct_parameters(cls.Params))
    P = model.constants(DT)
    tables = {"TsodyksMarkram": 2, "PairSTDP": 2, "TripletSTDP": 4}.get(cls.__name__, 0)
    assert P.shape == (size + tables * TABLE_STEPS,)
    for name, slot in slots.items():
        assert P[slot] == pytest.approx(expected[name](model.params), rel=1e-9), name


def test_docs_parameter_tables_agree_with_the_code():
    # every model and rule page has a generated table per model or rule, and none is
    # stale (`python -m neurosim.paramdocs` rewrites them)
    assert set(paramdocs.documented()) == set(ns.MODELS) | set(ns.synapses.RULES)
    assert paramdocs.stale_pages() == []
    page = paramdocs.documented()["lif"].read_text()
    edited = page.replace("| `tau_m` | 10.0 |", "| `tau_m` | 20.0 |")
    assert edited != page and paramdocs.render(edited) == page


@pytest.mark.parametrize("cls", _slotted_classes(), ids=lambda cls: cls.__name__)
def test_kernels_read_parameters_by_slot_name(cls):
    source = inspect.getsource(sys.modules[cls.__module__])
    assert not re.search(r"\bP\[\d", source), "a kernel reads P by number"


def test_models_and_rules_register_once_by_name():
    from neurosim.neurons import LIF, MODELS, NeuronModel
    from neurosim.synapses import RULES, TsodyksMarkram

    assert MODELS["lif"] is LIF and RULES["tsodyks_markram"] is TsodyksMarkram
    assert ":mod:`neurosim.neurons.lif`" in ns.neurons.__doc__
    with pytest.raises(ValueError, match="two models named 'lif'"):

        @MODELS.register
        class Another(NeuronModel):
            name = "lif"

    with pytest.raises(ValueError, match="unknown synapse model 'nope'; rules:"):
        ns.synapses.synapse_model("nope")
