"""COBA benchmark: neurosim against Brian2 (Cython runtime and C++ standalone).

The network is the COBA network of Vogels & Abbott 2005 (J. Neurosci. 25:10786) in
the benchmark form of Brette et al. 2007 (J. Comput. Neurosci. 23:349), the same as
``neurosim.experiments.coba``: 4000 conductance-based LIF neurons, 3200 excitatory and 800
inhibitory; each of the four pathways connected with probability 0.02 (autapses
allowed, as in Brian2's ``connect(p=0.02)``); exponential conductances with
tau_e 5 ms, tau_i 10 ms, E_e 0 mV, E_i -80 mV, increments w_e 6 nS, w_i 67 nS;
C 200 pF, g_L 10 nS, E_L -60 mV, threshold -50 mV (``v > V_th``), reset -60 mV,
refractory 5 ms; forward Euler with dt 0.1 ms; spikes act on the conductances of the
next step (neurosim delay one step = Brian2 without delay). Initial values: V uniform
in [-60, -50] mV, g_e normal (40 nS, s.d. 15 nS), g_i normal (200 nS, s.d. 120 nS),
**not clipped at 0** in either simulator (Brian2's example does not clip; neurosim's
``Normal`` has unbounded defaults). A spike monitor records all 4000 neurons in every
simulator. There is no external input; the activity is self-sustained at about 20 Hz.

The Brian2 version is written as a Brian2 user would write it: one ``NeuronGroup``
of 4000 neurons with ``v``, ``ge``, ``gi`` in physical units, ``method='euler'``,
subgroups ``P[:3200]`` and ``P[3200:]``, two ``Synapses`` (``on_pre='ge += we'`` and
``'gi += wi'``) connected with ``p=0.02``. (Brian2's Euler step also integrates the
conductance decay by Euler, whereas neurosim's ``lif_cond`` decays conductances
exactly; the per-step work is the same.)

What is measured
----------------
Every measurement runs in a fresh Python process (``python -m
neurosim.experiments.benchmarks.coba --worker ...``, printing one JSON line), started in a
temporary directory that is deleted afterwards. Timers start after the simulator has
been imported (``import neurosim`` / ``import brian2`` are not counted).

``neurosim`` (mode ``numba``)
    ``build_s``: wall time from the start of network construction through a first
    ``net.run(dt)`` of one step, which generates and loads the compiled loop (from
    neurosim's kernel cache on disk, ``~/.cache/neurosim``, when a previous process
    compiled the same structure with the same neurosim source; otherwise it includes
    Numba's compilation). ``run_s``: wall time of the following ``net.run(T - dt)``,
    so that the simulated time is ``T`` in all (the spike count covers all of it).
``brian2`` (mode ``cython``)
    ``build_s``: wall time of network construction (including the compiled code that
    draws initial values and connects the synapses) and of a ``net.run(0*ms)``, which
    generates and compiles (or loads from Brian2's Cython cache,
    ``~/.cython/brian_extensions``) every code object. ``run_s``: wall time around
    ``net.run(T)`` (this includes Brian2's per-run preparation, ``before_run``).
``brian2`` (mode ``cpp_standalone``)
    ``set_device('cpp_standalone', build_on_run=False)``; the network is described,
    ``net.run(T)`` recorded and ``device.build(...)`` generates, compiles (``make``)
    and executes the project in a temporary directory. ``run_s`` is
    ``device._last_run_time``, the time the compiled program reports for its
    simulation loop; ``build_s`` is the total wall time from the start of construction
    to the return of ``device.build`` minus ``run_s`` (so it contains code generation,
    C++ compilation, the program's start-up, initialisation and synapse creation, and
    writing its results).

All simulators run single-threaded (Brian2's default ``openmp_threads = 0``).
``spikes`` is the number of spikes recorded in the ``sim_ms`` milliseconds, and
``synapses`` the number of synapses created. With ``repeats > 1`` every measurement is
repeated (round-robin over repeats, so slow drifts in machine load spread over all
simulators) and ``run_s``, ``build_s``, ``spikes`` and ``synapses`` are medians.

Output: one JSON line per simulator and duration with the keys ``simulator``,
``mode``, ``sim_ms``, ``run_s``, ``build_s``, ``spikes``, ``synapses``; then one line
``{"ratio_vs_brian2_standalone": r}`` with r = neurosim ``run_s`` / Brian2 C++
standalone ``run_s`` at the longest duration measured by both (``null`` if either
was not run).

Plastic variant (``--plastic``)
-------------------------------
The same measurements (same keys and modes) of the network whose excitatory synapses
(exc->exc and exc->inh) follow additive pair STDP: neurosim's
:class:`~neurosim.synapses.PairSTDP` with w_min 0, w_max 12 nS (twice the initial
6 nS), A_plus 0.01, A_minus 0.0105, tau_plus 16.8 ms, tau_minus 33.7 ms, all-to-all
interaction. In Brian2 the rule is written as a Brian2 user would, with the same
semantics (transmit, then depress at a presynaptic spike; potentiate at a
postsynaptic spike)::

    w : siemens
    dApre/dt = -Apre/taupre : 1 (event-driven)
    dApost/dt = -Apost/taupost : 1 (event-driven)
    on_pre:  ge += w; Apre += 1; w = clip(w - w_max*A_minus*Apost, w_min, w_max)
    on_post: Apost += 1; w = clip(w + w_max*A_plus*Apre, w_min, w_max)

neurosim keeps the traces per presynaptic and per postsynaptic neuron of the
projection, Brian2 per synapse (equal values for one delay). Inhibitory synapses stay
static.

CLI::

    neurosim bench coba [--json] [--durations 1000,10000] [--repeats N] [--plastic]
                        [--only neurosim|brian2_cython|brian2_standalone ...]
    python -m neurosim.experiments.benchmarks.coba ...      (the same)
"""

