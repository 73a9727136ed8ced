"""Builder of the generated loop for projections: static transmission and the kernels
of plasticity rules (``on_transmit``, ``on_pre``, ``on_post``, ``on_step``).

Sections of the step it writes (see :mod:`neurosim.engine.loop`): ``transmit`` (the
spikes of this step are delivered, or reach the rule's presynaptic kernels, directly
or through a per-projection event queue when they act some steps later), ``post``
(postsynaptic spikes reach ``on_post``) and ``clock`` (rules that need it update every
step; a rule's modulator handler ``on_modulator`` runs there too, after the
projection's other kernels, in steps in which a release reached the modulator that
the projection reads).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurosim.engine.context import LoopContext
from neurosim.kernels.delivery import same_weights
from neurosim.kernels.history import arrived as arrived_
from neurosim.kernels.history import remember as remember_
from neurosim.neurons.modulator import remember as copy_state


@dataclass(frozen=True)
class _Names:
    """Names in the loop of one projection ``j``'s arrays and counters."""

    j: int
    csr: str  # "indptr, post, weight"
    target: str  # receptor row of the postsynaptic state (or a scratch row)
    spikes: str  # presynaptic spikes of this step
    count: str
    synaptic: str  # counter of synaptic events
    plastic: str  # counter of plasticity updates
    rule_csr: str  # the rule's CSR (see Projection.rule_indptr); csr with one delay
    gate: str  # int64[1]: 1 while the rule learns (Projection.plastic)


def build_projections(ctx: LoopContext) -> None:
    """``transmit``, ``post`` and ``clock`` sections for every projection."""
    watched = _watched_modulators(ctx)
    for j, proj in enumerate(ctx.projections):
        names = _names(ctx, j, proj)
        rule = proj.synapse
        static = rule is None or (not rule.delivers and rule.on_transmit is None)
        if static and proj.target_row is not None:
            _static(ctx, names, proj, watched.get(proj.post_population.name))
        if rule is not None:
            _plastic(ctx, names, proj, watched)


def _names(ctx: LoopContext, j: int, proj) -> _Names:
    csr = [
        ctx.arg(f"ip{j}", proj.indptr),
        ctx.arg(f"po{j}", proj.post),
        ctx.arg(ctx.weights(proj), proj.weight),
    ]
    post = proj.post_population
    if proj.target_row is None:
        target = ctx.arg(f"none{j}", np.zeros(post.n))
    else:
        target = f"{ctx.state(post)}[{proj.target_row}]"
    spikes, count = ctx.spikes(proj.pre_population)
    rule_csr, gate = list(csr), ""
    if proj.synapse is not None:
        gate = ctx.arg(f"pl{j}", proj._plastic)
        if proj.delay_groups.size > 1:
            rule_csr[0] = ctx.arg(f"ipr{j}", proj.rule_indptr)
    return _Names(
        j,
        ", ".join(csr),
        target,
        spikes,
        count,
        ctx.counter(ctx.delivery_counter(proj)),
        ctx.counter(f"plasticity_updates/{proj.name}"),
        ", ".join(rule_csr),
        gate,
    )


def _static(ctx: LoopContext, names: _Names, proj, watch) -> None:
    """Fixed weights: added into the target after this step's update (delay of one
    step) or into the ring buffer slots of their arrival steps. Into a modulator whose
    releases a rule's ``on_modulator`` handles (``watch``: the names of its copy and
    release count), the state is first copied and the releases counted."""
    if proj.max_delay_steps > 1:
        delay = ctx.arg(f"d{names.j}", proj.delay_steps)
        ring = ctx.rings[(proj.post_population.name, proj.target_row)]
        arrivals = f"{names.spikes}, {names.count}, {ring}, n"
        call = f"K.propagate_delayed({names.csr}, {delay}, {arrivals})"
    elif proj.synapse is None:
        # the engine sets the flag before each chunk (NumbaEngine.note_arrays)
        flag = np.zeros(1, dtype=np.int64)
        ctx.looks.append((proj.weight, flag, same_weights, 1, 0))
        uniform = ctx.arg(f"u{names.j}", flag)
        arrivals = f"{names.spikes}, {names.count}, {names.target}"
        call = f"K.propagate_static({names.csr}, {uniform}, {arrivals})"
    else:
        call = f"K.propagate({names.csr}, {names.spikes}, {names.count}, {names.target})"
    if watch is None:
        ctx.add("transmit", f"if {names.count} > 0:", f"    {names.synaptic} += {call}")
        return
    before, flag = watch
    state = ctx.state(proj.post_population)
    ctx.add(
        "transmit",
        f"if {names.count} > 0:",
        f"    if {flag} == 0:",
        f"        {ctx.function(copy_state, 'copy_state')}({state}, {before})",
        f"    t{names.j} = {call}",
        f"    {names.synaptic} += t{names.j}",
        f"    {flag} += t{names.j}",
    )


