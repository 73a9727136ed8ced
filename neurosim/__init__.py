"""neurosim: a fast spiking-network simulator for the study of learning.

Units follow NEST: ms, mV, pF, nS, pA, Hz. See :class:`Network` to start.
"""

from importlib.metadata import PackageNotFoundError, version

from neurosim import synapses as synapses
from neurosim.connectivity import (
    AllToAll,
    Explicit,
    FixedInDegree,
    FixedOutDegree,
    FixedProbability,
    LogNormal,
    Normal,
    OneToOne,
    Uniform,
)
from neurosim.inputs import CurrentInput, PoissonSource, SpikeGeneratorSource
from neurosim.network import Network, Population, Projection, SimulationError
from neurosim.neurons import MODELS, model

try:
    __version__ = version("neurosim")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"

__all__ = [
    "MODELS",
    "AllToAll",
    "CurrentInput",
    "Explicit",
    "FixedInDegree",
    "FixedOutDegree",
    "FixedProbability",
    "LogNormal",
    "Network",
    "Normal",
    "OneToOne",
    "PoissonSource",
    "Population",
    "Projection",
    "SimulationError",
    "SpikeGeneratorSource",
    "Uniform",
    "model",
]