from __future__ import annotations

import sys

from neurosim.experiments.benchmarks.common import (
    BRIAN2_STANDALONE,
    NEUROSIM,
    brian2_cond_neurons,
    ratio_vs_brian2_standalone,
    timed,
)
from neurosim.experiments.benchmarks.common import KEYS as KEYS  # the row keys, re-exported
from neurosim.experiments.benchmarks.driver import Benchmark, round_robin

#: CLI name -> (value of "simulator", value of "mode")
SIMULATORS = {
    "neurosim": NEUROSIM,
    "brian2_cython": ("brian2", "cython"),
    "brian2_standalone": BRIAN2_STANDALONE,
}

N_EXC, N_INH = 3200, 800
P_CONNECT = 0.02
DT_MS = 0.1
BENCHMARK = Benchmark(
    "coba", "neurosim.experiments.benchmarks.coba", SIMULATORS, N_EXC + N_INH, DT_MS
)
#: Pair STDP of the excitatory synapses with ``--plastic`` (times ms, weights nS).
STDP = {"tau_plus": 16.8, "tau_minus": 33.7, "A_plus": 0.01, "A_minus": 0.0105, "w_max": 12.0}


# -- the measurements (run inside a worker process) --------------------------------------
def neurosim_network(seed: int = 1, plastic: bool = False, n_exc=N_EXC, n_inh=N_INH, p=P_CONNECT):
    """A function that builds the network in neurosim (sizes ``n_exc``, ``n_inh``,
    connection probability ``p``; default: the benchmark's) with its spike monitors."""
    from neurosim.experiments.coba import build
    from neurosim.synapses import PairSTDP

    def network():
        net = build(
            n_exc=n_exc,
            n_inh=n_inh,
            p=p,
            dt=DT_MS,
            seed=seed,
            method="euler",
            exc_synapse=PairSTDP(**STDP) if plastic else None,
        )
        net.record_spikes(net.populations["exc"])
        net.record_spikes(net.populations["inh"])
        return net

    return network


def measure_neurosim(duration_ms: float, seed: int = 1, plastic: bool = False) -> dict:
    """Build and run the network in neurosim in this process (see module docstring)."""
    return BENCHMARK.measure_neurosim("neurosim", duration_ms, neurosim_network(seed, plastic))[0]