def _plastic(ctx: LoopContext, names: _Names, proj, watched) -> None:
    """A rule's kernels: presynaptic spikes (after the delay, and the rule's own lag
    where it has one) reach ``on_transmit`` and ``on_pre``, postsynaptic spikes
    ``on_post``, ``on_step`` runs every step for clock-driven rules and
    ``on_modulator`` in steps with releases into the modulator the projection reads
    (called with step ``n + 1``: the releases are in its state at ``t_{n+1}``); all of
    them only while the projection is plastic (``names.gate``). A frozen projection
    whose rule transmits sends its present weights as a static projection does."""
    rule, j = proj.synapse, names.j
    state = [
        ctx.arg(f"sy{j}", proj.S_syn),
        ctx.arg(f"sp{j}", proj.S_pre),
        ctx.arg(f"sq{j}", proj.S_post),
        ctx.arg(f"pr{j}", proj.rule_constants()),
    ]
    state = ", ".join(state)
    # every kernel's arguments after the step (and the target): R, X, M, Q, q
    tail = f"{ctx.arg(f'rr{j}', proj.rng_state)}, {_reads(ctx, j, proj)}"
    on_pre = ctx.function(rule.on_pre, f"on_pre{j}")
    on_post = ctx.function(rule.on_post, f"on_post{j}")
    head = f"{names.rule_csr}, {state}"
    transmits = proj.target_row is not None
    extra = 0 if rule.delivers else rule.pre_lag_steps(ctx.dt)
    if proj.delay_groups.size > 1:
        _history(ctx, names, proj, extra)
    if not rule.delivers and rule.on_transmit is not None and transmits:
        on_tx = ctx.function(rule.on_transmit, f"on_tx{j}")
        counted = [names.synaptic, names.plastic]
        _presynaptic(ctx, names, proj, f"{on_tx}({head}", tail, 0, counted, "tx", True)
    counted = [names.plastic]
    if rule.delivers and transmits:
        counted.append(names.synaptic)
    frozen_sends = rule.delivers and transmits
    _presynaptic(ctx, names, proj, f"{on_pre}({head}", tail, extra, counted, "", frozen_sends)
    ptr, ids = proj.post_index()
    by_post = [
        ctx.arg(f"pp{j}", ptr),
        ctx.arg(f"ps{j}", ids),
        ctx.arg(f"spre{j}", proj.pre_by_post()),
    ]
    spikes, count = ctx.spikes(proj.post_population)
    weight = ctx.weights(proj)
    call = f"{on_post}({', '.join(by_post)}, {weight}, {state}, {spikes}, {count}, n, {tail})"
    ctx.add("post", f"if {count} > 0 and {names.gate}[0] != 0:", f"    {names.plastic} += {call}")
    if rule.clock_driven:
        v_post = _postsynaptic_voltage(ctx, j, proj.post_population)
        on_step = ctx.function(rule.on_step, f"on_step{j}")
        line = f"    {names.plastic} += {on_step}({head}, n, {v_post}, {tail})"
        ctx.add("clock", f"if {names.gate}[0]:", line)
    if rule.on_modulator is not None and proj.modulator is not None:
        before, flag = watched[proj.modulator.name]
        handler = ctx.function(rule.on_modulator, f"on_mod{j}")
        call = f"{handler}({head}, n + 1, {tail}, {before})"
        ctx.add("clock", f"if {flag} > 0 and {names.gate}[0]:", f"    {names.plastic} += {call}")


def _handle(names: _Names, call: str, rng: str, spikes: str, count: str, counted, sends):
    """Lines that hand ``count`` presynaptic events ``spikes`` to ``call`` while the
    projection is plastic, else (when ``sends``) deliver them as static synapses."""
    j = names.j
    lines = [
        f"if {names.gate}[0]:",
        f"    t{j} = {call}, {spikes}, {count}, n, {names.target}, {rng})",
        *[f"    {counter} += t{j}" for counter in counted],
    ]
    if sends:
        static = f"K.propagate({names.rule_csr}, {spikes}, {count}, {names.target})"
        lines += ["else:", f"    {names.synaptic} += {static}"]
    return lines


def _indent(lines):
    return [f"    {line}" for line in lines]


