"""Neuron models, by name.

Each model class registers itself in :data:`MODELS` where it is defined
(``@MODELS.register``); importing this package imports every module in it. The
registered models:

"""

from __future__ import annotations

from neurosim.neurons.base import MODELS, NeuronModel
from neurosim.registry import import_submodules

import_submodules(__name__, __path__)
globals().update({cls.__name__: cls for cls in MODELS.values()})
__doc__ += MODELS.table()


def model(name: str, **params) -> NeuronModel:
    """A neuron model by registry name or published parameter set name.

    ``model("lif_cond", tau_e=3.0)`` uses the model's defaults with overrides;
    ``model("adex_brette_gerstner_2005")`` loads ``models/neurons/<name>.toml``.
    """
    return MODELS.create(name, **params)


__all__ = ["MODELS", "NeuronModel", "model", *sorted(cls.__name__ for cls in MODELS.values())]
