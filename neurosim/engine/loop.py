"""The numba engine: builds the generated loop for a network and runs it in chunks.

Within a chunk everything runs in one compiled call (no Python per step). Between
chunks Python moves monitor buffers into storage and advances the progress bar. The
order within step ``n`` (time ``t_n``) is:

1. delayed spikes arriving at ``t_n`` are added from ring buffers;
2. current inputs switch segments starting at ``n``;
3. state and weight monitors sample (values at ``t_n``);
4. every population advances to ``t_{n+1}`` and reports the neurons that fired;
5. spike and rate monitors record; spikes are delivered (delay 1 step: straight into
   the target variable; longer: into the ring buffer).
"""

from __future__ import annotations

import numpy as np

from neurosim.engine import codegen

#: Steps per compiled call when nothing limits it.
CHUNK_STEPS = 10_000
#: Upper bound on the memory of one chunk's state/weight monitor buffers.
BUFFER_BYTES = 64 * 2**20
#: Minimum capacity (spikes) of a spike monitor buffer between flushes.
SPIKE_BUFFER = 100_000


class NumbaEngine:
    """Compiled engine of one network structure (rebuilt when the structure changes)."""

    def __init__(self, network):
        self.net = network
        src = codegen.Source()
        self.status = np.zeros(3, dtype=np.int64)
        pops = list(network.populations.values())
        self.pop_index = {p.name: k for k, p in enumerate(pops)}
        self.spike_bufs = [np.zeros(p.n, dtype=np.int64) for p in pops]
        projs = list(network.projections.values())
        n_counters = len(pops) + 2 * len(projs)
        self.events = np.zeros(n_counters, dtype=np.int64)
        ev = src.arg("events", self.events)
        self.chunk = self._chunk_steps()

        counts = {}
        for k, pop in enumerate(pops):
            A, B = pop.model.aux(pop.n, network.dt)
            names = [
                src.arg(f"S{k}", pop.S),
                src.arg(
                    f"P{k}", np.ascontiguousarray(pop.model.constants(network.dt), dtype=float)
                ),
                src.arg(f"A{k}", np.ascontiguousarray(A, dtype=float)),
                src.arg(f"B{k}", np.ascontiguousarray(B, dtype=np.int64)),
                src.arg(f"R{k}", pop.rng_state),
                src.arg(f"I{k}", pop.I),
                "n",
                src.arg(f"K{k}", self.spike_bufs[k]),
            ]
            step = src.function(pop.model.step, f"step{k}")
            counts[pop.name] = f"c{k}"
            src.update += [
                f"c{k} = {step}({', '.join(names)})",
                f"if c{k} < 0:",
                f"    status[0] = 1; status[1] = {k}; status[2] = n",
                "    return n",
                f"{ev}[{k}] += c{k}",
            ]

        # ring buffers: one per (post population, receptor row) fed by static delays
        # > 1 step; kept by the network so that spikes in flight survive a rebuild
        rings = {}
        for proj in projs:
            if proj.synapse is None and proj.max_delay_steps > 1:
                key = (proj.post_population.name, proj.target_row)
                rings[key] = max(rings.get(key, 1), proj.max_delay_steps)
        self.rings = {}
        for r, ((pname, row), depth) in enumerate(rings.items()):
            pop = network.populations[pname]
            buf = _persistent_ring(network, ("ring", pname, row), depth, pop.n)
            self.rings[(pname, row)] = buf
            name = src.arg(f"ring{r}", buf)
            src.pre.append(f"K.deliver({name}, n, S{self.pop_index[pname]}[{row}])")

        for c, (pop, current, targets) in enumerate(network.currents):
            steps, amps = current.tables(targets, network.dt)
            # what this input has added to pop.I so far, and the next segment: kept
            # on the network so that a rebuilt engine does not add a current twice
            applied = network.applied_current(c, targets.size)
            pointer = network._buffers.setdefault(("current_pointer", c), np.zeros(1, np.int64))
            args = [
                src.arg(f"cs{c}", steps),
                src.arg(f"ca{c}", amps),
                src.arg(f"ct{c}", targets),
                src.arg(f"cv{c}", applied),
                src.arg(f"cp{c}", pointer),
                f"I{self.pop_index[pop.name]}",
                "n",
            ]
            src.pre.append(f"K.apply_currents({', '.join(args)})")

        # monitors: control rows [active, every, filled]
        self.control = np.zeros((len(network.monitors), 3), dtype=np.int64)
        ctl = src.arg("ctl", self.control)
        self.buffers = []
        for m, mon in enumerate(network.monitors):
            self.control[m, 1] = mon.every
            kind = mon.kind
            if kind == "spikes":
                k = self.pop_index[mon.target.name]
                cap = max(4 * mon.target.n, SPIKE_BUFFER)
                bufs = (np.zeros(cap, np.int64), np.zeros(cap, np.int32))
                mask = src.arg(f"mk{m}", mon.mask)
                bt, bi = src.arg(f"mt{m}", bufs[0]), src.arg(f"mi{m}", bufs[1])
                src.pre.insert(0, f"if {ctl}[{m}, 0] and {ctl}[{m}, 2] + {mon.target.n} > {cap}:")
                src.pre.insert(1, "    return n")
                src.post += [
                    f"if {ctl}[{m}, 0]:",
                    f"    {ctl}[{m}, 2] = K.record_spikes(K{k}, c{k}, n, {mask}, {bt}, {bi}, {ctl}[{m}, 2])",
                ]
            elif kind == "rate":
                k = self.pop_index[mon.target.name]
                bufs = (np.zeros(self.chunk, np.int32),)
                b = src.arg(f"rb{m}", bufs[0])
                src.post += [
                    f"if {ctl}[{m}, 0]:",
                    f"    {b}[{ctl}[{m}, 2]] = c{k}",
                    f"    {ctl}[{m}, 2] += 1",
                ]
            elif kind == "state":
                k = self.pop_index[mon.target.name]
                cap = self.chunk // mon.every + 1
                bufs = (np.zeros((cap, len(mon.rows), len(mon.neurons))),)
                rows, idx = src.arg(f"sr{m}", mon.rows), src.arg(f"sn{m}", mon.neurons)
                b = src.arg(f"sb{m}", bufs[0])
                src.pre += [
                    f"if {ctl}[{m}, 0] and n % {ctl}[{m}, 1] == 0:",
                    f"    K.record_state(S{k}, {rows}, {idx}, {b}, {ctl}[{m}, 2])",
                    f"    {ctl}[{m}, 2] += 1",
                ]
            elif kind == "weights":
                j = projs.index(mon.target)
                cap = self.chunk // mon.every + 1
                bufs = (np.zeros((cap, len(mon.synapses))),)
                ids, b = src.arg(f"ws{m}", mon.synapses), src.arg(f"wb{m}", bufs[0])
                src.pre += [
                    f"if {ctl}[{m}, 0] and n % {ctl}[{m}, 1] == 0:",
                    f"    K.record_values(w{j}, {ids}, {b}, {ctl}[{m}, 2])",
                    f"    {ctl}[{m}, 2] += 1",
                ]
            self.buffers.append(bufs)

        post_calls, step_calls = [], []
        for j, proj in enumerate(projs):
            k = self.pop_index[proj.pre_population.name]
            q = self.pop_index[proj.post_population.name]
            ip = src.arg(f"ip{j}", proj.indptr)
            po = src.arg(f"po{j}", proj.post)
            w = src.arg(f"w{j}", proj.weight)
            syn_ev = f"{ev}[{len(pops) + j}]"
            plast_ev = f"{ev}[{len(pops) + len(projs) + j}]"
            if proj.target_row is None:
                target = src.arg(f"none{j}", np.zeros(proj.post_population.n))
            else:
                target = f"S{q}[{proj.target_row}]"
            rule = proj.synapse
            transmit = None if rule is None or rule.delivers else rule.on_transmit
            if proj.target_row is None:
                transmit = None
            if rule is None or (not rule.delivers and transmit is None):
                if proj.target_row is None:
                    pass
                elif proj.max_delay_steps > 1:
                    d = src.arg(f"d{j}", proj.delay_steps)
                    ring = f"ring{list(self.rings).index((proj.post_population.name, proj.target_row))}"
                    call = f"K.propagate_delayed({ip}, {po}, {w}, {d}, K{k}, c{k}, {ring}, n)"
                    src.post += [f"if c{k} > 0:", f"    {syn_ev} += {call}"]
                else:
                    call = f"K.propagate({ip}, {po}, {w}, K{k}, c{k}, {target})"
                    src.post += [f"if c{k} > 0:", f"    {syn_ev} += {call}"]
            if rule is None:
                continue
            dt = network.dt
            rule_args = [
                src.arg(f"sy{j}", proj.S_syn),
                src.arg(f"sp{j}", proj.S_pre),
                src.arg(f"sq{j}", proj.S_post),
                src.arg(f"pr{j}", np.ascontiguousarray(rule.constants(dt), dtype=float)),
            ]
            rng = src.arg(f"rr{j}", proj.rng_state)
            on_pre = src.function(rule.on_pre, f"on_pre{j}")
            on_post = src.function(rule.on_post, f"on_post{j}")
            head = f"{ip}, {po}, {w}, {', '.join(rule_args)}"

            def pre_events(
                kernel, lag, counted, tag, j=j, k=k, head=head, target=target, rng=rng, proj=proj
            ):
                """Lines calling ``kernel`` for the spikes of step ``n - lag``."""
                if lag == 0:
                    return [
                        f"if c{k} > 0:",
                        f"    t{j} = {kernel}({head}, K{k}, c{k}, n, {target}, {rng})",
                        *[f"    {e} += t{j}" for e in counted],
                    ]
                depth, n_pre = lag + 1, proj.pre_population.n
                qb = src.arg(
                    f"qb{tag}{j}",
                    _persistent_ring(network, ("queue" + tag, proj.name), depth, n_pre, np.int64),
                )
                qc = src.arg(
                    f"qc{tag}{j}",
                    _persistent_ring(network, ("queue_count" + tag, proj.name), depth, 1, np.int64),
                )
                slot = f"slot{tag}{j}"
                return [
                    f"K.enqueue({qb}, {qc}, K{k}, c{k}, (n + {lag}) % {depth})",
                    f"{slot} = n % {depth}",
                    f"if {qc}[{slot}, 0] > 0:",
                    f"    t{j} = {kernel}({head}, {qb}[{slot}], {qc}[{slot}, 0], n, {target}, {rng})",
                    *[f"    {e} += t{j}" for e in counted],
                    f"    {qc}[{slot}, 0] = 0",
                ]

            if transmit is not None:
                tx = src.function(transmit, f"on_tx{j}")
                src.post += pre_events(tx, proj.max_delay_steps - 1, [syn_ev, plast_ev], "tx")
            lag = proj.max_delay_steps - 1 + (0 if rule.delivers else rule.pre_lag_steps(dt))
            counted = [plast_ev] + (
                [syn_ev] if rule.delivers and proj.target_row is not None else []
            )
            src.post += pre_events(on_pre, lag, counted, "")
            ptr, ids = proj.post_index()
            pp, ps = src.arg(f"pp{j}", ptr), src.arg(f"ps{j}", ids)
            spre = src.arg(f"spre{j}", proj.pre_by_post())
            post_calls += [
                f"if c{q} > 0:",
                f"    {plast_ev} += {on_post}({pp}, {ps}, {spre}, {w}, {', '.join(rule_args)}, K{q}, c{q}, n, {rng})",
            ]
            if rule.clock_driven:
                post_pop = proj.post_population
                if "v" in [v for v, _ in post_pop.model.state_vars]:
                    v_post = f"S{q}[{post_pop.model.state_index('v')}]"
                else:
                    v_post = src.arg(f"vnone{j}", np.zeros(post_pop.n))
                on_step = src.function(rule.on_step, f"on_step{j}")
                step_calls.append(
                    f"{plast_ev} += {on_step}({ip}, {po}, {w}, {', '.join(rule_args)}, n, {v_post}, {rng})"
                )
        src.post += post_calls + step_calls

        self.counter_names = (
            [f"spikes/{p.name}" for p in pops]
            + [f"synaptic_events/{p.name}" for p in projs]
            + [f"plasticity_updates/{p.name}" for p in projs]
        )
        self.source = src.render()
        self.kernel = codegen.load(self.source)
        self.args = src.values

    def _chunk_steps(self) -> int:
        per_step = 0
        for mon in self.net.monitors:
            if mon.kind == "state":
                per_step += 8 * len(mon.rows) * len(mon.neurons) / mon.every
            elif mon.kind == "weights":
                per_step += 8 * len(mon.synapses) / mon.every
        if per_step == 0:
            return CHUNK_STEPS
        return int(max(1, min(CHUNK_STEPS, BUFFER_BYTES // per_step)))

    def run(self, n_steps: int, progress: bool) -> None:
        net = self.net
        end = net.step + n_steps
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=n_steps, unit="step", desc=f"t = {net.t:.1f} ms")
        # with a progress bar, return to Python about 50 times per run
        span = self.chunk if bar is None else max(1, min(self.chunk, n_steps // 50))
        for m, mon in enumerate(net.monitors):
            self.control[m, 0] = int(mon.active)
        try:
            while net.step < end:
                start = net.step
                stop = min(end, start + span)
                self.control[:, 2] = 0
                self.status[:] = 0
                reached = int(self.kernel(start, stop, self.status, *self.args))
                self._flush(start, reached)
                net.step = reached
                if bar is not None:
                    bar.update(reached - start)
                    bar.set_description(f"t = {net.t:.1f} ms")
                if self.status[0]:
                    pop = list(net.populations)[int(self.status[1])]
                    raise SimulationError_(pop, int(self.status[2]) * net.dt)
        finally:
            if bar is not None:
                bar.close()
            totals = net._event_counts
            for name, value in zip(self.counter_names, self.events.tolist(), strict=True):
                totals[name] = totals.get(name, 0) + value
            self.events[:] = 0

    def _flush(self, start: int, stop: int) -> None:
        for m, mon in enumerate(self.net.monitors):
            filled = int(self.control[m, 2])
            if not self.control[m, 0]:
                continue
            bufs = self.buffers[m]
            if mon.kind == "spikes":
                mon._append(bufs[0][:filled], bufs[1][:filled])
            elif mon.kind == "rate":
                mon._append(np.arange(start, start + filled), bufs[0][:filled])
            else:
                first = -(-start // mon.every) * mon.every
                steps = np.arange(first, stop, mon.every)[:filled]
                mon._append(steps, bufs[0][:filled])


def SimulationError_(population: str, t: float):
    from neurosim.network import SimulationError

    return SimulationError(
        f"the state of population {population!r} became NaN or infinite at t = {t:.4g} ms; "
        "the run stopped there (recorded data up to that step are kept). Check the "
        "parameters, inputs and the time step."
    )


def _persistent_ring(network, key, depth, width, dtype=float):
    """A ``(depth, width)`` buffer indexed by ``step % depth`` kept on the network.

    When a rebuild needs a deeper buffer, pending entries move to the slots of the same
    future steps, so that nothing in flight is lost.
    """
    store = network._buffers
    old = store.get(key)
    if old is not None and old.shape == (depth, width):
        return old
    new = np.zeros((depth, width), dtype=dtype)
    if old is not None:
        n = network.step
        for m in range(n, n + old.shape[0]):
            new[m % depth] = old[m % old.shape[0]]
    store[key] = new
    return new
