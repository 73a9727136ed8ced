r"""The Brian2 reference backend: the same network built and run by Brian2.

``Network(backend="brian2")`` hands its description to :class:`Brian2Engine`, which
builds it in Brian2's runtime mode (Cython code generation, falling back to NumPy only
if Cython cannot compile) and runs it, so that every neurosim model can be checked
against an independent simulator. Brian2 is imported only here.

What is mapped how
------------------
Time
    All Brian2 objects share one ``Clock(dt=network.dt ms)`` of the engine's own (state
    and weight monitors sampling every ``k`` steps run on a clock of ``k dt``), so the
    backend never reads or changes ``defaultclock``. Brian2's network time is set to
    ``network.step * dt`` before the first run, so that steps, spike times and sampling
    grids are neurosim's.
Neuron populations
    ``NeuronGroup`` from ``model.brian2_model()``: ``equations`` (dimensionless, time
    derivatives written ``/ms``), ``threshold``, ``reset``, ``method`` and the parameter
    ``namespace``; ``refractory = t_ref ms`` when ``t_ref > 0`` (and ``0 ms`` for models
    with a ``last_spike_step`` row, so that Brian2 keeps ``lastspike``). Before each
    run every Brian2 variable is set from the population's state matrix ``pop.S``
    (``last_spike_step`` as ``lastspike = step dt``, :data:`~neurosim.neurons.base.NEVER`
    as Brian2's "never", -10⁴ s) and ``I`` from ``pop.I``; after the run the final
    state is copied back (``lastspike`` rounded to steps).

    Exponential decays ``dx/dt = k x`` (synaptic currents and conductances) are
    integrated exactly in every neurosim model (each model's docstring says so),
    whereas Brian2 applies a group's ``method`` to all of its equations. For methods
    other than ``exact``, ``linear`` and ``exponential_euler`` (which already solve
    such decays exactly), these variables become parameters decayed by
    ``x *= exp(k dt)`` in a ``run_regularly`` operation right after the state update
    (slot ``after_groups``), so the other equations still see their values at the
    start of the step, as in the neurosim kernels.
Sources
    :class:`~neurosim.inputs.PoissonSource` -> ``PoissonGroup`` whose rate is a
    ``TimedArray`` of the piecewise-constant rate table on the grid of the greatest
    common divisor of the segment start steps (zero before the first segment; the
    last segment holds on). :class:`~neurosim.inputs.SpikeGeneratorSource` ->
    ``SpikeGeneratorGroup`` with the spike steps times ``dt``.
Projections
    ``Synapses(pre, post, "w_syn : 1", on_pre="<target>_post += w_syn")`` connected with the
    projection's CSR arrays (``connect(i=pre, j=post)`` keeps their order, which is
    checked, so synapse ``k`` of Brian2 is synapse ``k`` of neurosim), ``w_syn`` from
    ``proj.weight`` (set again before each run; copied back after it).

    Delay convention: in neurosim a spike emitted in step ``n`` through a synapse of
    ``d >= 1`` steps reaches the target variable as part of the state at
    :math:`t_{n+d}` (after the update of step ``n + d - 1``, including its resets).
    Brian2 delivers a spike of delay ``D`` in the ``synapses`` slot of step
    ``n + D/dt``, after that step's state update, so ``delay = (d - 1) dt``. The
    pathway runs in the slot ``after_resets`` (Brian2's default is before the
    resets): when the target variable is the membrane potential (``izhikevich``) and
    the target neuron fires in the same step, neurosim adds the weight to the reset
    value, and so does this backend.
Plastic projections
    A projection with a plasticity rule becomes ``Synapses`` with the rule's
    ``brian2_model()``: ``model`` (the weight ``w`` is renamed ``w_syn``, any other
    synaptic variable whose name the target group also uses gets the suffix ``_syn``:
    Brian2 forbids the clash), ``on_pre`` (one pathway ``pre`` or a dict of named
    pathways) whose line with ``{target}`` becomes ``<receptor variable>_post += ...``
    and is dropped for ``receptor=None`` (plasticity-only projections, also onto
    ``SpikeGeneratorGroup`` targets), ``on_post``, ``namespace``, ``method`` and
    ``init``. Timing as neurosim's engine: every presynaptic pathway has the
    transmission delay ``(d - 1) dt`` (a plastic projection has one delay), plus
    ``rule.pre_lag_steps(dt)`` steps for the pathways the description lists in
    ``lagged`` (Graupner–Brunel's presynaptic calcium, ``D`` rounded to steps).
    All pathways run in the slot ``after_resets``, where Brian2 orders presynaptic
    pathways (order -1) before postsynaptic ones (order 1, see
    ``brian2.synapses.synapses.SynapticPathway``): presynaptic events before
    postsynaptic spikes of the same step, as in neurosim. Clock-driven equations
    are integrated in the slot ``end``, after the events of the step and the neuron
    updates (neurosim's ``on_step``, which reads the postsynaptic ``v`` after the
    update); pure exponential decays among them (Graupner–Brunel's calcium) are made
    exact as for neuron groups, by a ``run_regularly`` operation right after the
    state update.

    State. Before each run the rule state is set from the projection (after
    ``proj.synchronize()`` for rules whose state is current only as of each
    synapse's last event) and the weights from ``proj.weight`` (unless the weight is
    an expression of the state, as Graupner–Brunel's ``w(rho)``); after the run it
    is copied back, ``proj.weight`` included. The description says how:
    ``synapse_state`` maps Brian2 variables to rows of ``proj.S_syn`` (e.g. ``rho``,
    ``U``); ``lastupdate`` names the row holding the step of the last update of
    event-driven variables (Tsodyks–Markram's ``last_step``, Brian2's ``lastupdate``);
    otherwise a ``last_step`` row is set to the present step (clock-driven state is
    always current). ``pre_traces``/``post_traces`` map per-synapse event-driven
    traces to neurosim's traces per presynaptic/postsynaptic neuron (value and
    ``last_step`` rows, with the trace's time constant): STDP keeps traces per
    neuron, Brian2 per synapse; for a projection with one delay the traces of all
    synapses of a neuron jump at the same steps, so the two are equal. They are
    brought to the present step when copied (both ways); per-neuron values are read
    back from each neuron's first synapse. ``pre_state``/``post_state`` map other
    per-neuron rows to per-synapse variables (rows named ``*_step`` become times in
    s): Shouval's NMDA gate and EPSP amplitudes and last spike times.

    Differences that remain by construction: Graupner–Brunel's ``w_syn`` is
    ``w(rho)`` at every step (transmission and weight monitors), whereas neurosim
    updates ``proj.weight`` at the synapse's calcium events only; traces of neurons
    without synapses in the projection are not kept; random numbers (noise of
    Graupner–Brunel) come from Brian2's generator.
Current inputs
    The current of a neuron is ``I_e`` plus the inputs in force
    (:class:`~neurosim.inputs.CurrentInput`); the Brian2 run is split at every segment
    start inside the run window and ``I`` set between the pieces, so a segment starting
    at step ``s`` acts on the update of step ``s``. ``pop.I`` holds the same values as
    with the numba engine.
Monitors
    :class:`~neurosim.monitors.SpikeMonitor` -> ``SpikeMonitor`` of the group (the
    neuron mask applied when copying); :class:`~neurosim.monitors.StateMonitor` ->
    ``StateMonitor(record=neurons, when="start")`` every ``every`` steps (values at the
    start of the step, after the spikes that arrive then); ``RateMonitor`` ->
    ``PopulationRateMonitor`` (rate times ``N dt`` = spike count per step);
    ``WeightMonitor`` -> ``StateMonitor`` of the synapses' ``w_syn`` (static or plastic
    projections). After every run the
    new records are appended to the neurosim monitors exactly as the numba engine
    does (steps as int64); ``monitor.active`` switches the Brian2 monitor.
Continuing runs
    The Brian2 network lives as long as the engine (until the network's structure
    changes), so consecutive ``net.run`` calls continue it, spikes in transit included.
    Brian2 objects get fixed names (``population_<name>``, ``projection_<name>``,
    ``monitor_<k>``), so the generated code, which names its arrays after them, is
    the same for every network of one structure and is compiled once per machine
    (Brian2's Cython cache, ``~/.cython/brian_extensions``).

Limits
------
- Random numbers come from Brian2's generator, seeded with ``brian2.seed(network.seed)``
  when the engine is built (this also seeds NumPy's global generator, which Brian2's
  runtime draws from), not from neurosim's xoshiro streams: networks with Poisson
  sources agree only statistically, and interleaving other draws from NumPy's global
  generator changes the Brian2 run.
  Connectivity, weights, delays and initial values are neurosim's, so they are equal.
- Spikes in transit in the numba engine's ring buffers, or in an earlier Brian2 engine
  of the same network (before a structural change), are not carried over.
- Event counters (:meth:`Network.counters`) are kept by the numba engine only.
- Plastic projections agree exactly with the numba engine for event-driven rules
  (STDP, Tsodyks–Markram: the same closed forms at the same events); clock-driven
  rules differ by the integration schemes (Euler–Maruyama of the full Graupner–Brunel
  equation vs neurosim's event-driven scheme; Euler vs neurosim's split for
  Shouval's calcium and weight), quantified in ``tests/synapses/test_brian2_rules.py``.
- Brian2's runtime mode runs Python per time step and object: it is the reference,
  not a fast path.
"""