def _presynaptic(ctx, names: _Names, proj, call: str, rng: str, extra: int, counted, tag, sends):
    """Lines that hand the presynaptic events of each synapse, due in step
    ``n_spike + d - 1 + extra`` for a delay of ``d`` steps, to ``call`` (a kernel and
    its leading arguments) and add what it returns to the ``counted`` counters.

    With one delay and a lag ``d - 1 + extra > 0`` the spikes wait in an event queue
    of ``lag + 1`` slots (kept in ``network.buffers``): slot ``m % (lag + 1)`` lists the
    spikes due at step ``m``. With several delays each delay group takes its spikes
    from the projection's spike history (see :func:`_history`).
    """
    j = names.j
    if proj.delay_groups.size > 1:
        lags = ctx.arg(f"lg{tag}{j}", proj.delay_groups - 1 + extra)
        g, arrived = f"g{j}", ctx.function(arrived_, "arrived")
        groups = f"{lags}.shape[0]"  # an argument's size, so that G is not in the source
        ctx.add(
            "transmit",
            f"for {g} in range({groups}):",
            f"    na{j} = {arrived}(hb{j}, n - {lags}[{g}], {groups}, {g}, vs{j})",
            f"    if na{j} > 0:",
            *_indent(_indent(_handle(names, call, rng, f"vs{j}", f"na{j}", counted, sends))),
        )
        return
    lag = proj.max_delay_steps - 1 + extra
    if lag == 0:
        handle = _handle(names, call, rng, names.spikes, names.count, counted, sends)
        ctx.add("transmit", f"if {names.count} > 0:", *_indent(handle))
        return
    net, depth, kind = ctx.network, lag + 1, "transmit_queue" if tag else "queue"
    width = proj.pre_population.n
    queue = net.buffers.ring(f"{kind}/{proj.name}", depth, width, net.step, np.int64)
    sizes = net.buffers.ring(f"{kind}_count/{proj.name}", depth, 1, net.step, np.int64)
    queue, sizes = ctx.arg(f"qb{tag}{j}", queue), ctx.arg(f"qc{tag}{j}", sizes)
    slot = f"slot{tag}{j}"
    handle = _handle(names, call, rng, f"{queue}[{slot}]", f"{sizes}[{slot}, 0]", counted, sends)
    ctx.add(
        "transmit",
        f"K.enqueue({queue}, {sizes}, {names.spikes}, {names.count}, (n + {lag}) % {depth})",
        f"{slot} = n % {depth}",
        f"if {sizes}[{slot}, 0] > 0:",
        *_indent(handle),
        f"    {sizes}[{slot}, 0] = 0",
    )


def _history(ctx: LoopContext, names: _Names, proj, extra: int) -> None:
    """The spike history of a plastic projection with several delays: the presynaptic
    spikes of the last ``max d + extra`` steps, in ``network.buffers`` (so that spikes
    in flight survive a rebuild), written every step; ``vs{j}`` is the scratch list of
    one delay group's events."""
    net, j, pre = ctx.network, names.j, proj.pre_population
    depth = proj.max_delay_steps + extra
    history = net.buffers.history(f"history/{proj.name}", depth, pre.n + 1, net.step)
    ctx.arg(f"hb{j}", history)
    ctx.arg(f"vs{j}", np.zeros(pre.n, dtype=np.int64))
    remember = ctx.function(remember_, "remember")
    ctx.add("transmit", f"{remember}(hb{j}, {names.spikes}, {names.count}, n)")


def _postsynaptic_voltage(ctx: LoopContext, j: int, post) -> str:
    """The membrane potential row of ``post`` for ``on_step`` (zeros if it has none)."""
    v = post.model.MEMBRANE
    if v in [name for name, _ in post.model.state_vars]:
        return f"{ctx.state(post)}[{post.model.state_index(v)}]"
    return ctx.arg(f"vnone{j}", np.zeros(post.n))


def _reads(ctx: LoopContext, j: int, proj) -> str:
    """The trailing arguments of every rule kernel of projection ``j`` (see
    :mod:`neurosim.synapses.base`): the postsynaptic state ``X``, the modulator state
    ``M`` (zeros without one), the postsynaptic per-neuron rows ``Q`` and the rule's
    rows in it ``q``."""
    post, mod = proj.post_population, proj.modulator
    modulator = ctx.state(mod) if mod is not None else ctx.arg(f"mnone{j}", proj.modulator_state())
    rows = ctx.arg(f"qi{j}", proj.row_index)
    return f"{ctx.state(post)}, {modulator}, {ctx.neuron_rows(post)}, {rows}"


def _watched_modulators(ctx: LoopContext) -> dict[str, tuple[str, str]]:
    """For every modulator read by a rule with ``on_modulator``: the names of a copy of
    its state taken before this step's first release and of the count of this step's
    releases (reset after the update). Releases must reach it through static
    projections with a delay of one step (so that the handler runs in the step of the
    release)."""
    watched = {}
    for proj in ctx.projections:
        mod = proj.modulator
        if mod is None or proj.synapse.on_modulator is None or mod.name in watched:
            continue
        for feed in ctx.projections:
            if feed.post_population is mod and (
                feed.synapse is not None or feed.max_delay_steps > 1
            ):
                raise ValueError(
                    f"projection {feed.name!r} releases into modulator {mod.name!r}, whose "
                    f"releases the rule of {proj.name!r} handles (on_modulator): releases "
                    f"must be static (synapse=None) with delay = dt = {ctx.dt} ms; schedule "
                    "later releases through the source's spike times"
                )
        k = ctx.index(mod)
        watched[mod.name] = (ctx.arg(f"mb{k}", np.zeros_like(mod.S)), f"rel{k}")
        ctx.add("update", f"rel{k} = 0")
    return watched
