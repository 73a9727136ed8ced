"""Neuron models, by name.

========== ============================================== ===============================
name       model                                          module
========== ============================================== ===============================
lif        LIF, exponential synaptic currents             :mod:`neurosim.neurons.lif`
lif_cond   LIF, exponential synaptic conductances         :mod:`neurosim.neurons.lif`
adex       adaptive exponential IF, conductances          :mod:`neurosim.neurons.adex`
izhikevich Izhikevich 2003 simple model                   :mod:`neurosim.neurons.izhikevich`
========== ============================================== ===============================
"""

from __future__ import annotations

from neurosim.neurons.adex import AdEx
from neurosim.neurons.base import NeuronModel
from neurosim.neurons.izhikevich import Izhikevich
from neurosim.neurons.lif import LIF, LIFCond
from neurosim.params import available_parameter_sets, load_parameter_set

#: The registry: model name -> class. Adding a model adds one line here.
MODELS: dict[str, type[NeuronModel]] = {cls.name: cls for cls in (LIF, LIFCond, AdEx, Izhikevich)}


def model(name: str, **params) -> NeuronModel:
    """A neuron model by registry name or published parameter set name.

    ``model("lif_cond", tau_e=3.0)`` uses the model's defaults with overrides;
    ``model("adex_brette_gerstner_2005")`` loads ``models/neurons/<name>.toml``.
    """
    if name in MODELS:
        return MODELS[name](**params)
    if name in available_parameter_sets("neurons"):
        data = load_parameter_set("neurons", name)
        return MODELS[data["model"]](**{**data["params"], **params})
    raise ValueError(
        f"unknown neuron model {name!r}; models: {sorted(MODELS)}; "
        f"published sets: {available_parameter_sets('neurons')}"
    )


__all__ = ["MODELS", "AdEx", "Izhikevich", "LIF", "LIFCond", "NeuronModel", "model"]
