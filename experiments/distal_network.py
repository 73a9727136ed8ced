"""The network of the distal-reward experiment (Izhikevich 2007 Fig. 1).

:func:`build` makes the network of :mod:`neurosim.experiments.distal_reward` for one
seed: excitatory and inhibitory Izhikevich neurons with the random thalamic input,
random connectivity as in the published code (``daspnet.m``), plastic excitatory
synapses reading a dopamine modulator, a reward spike generator releasing into it,
and the chosen synapse at weight 0 with monitors on its two neurons.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import neurosim as ns
from neurosim.kernels.rng import numpy_generator
from neurosim.params import load_parameter_set

#: Synapses each neuron sends (the paper's M).
SYNAPSES_PER_NEURON = 100
#: Initial excitatory and fixed inhibitory weights (mV; the code's ``s``).
INITIAL_WEIGHT, INHIBITORY_WEIGHT = 1.0, -1.0
#: The published set of the rule; its ``[modulator]`` table gives the dopamine's decay,
#: tonic level and release per reward (0.2 s, 0.002 and 0.5 in the published code).
DEFAULT_RULE = "izhikevich_2007_dopamine"
#: Width of the uniform thalamic current drawn every step (pA; ``13 * (rand - 0.5)``).
THALAMIC_PA = 13.0
#: Reward neurons of the generator: rewards due in the same step use one each.
REWARD_CHANNELS = 8


@dataclass
class DistalNetwork:
    """The network of one run (made by :func:`build`) and what the experiment reads.

    Attributes
    ----------
    net : Network
        The network.
    exc : Population
        The excitatory neurons.
    reward : Population
        The spike generator whose spikes release dopamine.
    plastic : list of Projection
        The plastic projections: excitatory to excitatory, excitatory to inhibitory.
    chosen : int
        Index (CSR order) of the chosen synapse in ``plastic[0]``.
    pre, post : int
        Its presynaptic and postsynaptic excitatory neurons.
    pre_spikes, post_spikes : SpikeMonitor
        Monitors of these two neurons.
    """

    net: ns.Network
    exc: ns.Population
    reward: ns.Population
    plastic: list
    chosen: int
    pre: int
    post: int
    pre_spikes: object
    post_spikes: object


def dopamine_of(rule) -> tuple[dict, float]:
    """The modulator's parameters (``tau_decay``, ``tau_rise`` in ms, ``baseline``) and
    the release per reward: the ``[modulator]`` table of ``rule``'s published set, or
    of :data:`DEFAULT_RULE` for a rule given otherwise (a name without such a table, a
    :class:`~neurosim.synapses.SynapseModel`)."""
    name = rule if isinstance(rule, str) else DEFAULT_RULE
    try:
        table = load_parameter_set("synapses", name).get("modulator")
    except ValueError:  # a rule's registry name, not a published set
        table = None
    table = dict(table or load_parameter_set("synapses", DEFAULT_RULE)["modulator"])
    return table, float(table.pop("reward"))


def _noisy(published: str):
    """``izhikevich_noisy`` with the parameters of a published ``izhikevich`` set and
    the thalamic input of width :data:`THALAMIC_PA`."""
    return ns.model(
        "izhikevich_noisy",
        **load_parameter_set("neurons", published)["params"],
        I_noise=THALAMIC_PA,
    )


def _targets(rng, n_exc: int, n: int, m: int, max_delay: int):
    """Targets (with replacement) and delays (ms) of the excitatory and inhibitory
    neurons' synapses, as in the paper's code."""
    exc_post = rng.integers(0, n, size=(n_exc, m))
    inh_post = rng.integers(0, n_exc, size=(n - n_exc, m))
    # synapse j of a neuron has delay 1 + floor(j D / M) ms: M / D synapses per delay
    delays = np.broadcast_to(1 + (np.arange(m) * max_delay) // m, (n_exc, m))
    return exc_post, inh_post, delays


def build(
    n_neurons: int = 1000,
    dt: float = 1.0,
    seed: int = 0,
    max_delay_ms: int = 1,
    rule=DEFAULT_RULE,
) -> DistalNetwork:
    """The network of :mod:`neurosim.experiments.distal_reward` for one seed.

    Parameters
    ----------
    n_neurons : int
        Neurons, 80 % excitatory (``izhikevich_regular_spiking``), the rest inhibitory
        (``izhikevich_fast_spiking``), both ``izhikevich_noisy`` with the thalamic
        input ``I_noise`` = :data:`THALAMIC_PA` pA; each sends :data:`SYNAPSES_PER_NEURON` synapses.
    dt : float
        Time step (ms).
    seed : int
        Seed of the network (connectivity: stream ``distal_reward/connectivity``).
    max_delay_ms : int
        Excitatory delays spread over 1 .. ``max_delay_ms`` ms; inhibitory 1 ms.
    rule : str or SynapseModel
        Rule of the excitatory synapses (initial weight :data:`INITIAL_WEIGHT` mV),
        reading the modulator ``dopamine`` (parameters from :func:`dopamine_of`), into
        which the spike generator ``reward`` (:data:`REWARD_CHANNELS` neurons, no
        spikes yet) releases the reward per spike.

    Returns
    -------
    DistalNetwork
        The network with the chosen synapse at weight 0 and spike monitors on its
        two neurons.
    """
    n_exc = int(round(0.8 * n_neurons))
    rng = numpy_generator(seed, "distal_reward/connectivity")
    exc_post, inh_post, delays = _targets(rng, n_exc, n_neurons, SYNAPSES_PER_NEURON, max_delay_ms)
    net = ns.Network(dt=dt, seed=seed)
    exc = net.add_population("exc", n_exc, _noisy("izhikevich_regular_spiking"))
    inh = net.add_population("inh", n_neurons - n_exc, _noisy("izhikevich_fast_spiking"))
    dopamine, release = dopamine_of(rule)
    da = net.add_modulator("dopamine", **dopamine)
    reward = net.add_spike_generator("reward", REWARD_CHANNELS, times=[], indices=[])
    net.connect(reward, da, weight=release, receptor="release")
    pre_idx = np.repeat(np.arange(n_exc), SYNAPSES_PER_NEURON)
    post_flat, delay_flat = exc_post.ravel(), delays.ravel() * 1.0
    plastic = []
    for name, to_exc, target in (("ee", True, exc), ("ei", False, inh)):
        keep = post_flat < n_exc if to_exc else post_flat >= n_exc
        post = post_flat[keep] - (0 if to_exc else n_exc)
        plastic.append(
            net.connect(
                exc,
                target,
                ns.Explicit(pre_idx[keep], post),
                weight=INITIAL_WEIGHT,
                delay=delay_flat[keep],
                synapse=rule,
                modulator=da,
                name=name,
            )
        )
    inh_pre = np.repeat(np.arange(n_neurons - n_exc), SYNAPSES_PER_NEURON)
    net.connect(
        inh, exc, ns.Explicit(inh_pre, inh_post.ravel()), weight=INHIBITORY_WEIGHT, receptor="inh"
    )
    ee = plastic[0]
    # the first synapse of excitatory neuron 0 onto another excitatory neuron (the
    # code's synapse 1 of neuron 1, here kept excitatory to excitatory)
    chosen = int(ee.indptr[0] + np.flatnonzero(ee.post[ee.indptr[0] : ee.indptr[1]] != 0)[0])
    pre, post = int(ee.pre[chosen]), int(ee.post[chosen])
    ee.weight[chosen] = 0.0
    spikes = [net.record_spikes(exc, neurons=[k]) for k in (pre, post)]
    return DistalNetwork(net, exc, reward, plastic, chosen, pre, post, *spikes)
