"""Networks whose spikes, weights and samples were saved before the engine was reshaped.

``python -m tests.golden`` writes ``tests/data/golden.npz``; ``tests/test_golden.py``
runs the same networks and requires identical results (bit for bit): the reshaping of
the engine must not change what a seed produces.
"""

from __future__ import annotations

import numpy as np

import neurosim as ns
from neurosim.experiments.coba import build as build_coba

RULES = ("stdp_pair", "stdp_triplet", "tsodyks_markram", "graupner_brunel", "shouval_2002")


def coba():
    net = build_coba(n_exc=800, n_inh=200, p=0.05, seed=3)
    return net, 300.0


def calcium():
    """The calcium benchmark network, smaller: 200 inputs at 5 Hz, 20 LIF neurons."""
    net = ns.Network(dt=0.1, seed=5)
    inp = net.add_poisson("input", 200, rate=5.0)
    post = net.add_population("post", 20, "lif_cond", params={"method": "exponential_euler"})
    post.v = ns.Uniform(-60.0, -50.0)
    proj = net.connect(inp, post, weight=0.6, synapse="graupner_brunel_2012_dp")
    proj.rho = (np.arange(proj.n_synapses) % 2).astype(float)
    net.record_weights(proj, synapses=np.arange(0, proj.n_synapses, 97), every=5.0)
    return net, 500.0


def mixed():
    """Every component kind: delays beyond one step, a current, all monitor kinds,
    AdEx and Izhikevich populations, a spike generator."""
    net = ns.Network(dt=0.1, seed=11)
    noise = net.add_poisson("noise", 300, rate=12.0)
    gen = net.add_spike_generator("gen", 4, times=[5.0, 20.0, 20.0, 51.3], indices=[0, 1, 3, 2])
    lif = net.add_population("lif", 60, "lif")
    adex = net.add_population("adex", 30, "adex")
    izh = net.add_population("izh", 30, "izhikevich")
    lif.v = ns.Uniform(-70.0, -55.0)
    net.connect(noise, lif, ns.FixedProbability(0.1), weight=150.0, delay=ns.Uniform(0.5, 3.0))
    net.connect(noise, adex, ns.FixedProbability(0.1), weight=2.0, delay=2.0)
    net.connect(gen, izh, weight=20.0, delay=1.2)
    net.connect(lif, izh, ns.FixedProbability(0.2), weight=3.0, delay=0.7)
    net.connect(izh, lif, ns.FixedInDegree(5), weight=-20.0, delay=4.0, receptor="inh")
    net.add_current(lif, ns.CurrentInput(500.0, start=50.0, stop=150.0), neurons=[0, 1, 2])
    net.add_current(adex, ns.CurrentInput(times=[0.0, 100.0], amplitudes=[300.0, 600.0]))
    net.record_state(lif, "v", neurons=[0, 5], every=0.5)
    net.record_state(adex, "w", neurons=[1, 2])
    net.record_rate(izh)
    return net, 250.0


def rule(name):
    net = ns.Network(dt=0.1, seed=21)
    inp = net.add_poisson("input", 100, rate=25.0)
    post = net.add_population("post", 10, "lif_cond")
    post.v = ns.Uniform(-60.0, -50.0)
    weight = {"tsodyks_markram": 3.0, "shouval_2002": 0.5}.get(name, 0.8)
    proj = net.connect(inp, post, weight=weight, delay=2.0, synapse=name)
    if name == "graupner_brunel":
        proj.rho = 1.0
    net.record_weights(proj, synapses=np.arange(0, proj.n_synapses, 50), every=1.0)
    return net, 400.0


def networks():
    nets = {"coba": coba, "calcium": calcium, "mixed": mixed}
    nets.update({f"rule_{r}": (lambda r=r: rule(r)) for r in RULES})
    return nets


def outcome(name) -> dict[str, np.ndarray]:
    """Run network ``name`` and return every recorded array, by key."""
    net, duration = networks()[name]()
    spikes = {p: net.record_spikes(pop) for p, pop in net.populations.items()}
    monitors = list(net.monitors)
    net.run(duration / 2)
    net.run(duration / 2)
    out = {}
    for p, mon in spikes.items():
        out[f"{name}/{p}/spike_t"] = np.asarray(mon.t)
        out[f"{name}/{p}/spike_i"] = np.asarray(mon.i)
    for k, mon in enumerate(monitors):
        for attr in ("t", "w", "counts"):
            if hasattr(type(mon), attr):
                out[f"{name}/monitor{k}/{attr}"] = np.asarray(getattr(mon, attr))
        for var in getattr(mon, "variables", ()):
            out[f"{name}/monitor{k}/{var}"] = np.asarray(mon[var])
    for j, proj in net.projections.items():
        proj.synchronize()
        out[f"{name}/{j}/weight"] = np.asarray(proj.weight)
    for key, value in net.counters().items():
        out[f"{name}/counter/{key}"] = np.asarray(value)
    return out


if __name__ == "__main__":
    from pathlib import Path

    data = {}
    for name in networks():
        data.update(outcome(name))
    path = Path(__file__).parent / "data" / "golden.npz"
    np.savez_compressed(path, **data)
    print(path, len(data), "arrays")