from __future__ import annotations

import logging
import math
import re

import brian2 as b2
import numpy as np
from brian2.equations.equations import FLOAT, PARAMETER, SingleEquation
from brian2.parsing.sympytools import str_to_sympy
from brian2.units.fundamentalunits import DIMENSIONLESS
from brian2.utils.stringtools import word_substitute

from neurosim.inputs import PoissonSource, SpikeGeneratorSource
from neurosim.neurons.base import NEVER

logger = logging.getLogger(__name__)

#: Brian2's ``lastspike`` of a neuron that never fired (its own initial value), in s.
BRIAN2_NEVER = -1e4
#: Longest piece of one Brian2 run, in steps (bounds memory between copies to monitors).
CHUNK_STEPS = 50_000
#: Name of the synaptic weight in Brian2 (``w`` is AdEx's adaptation current).
WEIGHT = "w_syn"
#: Methods under which Brian2 already solves ``dx/dt = k x`` exactly.
EXACT_DECAY_METHODS = ("exact", "linear", "exponential_euler")


def exact_decays(equations: b2.Equations, namespace: dict, method: str) -> dict[str, float]:
    """Rate ``k`` (1/ms) of every equation ``dx/dt = k x`` (``k`` made of parameters
    only, no flags) that ``method`` would not integrate exactly; see module docstring."""
    if method in EXACT_DECAY_METHODS:
        return {}
    rates = {}
    for eq in equations.ordered:
        if eq.type != "differential equation" or set(eq.flags) - {"clock-driven"}:
            continue
        expr = str_to_sympy(eq.expr.code)
        symbols = {s.name: s for s in expr.free_symbols}
        x = symbols.get(eq.varname)
        if x is None:
            continue
        k = expr.diff(x)
        if (expr - k * x).expand() != 0:
            continue
        names = {s.name for s in k.free_symbols}
        if not names <= set(namespace) | {"ms"}:
            continue
        values = {symbols[name]: namespace[name] for name in names - {"ms"}}
        if "ms" in names:
            values[symbols["ms"]] = 1.0
        rates[eq.varname] = float(k.subs(values))
    return rates


