"""Plasticity rules, by name.

================== ====================================== ======================================
name               rule                                   module
================== ====================================== ======================================
stdp_pair          pair STDP, additive ... multiplicative :mod:`neurosim.synapses.stdp`
stdp_triplet       triplet STDP (Pfister & Gerstner 2006) :mod:`neurosim.synapses.stdp`
tsodyks_markram    short-term depression/facilitation     :mod:`neurosim.synapses.short_term`
graupner_brunel    calcium-based (Graupner & Brunel 2012) :mod:`neurosim.synapses.calcium`
shouval_2002       NMDA calcium control (Shouval 2002)    :mod:`neurosim.synapses.nmda_calcium`
================== ====================================== ======================================

Published parameter sets (``models/synapses/<name>.toml``) load by file name, e.g.
``synapse_model("graupner_brunel_2012_dp")``.
"""

from __future__ import annotations

from neurosim.params import available_parameter_sets, load_parameter_set
from neurosim.synapses.base import SynapseModel
from neurosim.synapses.calcium import GraupnerBrunel, synaptic_change
from neurosim.synapses.nmda_calcium import Shouval2002
from neurosim.synapses.short_term import TsodyksMarkram
from neurosim.synapses.stdp import PairSTDP, TripletSTDP

#: The registry: rule name -> class. Adding a rule adds one line here.
RULES: dict[str, type[SynapseModel]] = {
    cls.name: cls for cls in (PairSTDP, TripletSTDP, TsodyksMarkram, GraupnerBrunel, Shouval2002)
}


def synapse_model(name: str, **params) -> SynapseModel:
    """A plasticity rule by registry name or published parameter-set name, with overrides."""
    if name in RULES:
        return RULES[name](**params)
    if name in available_parameter_sets("synapses"):
        data = load_parameter_set("synapses", name)
        return RULES[data["model"]](**{**data["params"], **params})
    raise ValueError(
        f"unknown synapse model {name!r}; rules: {sorted(RULES)}; "
        f"published sets: {available_parameter_sets('synapses')}"
    )


__all__ = [
    "RULES",
    "GraupnerBrunel",
    "PairSTDP",
    "Shouval2002",
    "SynapseModel",
    "TripletSTDP",
    "TsodyksMarkram",
    "synapse_model",
    "synaptic_change",
]