def _brian2_network(b2, seed: int, plastic: bool = False, n_exc=N_EXC, n_inh=N_INH, p=P_CONNECT):
    """The COBA network written as a Brian2 user would (in the current device); sizes
    and connection probability as in :func:`neurosim_network`."""
    from brian2 import ms, mV, nS

    eqs = """
    dv/dt = (gl*(El-v) + ge*(Ee-v) + gi*(Ei-v))/Cm : volt (unless refractory)
    dge/dt = -ge/taue : siemens
    dgi/dt = -gi/taui : siemens
    """
    names = {"Ei": -80 * mV, "taui": 10 * ms, "we": 6 * nS, "wi": 67 * nS}
    P, namespace = brian2_cond_neurons(b2, n_exc + n_inh, eqs, "euler", seed, DT_MS, **names)
    P.ge = "(randn()*15 + 40)*nS"
    P.gi = "(randn()*120 + 200)*nS"
    Pe, Pi = P[:n_exc], P[n_exc:]
    if plastic:
        namespace.update(
            taupre=STDP["tau_plus"] * ms,
            taupost=STDP["tau_minus"] * ms,
            A_plus=STDP["A_plus"],
            A_minus=STDP["A_minus"],
            w_min=0 * nS,
            w_max=STDP["w_max"] * nS,
        )
        Ce = b2.Synapses(
            Pe,
            P,
            model="""
            w : siemens
            dApre/dt = -Apre/taupre : 1 (event-driven)
            dApost/dt = -Apost/taupost : 1 (event-driven)
            """,
            on_pre="""
            ge += w
            Apre += 1
            w = clip(w - w_max*A_minus*Apost, w_min, w_max)
            """,
            on_post="""
            Apost += 1
            w = clip(w + w_max*A_plus*Apre, w_min, w_max)
            """,
            namespace=namespace,
        )
    else:
        Ce = b2.Synapses(Pe, P, on_pre="ge += we", namespace=namespace)
    Ci = b2.Synapses(Pi, P, on_pre="gi += wi", namespace=namespace)
    Ce.connect(p=p)
    Ci.connect(p=p)
    if plastic:
        Ce.w = "we"
    mon = b2.SpikeMonitor(P)
    net = b2.Network(P, Ce, Ci, mon)
    return net, mon, (Ce, Ci)


def measure_brian2_cython(duration_ms: float, seed: int = 1, plastic: bool = False) -> dict:
    """Brian2 runtime mode with Cython code generation, in this process."""
    import brian2 as b2

    b2.prefs.codegen.target = "cython"

    def network():
        net, mon, syns = _brian2_network(b2, seed, plastic)
        net.run(0 * b2.ms)  # generates and compiles (or loads) every code object
        return net, mon, syns

    run_s, build_s, (_, mon, syns) = timed(network, lambda s: s[0].run(duration_ms * b2.ms))
    spikes, n_syn = int(mon.num_spikes), sum(len(s) for s in syns)
    return BENCHMARK.row("brian2_cython", duration_ms, run_s, build_s, spikes, n_syn)


def measure_brian2_standalone(duration_ms: float, seed: int = 1, plastic: bool = False) -> dict:
    """Brian2 C++ standalone, built and executed in a temporary directory (deleted
    afterwards). Brian2 allows one standalone build per process."""
    return BENCHMARK.measure_brian2_standalone(
        duration_ms, lambda b2: _brian2_network(b2, seed, plastic)
    )[0]


MEASURE = {
    "neurosim": measure_neurosim,
    "brian2_cython": measure_brian2_cython,
    "brian2_standalone": measure_brian2_standalone,
}


# -- driving the workers ----------------------------------------------------------------
def measure_in_subprocess(
    name: str, duration_ms: float, seed: int = 1, plastic: bool = False
) -> dict:
    """One measurement of simulator ``name`` in a fresh Python process."""
    flags = ["--plastic"] if plastic else []
    return BENCHMARK.measure(name, duration_ms, seed, flags)[0]


def run(
    durations_ms=(1000.0, 10000.0),
    simulators=("neurosim", "brian2_cython", "brian2_standalone"),
    seed: int = 1,
    repeats: int = 1,
    plastic: bool = False,
) -> list[dict]:
    """Measure every simulator at every duration (ms), ``repeats`` times each, every
    measurement in a fresh process; one row (medians) per simulator and duration, in
    the order of ``durations_ms`` then ``simulators``; ``plastic``: the network with
    pair STDP. See the module docstring."""
    durations = BENCHMARK.check(durations_ms, simulators)
    if int(repeats) < 1:
        raise ValueError(f"repeats = {repeats} must be >= 1")
    return round_robin(
        durations,
        simulators,
        repeats,
        lambda _, d, s: measure_in_subprocess(s, d, seed, plastic),
    )


def _parser():
    p = BENCHMARK.parser(
        "COBA network (4000 LIF neurons): neurosim vs Brian2 run and build times.",
        "measurements each; medians reported",
    )
    p.add_argument("--plastic", action="store_true", help="excitatory synapses with pair STDP")
    return p


def _measure_all(args, durations, simulators):
    rows = run(durations, simulators, seed=args.seed, repeats=args.repeats, plastic=args.plastic)
    return rows, [{"ratio_vs_brian2_standalone": ratio_vs_brian2_standalone(rows)}]


def main(argv=None) -> int:
    """``neurosim bench coba``: see the module docstring."""
    return BENCHMARK.main(
        _parser(),
        argv,
        lambda args: MEASURE[args.worker](args.duration, args.seed, plastic=args.plastic),
        _measure_all,
    )


if __name__ == "__main__":
    sys.exit(main())