def _with_parameters(equations: b2.Equations, names) -> b2.Equations:
    """``equations`` with the variables in ``names`` turned into parameters."""
    return b2.Equations(
        [
            SingleEquation(PARAMETER, eq.varname, dimensions=DIMENSIONLESS, var_type=FLOAT)
            if eq.varname in names
            else eq
            for eq in equations.ordered
        ]
    )


def _rename(code: str, names: dict[str, str]) -> str:
    """``code`` (equations or statements) with the variables in ``names`` renamed,
    derivatives ``dx/dt`` included."""
    for old, new in names.items():
        code = re.sub(rf"\bd{old}/dt\b", f"d{new}/dt", code)
    return word_substitute(code, names)


def _rows(rule) -> dict[str, dict[str, int]]:
    """Row of each state variable of ``rule``, per matrix (``syn``, ``pre``, ``post``)."""
    return {
        side: {name: k for k, (name, _) in enumerate(spec)}
        for side, spec in (
            ("syn", rule.synapse_vars),
            ("pre", rule.pre_vars),
            ("post", rule.post_vars),
        )
    }


class _CodegenTarget:
    """Sets ``prefs.codegen.target`` for the duration of a ``with`` block."""

    def __init__(self, target):
        self.target = target

    def __enter__(self):
        self.saved = b2.prefs.codegen.target
        b2.prefs.codegen.target = self.target

    def __exit__(self, *exc):
        b2.prefs.codegen.target = self.saved


