"""Sweep targets for the tests: importable by worker processes and Dask workers."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import numpy as np

import neurosim as ns
from neurosim.results import Result


def _log(log, text):
    if log:
        with open(log, "a") as fh:
            fh.write(text + "\n")


def quadratic(x, y=1.0, seed=0, log=None, fail_on=None, delay=0.0):
    """x^2 y + seed, a nested dict, a list, strings and an echo of ``y``; raises for
    ``x == fail_on``."""
    _log(log, f"{x},{y},{seed}")
    if delay:
        time.sleep(delay)
    if fail_on is not None and x == fail_on:
        raise ValueError(f"x = {x} is refused")
    return {
        "value": x * x * y + seed,
        "pair": {"sum": x + y},
        "trace": [x, y, seed],
        "label": f"x{x}",
        "y": y,  # repeats a parameter: no column of its own when y is swept
        "worker": "me",  # clashes with a provenance column: becomes result.worker
    }


def seedless(x):
    """A deterministic target without a seed parameter."""
    return {"double": 2 * x}


def killer(x, marker_dir, once=(), always=()):
    """Kills its own worker process (SIGKILL, as the OOM killer would) when ``x`` is in
    ``always``, or the first time when ``x`` is in ``once``."""
    marker = Path(marker_dir) / f"{x}"
    if x in always or (x in once and not marker.exists()):
        marker.touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return {"x2": 2 * x, "pid": os.getpid()}


def setup(rate=20.0, w=1.0, seed=0, duration=200.0, n=30, rule="stdp_pair"):
    """A small plastic network: Poisson input, a delayed projection, inhibition and a
    recurrent projection with plasticity ``rule`` (pair STDP); spikes, a state trace
    and weights recorded."""
    net = ns.Network(dt=0.1, seed=seed)
    inp = net.add_poisson("input", 20, rate=rate)
    exc = net.add_population("exc", n, "lif_cond")
    inh = net.add_population("inh", 8, "lif_cond")
    exc.v = ns.Uniform(-60.0, -50.0)
    net.connect(inp, exc, ns.FixedProbability(0.5), weight=w * 3.0, delay=1.3)
    net.connect(inp, inh, ns.FixedProbability(0.5), weight=3.0)
    net.connect(inh, exc, ns.FixedProbability(0.5), weight=4.0, receptor="inh", delay=0.5)
    net.connect(exc, exc, ns.FixedProbability(0.3), weight=0.5, delay=1.0, synapse=rule, name="ee")
    net.record_spikes(exc)
    net.record_state(exc, ["v", "g_e"], neurons=[0, 3], every=0.5)
    net.record_weights("ee", synapses=[0, 1, 2], every=10.0)
    return net, duration


def measure(net, **params):
    """Spike count and final mean weight; spike times, traces and weights as arrays."""
    spikes, state, weights = net.monitors
    return Result(
        "tiny",
        {"spikes": int(len(spikes.t)), "w_mean": float(net.projections["ee"].weight.mean())},
        {"t": spikes.t, "i": spikes.i, "v": state.v, "g_e": state.g_e, "w": weights.w},
    )


def big(x, marker_dir, mb=200):
    """An array of ``mb`` MB; touches ``marker_dir/<x>`` just before returning it (the
    worker then sends it to the parent)."""
    arr = np.ones(mb * 2**17)
    (Path(marker_dir) / f"{x}").touch()
    return {"x": x, "arr": arr}


def blob(mb):
    """``mb`` MB of zero bytes (a result whose sending takes a while)."""
    return bytes(mb * 2**20)


def pid_of_worker(x, marker_dir):
    """Writes its worker's pid to ``marker_dir/<x>.pid`` and sleeps a minute."""
    (Path(marker_dir) / f"{x}.pid").write_text(str(os.getpid()))
    time.sleep(60)
    return {"x": x}


def rates(w_i, w_e, seed=0):
    """A stand-in for ``coba``'s numbers (``rate_exc_hz``) and arrays in the guide's
    examples."""
    return {"rate_exc_hz": w_e / w_i * 100.0 + seed, "weights": [w_i, w_e]}
