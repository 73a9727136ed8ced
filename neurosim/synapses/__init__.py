"""Plasticity rules, by name.

Each rule class registers itself in :data:`RULES` where it is defined
(``@RULES.register``); importing this package imports every module in it. Published
parameter sets (``models/synapses/<name>.toml``) load by file name, e.g.
``synapse_model("graupner_brunel_2012_dp")``. The registered rules:

"""

from __future__ import annotations

from neurosim.registry import import_submodules
from neurosim.synapses.base import RULES, SynapseModel
from neurosim.synapses.calcium import synaptic_change
from neurosim.synapses.protein import block_protein_synthesis, protein_at

import_submodules(__name__, __path__)
globals().update({cls.__name__: cls for cls in RULES.values()})
__doc__ += RULES.table()


def synapse_model(name: str, **params) -> SynapseModel:
    """A plasticity rule by registry name or published parameter-set name, with overrides."""
    return RULES.create(name, **params)


__all__ = [
    "RULES",
    "SynapseModel",
    "synapse_model",
    "synaptic_change",
    "block_protein_synthesis",
    "protein_at",
    *sorted(cls.__name__ for cls in RULES.values()),
]