class Brian2Engine:
    """Runs a :class:`~neurosim.network.Network` in Brian2 (see module docstring)."""

    def __init__(self, network):
        self.net = network
        dt = network.dt
        self.dt_s = dt * 1e-3
        self.clock = b2.Clock(dt=dt * b2.ms, name="neurosim_clock")
        self._clocks = {1: self.clock}
        self.target = "cython"
        self.compiled = False
        b2.seed(network.seed % 2**32)
        objects = []

        self.groups = {}
        for pop in network.populations.values():
            pop.model.constants(dt)  # the numba engine's parameter checks
            group = self._group(pop)
            self.groups[pop.name] = group
            objects.append(group)

        self.synapses = {}
        self.plastic = {}  # projection name -> (rule description, renames, weight kind)
        for proj in network.projections.values():
            syn = self._synapses(proj)
            self.synapses[proj.name] = syn
            objects.append(syn)

        self.monitors = []
        for m, mon in enumerate(network.monitors):
            b2mon = self._monitor(mon, f"monitor_{m}")
            self.monitors.append([b2mon, 0])
            objects.append(b2mon)

        # the currents of every input already added to pop.I, kept on the network so
        # that an engine rebuilt after a structural change does not add them again
        # (the same record as the numba engine's: network.applied_currents)
        self.applied = {}
        self.currents = []
        for c, (pop, current, targets) in enumerate(network.currents):
            steps, amps = current.tables(targets, dt)
            self.applied[c] = network.buffers.applied_current(c, targets.size)
            self.currents.append((c, pop, targets, steps, amps))

        self.b2net = b2.Network(*objects, name="neurosim_network")
        self.b2net.t_ = network.step * self.dt_s

    # -- building ---------------------------------------------------------------------
    def _clock(self, every: int) -> b2.Clock:
        if every not in self._clocks:
            self._clocks[every] = b2.Clock(
                dt=every * self.net.dt * b2.ms, name=f"neurosim_clock_{every}"
            )
        return self._clocks[every]

    def _group(self, pop):
        model, n, dt = pop.model, pop.n, self.net.dt
        name = f"population_{pop.name}"
        if isinstance(model, PoissonSource):
            rates, steps = model.aux(n, dt)
            g = int(np.gcd.reduce(steps)) or 1
            grid = np.arange(int(steps[-1]) // g + 1) * g
            seg = np.searchsorted(steps, grid, side="right") - 1
            values = np.where((seg >= 0)[:, None], rates[np.maximum(seg, 0)], 0.0)
            per_neuron = rates.shape[1] > 1
            table = b2.TimedArray(
                (values if per_neuron else values[:, 0]) * b2.Hz,
                dt=g * dt * b2.ms,
                name=f"rates_{pop.name}",
            )
            expr = "rate_table(t, i)" if per_neuron else "rate_table(t)"
            return b2.PoissonGroup(
                n, rates=expr, clock=self.clock, namespace={"rate_table": table}, name=name
            )
        if isinstance(model, SpikeGeneratorSource):
            _, table = model.aux(n, dt)
            steps, idx = np.split(table, 2)
            keep = steps >= self.net.step
            return b2.SpikeGeneratorGroup(
                n, idx[keep], steps[keep] * dt * b2.ms, clock=self.clock, name=name
            )
        if model.is_source:
            raise NotImplementedError(f"source model {model.name!r} has no Brian2 mapping")
        desc = model.brian2_model()
        namespace = dict(desc["namespace"])
        equations = b2.Equations(desc["equations"])
        decays = exact_decays(equations, namespace, desc["method"])
        if decays:
            equations = _with_parameters(equations, decays)
        var_names = [v for v, _ in model.state_vars]
        t_ref = float(desc["refractory"])
        kwargs = {}
        if t_ref > 0 or "last_spike_step" in var_names:
            kwargs["refractory"] = t_ref * b2.ms
        group = b2.NeuronGroup(
            n,
            equations,
            threshold=desc["threshold"],
            reset=desc["reset"],
            method=desc["method"],
            namespace=namespace,
            clock=self.clock,
            name=name,
            **kwargs,
        )
        for var, k in decays.items():
            factor = f"decay_factor_{var}"
            namespace[factor] = math.exp(k * dt)
            group.run_regularly(f"{var} = {var} * {factor}", when="after_groups")
        return group

    def _synapses(self, proj):
        pre = self.groups[proj.pre_population.name]
        post = self.groups[proj.post_population.name]
        if proj.synapse is not None:
            return self._plastic_synapses(proj, pre, post)
        target = proj.post_population.model.receptors[proj.receptor]
        syn = b2.Synapses(
            pre,
            post,
            model=f"{WEIGHT} : 1",
            on_pre=f"{target}_post += {WEIGHT}",
            clock=self.clock,
            name=f"projection_{proj.name}",
        )
        syn.pre.when = "after_resets"
        if proj.n_synapses:
            self._connect(syn, proj)
            syn.delay = (proj.delay_steps - 1) * self.net.dt * b2.ms
        return syn

    @staticmethod
    def _connect(syn, proj) -> None:
        syn.connect(i=proj.pre.astype(np.int64), j=proj.post.astype(np.int64))
        if not (np.array_equal(syn.i[:], proj.pre) and np.array_equal(syn.j[:], proj.post)):
            raise RuntimeError(
                f"Brian2 reordered the synapses of projection {proj.name!r}; "
                "synapse indices would not match neurosim's CSR order"
            )

    def _plastic_synapses(self, proj, pre, post):
        """Brian2 ``Synapses`` of a projection with a plasticity rule (see module
        docstring): the rule's ``brian2_model()`` with its variables renamed where they
        would clash with the target group's, the transmission line written for the
        receptor (dropped for ``receptor=None``), neurosim's delays and event order."""
        rule, dt = proj.synapse, self.net.dt
        desc = rule.brian2_model()
        equations = b2.Equations(desc["model"])
        names = {"w": WEIGHT}
        taken = set(post.variables)
        for name in equations.names:
            if name != "w" and name in taken:
                names[name] = f"{name}_syn"
        if proj.receptor is None:
            target = None
        else:
            target = f"{proj.post_population.model.receptors[proj.receptor]}_post"

        def code(text):
            lines = []
            for line in (text or "").splitlines():
                if "{target}" in line:
                    if target is None:
                        continue
                    line = line.replace("{target}", target)
                lines.append(line.strip())
            text = "\n".join(line for line in lines if line)
            return _rename(text, names) if text else None

        on_pre = desc["on_pre"]
        pathways = {"pre": on_pre} if isinstance(on_pre, str) else dict(on_pre)
        pathways = {k: c for k, v in pathways.items() if (c := code(v)) is not None}
        on_post = code(desc.get("on_post"))
        model = b2.Equations(_rename(desc["model"], names))
        namespace = dict(desc["namespace"])
        method = desc.get("method", ("exact", "euler", "heun"))
        decays = exact_decays(model, namespace, method) if isinstance(method, str) else {}
        if decays:
            model = _with_parameters(model, decays)
        clock_driven = any(
            eq.type == "differential equation" and "event-driven" not in eq.flags
            for eq in model.ordered
        )
        syn = b2.Synapses(
            pre,
            post,
            model=model,
            on_pre=pathways or None,
            on_post=on_post,
            namespace=namespace,
            method=method,
            clock=self.clock,
            name=f"projection_{proj.name}",
        )
        # pre pathways (order -1) before post pathways (order 1), all after the resets
        for name in [*pathways, *(["post"] if on_post else [])]:
            getattr(syn, name).when = "after_resets"
        if clock_driven:
            # integrate after the events of the step (neurosim's on_step)
            syn.state_updater.when = "end"
        for var, k in decays.items():  # exact decays after the state update
            factor = f"decay_factor_{var}"
            namespace[factor] = math.exp(k * dt)
            syn.run_regularly(f"{var} = {var} * {factor}", when="end", order=1)
        if proj.n_synapses:
            self._connect(syn, proj)
            d = int(proj.delay_steps[0]) - 1
            lag = rule.pre_lag_steps(dt)
            for name in pathways:
                steps = d + (lag if name in desc.get("lagged", ()) else 0)
                getattr(syn, name).delay = steps * dt * b2.ms
            for var, value in desc.get("init", {}).items():
                setattr(syn, f"{names.get(var, var)}_", value)
        kind = equations["w"].type
        self.plastic[proj.name] = (desc, names, kind)
        return syn

    def _monitor(self, mon, name):
        if mon.kind == "spikes":
            return b2.SpikeMonitor(self.groups[mon.target.name], name=name)
        if mon.kind == "rate":
            return b2.PopulationRateMonitor(self.groups[mon.target.name], name=name)
        if mon.kind == "state":
            pop = mon.target
            if pop.model.is_source:
                raise NotImplementedError(
                    f"the Brian2 backend does not record state of source {pop.name!r}"
                )
            names = ["lastspike" if v == "last_spike_step" else v for v in mon.variables]
            source, record = self.groups[pop.name], mon.neurons
        else:  # weights
            names = [WEIGHT]
            source, record = self.synapses[mon.target.name], mon.synapses
        return b2.StateMonitor(
            source,
            names,
            record=record,
            clock=self._clock(mon.every),
            when="start",
            name=name,
        )

    # -- state in and out -------------------------------------------------------------
    def _state_to_brian2(self) -> None:
        for pop in self.net.populations.values():
            if pop.model.is_source:
                continue
            group = self.groups[pop.name]
            for row, (var, _) in enumerate(pop.model.state_vars):
                if var == "last_spike_step":
                    last = pop.S[row]
                    group.lastspike_ = np.where(last <= NEVER, BRIAN2_NEVER, last * self.dt_s)
                else:
                    setattr(group, f"{var}_", pop.S[row])
        for proj in self.net.projections.values():
            if not proj.n_synapses:
                continue
            syn = self.synapses[proj.name]
            if proj.synapse is not None:
                self._rule_state_to_brian2(proj, syn)
            else:
                setattr(syn, f"{WEIGHT}_", proj.weight)

    def _state_from_brian2(self, step: int) -> None:
        net = self.net
        for pop in net.populations.values():
            model = pop.model
            if isinstance(model, PoissonSource):
                steps = model.aux(pop.n, net.dt)[1]
                pop.S[0] = max(int(np.searchsorted(steps, step - 1, side="right")) - 1, 0)
                continue
            if isinstance(model, SpikeGeneratorSource):
                events = model.aux(pop.n, net.dt)[1][: len(model.times)]
                pop.S[0] = int(np.searchsorted(events, step, side="left"))
                continue
            group = self.groups[pop.name]
            for row, (var, _) in enumerate(model.state_vars):
                if var == "last_spike_step":
                    pop.S[row] = self._steps_of_lastspike(group.lastspike_[:])
                else:
                    pop.S[row] = getattr(group, f"{var}_")[:]
            if not np.all(np.isfinite(pop.S)):
                from neurosim.network import SimulationError

                raise SimulationError(
                    f"the state of population {pop.name!r} became NaN or infinite by "
                    f"t = {step * net.dt:.4g} ms (Brian2 backend). Check the parameters, "
                    "inputs and the time step."
                )
        for proj in net.projections.values():
            if not proj.n_synapses:
                continue
            syn = self.synapses[proj.name]
            proj.weight[:] = getattr(syn, f"{WEIGHT}_")[:]
            if proj.synapse is not None:
                self._rule_state_from_brian2(proj, syn, step)

    def _rule_state_to_brian2(self, proj, syn) -> None:
        """Set the Brian2 synapses from the rule state and weights of ``proj``."""
        desc, names, kind = self.plastic[proj.name]
        rule, step, dt = proj.synapse, self.net.step, self.net.dt
        if getattr(rule, "synchronize", None) is not None:
            proj.synchronize()  # state current only as of each synapse's last event
        rows = _rows(rule)
        for var, row in desc.get("synapse_state", {}).items():
            setattr(syn, f"{names.get(var, var)}_", proj.S_syn[rows["syn"][row]])
        if "lastupdate" in desc:
            syn.lastupdate_ = proj.S_syn[rows["syn"][desc["lastupdate"]]] * self.dt_s
        for side, S, idx in (("pre", proj.S_pre, proj.pre), ("post", proj.S_post, proj.post)):
            idx = idx.astype(np.int64)
            for var, (row, tau) in desc.get(f"{side}_traces", {}).items():
                gap = step - S[rows[side]["last_step"]]
                value = S[rows[side][row]] * np.exp(-gap * dt / tau)
                setattr(syn, f"{names.get(var, var)}_", value[idx])
                syn.lastupdate_ = step * self.dt_s  # traces brought to the present
            for var, row in desc.get(f"{side}_state", {}).items():
                value = S[rows[side][row]]
                if row.endswith("_step"):
                    value = value * self.dt_s
                setattr(syn, f"{names.get(var, var)}_", value[idx])
        if kind != "subexpression":
            setattr(syn, f"{WEIGHT}_", proj.weight)

    def _rule_state_from_brian2(self, proj, syn, step: int) -> None:
        """Copy the Brian2 synapses' state back into the rule state of ``proj``."""
        desc, names, _ = self.plastic[proj.name]
        rows = _rows(proj.synapse)
        for var, row in desc.get("synapse_state", {}).items():
            proj.S_syn[rows["syn"][row]] = getattr(syn, f"{names.get(var, var)}_")[:]
        if "lastupdate" in desc:
            last = np.rint(syn.lastupdate_[:] / self.dt_s)
            proj.S_syn[rows["syn"][desc["lastupdate"]]] = last
        elif "last_step" in rows["syn"]:
            proj.S_syn[rows["syn"]["last_step"]] = step  # clock-driven: state is current
        for side, S, idx in (("pre", proj.S_pre, proj.pre), ("post", proj.S_post, proj.post)):
            # per-neuron state from each neuron's first synapse (all of them agree)
            neurons, first = np.unique(idx, return_index=True)
            for var, (row, tau) in desc.get(f"{side}_traces", {}).items():
                value = getattr(syn, f"{names.get(var, var)}_")[:][first]
                age = step * self.dt_s - syn.lastupdate_[:][first]
                S[rows[side][row], neurons] = value * np.exp(-age / (tau * 1e-3))
                S[rows[side]["last_step"], neurons] = step
            for var, row in desc.get(f"{side}_state", {}).items():
                value = getattr(syn, f"{names.get(var, var)}_")[:][first]
                if row.endswith("_step"):
                    value = np.rint(value / self.dt_s)
                S[rows[side][row], neurons] = value

    def _steps_of_lastspike(self, lastspike: np.ndarray) -> np.ndarray:
        steps = np.rint(lastspike / self.dt_s)
        return np.where(lastspike <= BRIAN2_NEVER, NEVER, steps)

    def _set_currents(self, step: int) -> None:
        """Bring ``pop.I`` to ``I_e`` + the inputs in force at ``step``."""
        for c, pop, targets, steps, amps in self.currents:
            k = int(np.searchsorted(steps, step, side="right")) - 1
            value = amps[k] if k >= 0 else np.zeros(targets.size)
            pop.I[targets] += value - self.applied[c]
            self.applied[c][:] = value

    # -- running ----------------------------------------------------------------------
    def _compile(self) -> None:
        """Generate and compile all code (Cython; NumPy if Cython cannot compile) by a
        run of zero duration."""
        try:
            with _CodegenTarget(self.target):
                self.b2net.run(0 * b2.ms, namespace={})
        except Exception as err:  # any compiler failure
            logger.warning("Brian2 could not compile with Cython (%s); using NumPy", err)
            self.target = "numpy"
            with _CodegenTarget(self.target):
                self.b2net.run(0 * b2.ms, namespace={})
        self.compiled = True

    def _breaks(self, start: int, end: int) -> list[int]:
        """Steps in ``(start, end)`` where a current segment starts or a chunk ends."""
        breaks = set(range(start + CHUNK_STEPS, end, CHUNK_STEPS))
        for _, _, _, steps, _ in self.currents:
            breaks.update(int(s) for s in steps if start < s < end)
        return sorted(breaks)

    def run(self, n_steps: int, progress: bool) -> None:
        net = self.net
        start, end = net.step, net.step + n_steps
        if n_steps == 0:
            return
        for (b2mon, _), mon in zip(self.monitors, net.monitors, strict=True):
            b2mon.active = bool(mon.active)
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=n_steps, unit="step", desc=f"t = {net.t:.1f} ms")
        try:
            self._state_to_brian2()
            if not self.compiled:
                self._compile()
            edges = [start, *self._breaks(start, end), end]
            for a, b in zip(edges[:-1], edges[1:], strict=True):
                self._set_currents(a)
                for pop in net.populations.values():
                    if not pop.model.is_source:
                        self.groups[pop.name].I_ = pop.I
                report = None
                if bar is not None:

                    def report(elapsed, completed, t_start, duration, a=a, b=b):
                        bar.n = a - start + int(completed * (b - a))
                        bar.set_description(f"t = {(start + bar.n) * net.dt:.1f} ms")

                with _CodegenTarget(self.target):
                    self.b2net.run(
                        (b - a) * net.dt * b2.ms,
                        namespace={},
                        report=report,
                        report_period=1 * b2.second,
                    )
                self._flush()
                net.step = b
                if bar is not None:
                    bar.n = b - start
                    bar.set_description(f"t = {net.t:.1f} ms")
        finally:
            if bar is not None:
                bar.close()
        self._state_from_brian2(end)

    def _flush(self) -> None:
        """Append what the Brian2 monitors recorded since the last call."""
        dt_s = self.dt_s
        for slot, mon in zip(self.monitors, self.net.monitors, strict=True):
            b2mon, done = slot
            if not mon.active:
                continue
            t = b2mon.t_[:]
            new = slice(done, len(t))
            slot[1] = len(t)
            steps = np.rint(t[new] / dt_s).astype(np.int64)
            if mon.kind == "spikes":
                idx = b2mon.i[:][new]
                keep = mon.mask[idx].astype(bool)
                mon.append(steps[keep], idx[keep].astype(np.int32))
            elif mon.kind == "rate":
                counts = np.rint(b2mon.rate_[:][new] * mon.target.n * dt_s)
                mon.append(steps, counts.astype(np.int32))
            elif mon.kind == "state":
                block = np.empty((len(steps), len(mon.rows), len(mon.neurons)))
                for a, var in enumerate(mon.variables):
                    if var == "last_spike_step":
                        values = self._steps_of_lastspike(b2mon.lastspike_[:, new].T)
                    else:
                        values = getattr(b2mon, f"{var}_")[:, new].T
                    block[:, a, :] = values
                mon.append(steps, block)
            else:
                mon.append(steps, getattr(b2mon, f"{WEIGHT}_")[:, new].T)
