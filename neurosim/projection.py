"""Projections: synapses from one population onto a receptor of another, in CSR order."""

from __future__ import annotations

import numpy as np

from neurosim import connectivity as conn
from neurosim.kernels.rng import kernel_state, numpy_generator
from neurosim.params import replace_params
from neurosim.system import available_memory
from neurosim.units import GRID_TOLERANCE, nearest_steps, to_neurosim, to_steps


class Projection:
    """Synapses from one population onto a receptor of another.

    Synapses are stored in CSR order (sorted by presynaptic neuron): ``pre``, ``post``
    (unsigned 32-bit indices: unsigned indexing is measurably faster in the delivery
    loop), ``weight`` (unit of the receptor) and ``delay`` (ms) are arrays in that order;
    ``indptr`` delimits each presynaptic neuron's synapses. :meth:`post_index` gives the
    synapses onto each postsynaptic neuron.

    ``projection.weight = values`` and ``projection.<rule variable> = values`` write
    into the existing arrays through :meth:`set` (validated, so the kernel sees them),
    ``projection.plastic = False`` freezes its rule (see :attr:`plastic`); every other
    public attribute is read-only (an AttributeError names it).

    A plastic projection may have a delay per synapse. Its synapses are then sorted by
    presynaptic neuron and, within one neuron's, by delay (stable: synapses of equal
    delay keep the order the connectivity rule drew them in); with one delay the order
    is the connectivity rule's, sorted by presynaptic neuron only. The rule sees each
    (presynaptic neuron, delay) pair as one presynaptic element: ``delay_groups``
    lists the ``G`` distinct delays (steps), ``rule_pre`` the rule's presynaptic index
    ``i * G + g`` of each synapse and ``rule_indptr`` its synapses, so that ``S_pre``
    has ``G`` columns per neuron: a presynaptic trace is the trace of the spikes as they
    arrive through that delay, as each synapse's own trace in Brian2.
    """

    def __init__(
        self, network, name, pre, post, rule, weight, delay, receptor, synapse=None, modulator=None
    ):
        self._attach(network, name, pre, post, rule, receptor, synapse, modulator)
        conn.check_size(rule, pre.n, post.n, pre is post, f"projection {name!r}")
        rng = numpy_generator(network.seed, f"projection/{name}")
        pre_idx, post_idx = rule.pairs(pre.n, post.n, pre is post, rng)
        n = len(pre_idx)
        w = conn.synaptic_values(weight, n, self._dimension, "weight", rng)
        self._check_sign(w)
        d_steps = _delay_steps(delay, n, network.dt, rng, name, post.n)
        order, self.indptr = conn.build_csr(pre_idx, pre.n, keep_sorted=True)
        groups = np.unique(d_steps)
        if synapse is not None and groups.size > 1:
            order = np.lexsort((d_steps, pre_idx))  # by presynaptic neuron, then delay

        def arranged(a, dtype=None):
            # in CSR order; drawn already sorted, as they are (no permuted copy). The
            # indices are always copied (a rule may return arrays it keeps); weights
            # and delays are this projection's own already.
            a = a if order is None else a[order]
            return np.ascontiguousarray(a if dtype is None else a.astype(dtype))

        self.pre = arranged(pre_idx, np.uint32)
        del pre_idx
        self.post = arranged(post_idx, np.uint32)
        del post_idx
        self.weight = arranged(w)
        self.delay_steps = arranged(d_steps)
        stream = kernel_state if synapse is None else synapse.random_state
        self.rng_state = stream(network.seed, f"projection/{name}")
        if synapse is not None:
            self._rule_delays(groups if groups.size else np.ones(1, np.int32))
            self._init_rule(synapse, n, pre.n * self.delay_groups.size, post.n)
            self._plastic = np.ones(1, dtype=np.int64)
        self._frozen = True

    @classmethod
    def _from_arrays(cls, network, name, pre, post, receptor, synapse, arrays, modulator=None):
        """A projection whose synapses, weights, delays and rule state are the given
        ``arrays`` (attribute name -> array, e.g. from a checkpoint: ``indptr``,
        ``pre``, ``post``, ``weight``, ``delay_steps``, ``rng_state``, ``S_syn``, ...),
        taken as they are: nothing is drawn. Its ``rule`` is the
        :class:`~neurosim.connectivity.Explicit` list of its synapses."""
        self = cls.__new__(cls)
        rule = conn.Explicit(arrays["pre"], arrays["post"])
        self._attach(network, name, pre, post, rule, receptor, synapse, modulator)
        for var, value in arrays.items():
            setattr(self, var, value)
        self._frozen = True
        return self

    def _attach(self, network, name, pre, post, rule, receptor, synapse, modulator):
        """Set what every projection has besides its arrays: names, populations, rule,
        the receptor's row of the target state and its dimension."""
        self._frozen = False
        self._post_index = None
        self._pre_by_post = None
        self.network = network
        self.name = name
        self.pre_population = pre
        self.post_population = post
        self.rule = rule
        self.synapse = synapse
        #: The modulator population whose state the rule's kernels read (or None).
        self.modulator = modulator
        if receptor is None:
            if synapse is None:
                raise ValueError("receptor=None (no transmission) needs a plasticity rule")
            self.target_row = None
            self._dimension = "1"
        else:
            if post.model.is_source or receptor not in post.model.receptors:
                raise ValueError(
                    f"{post.model.name} population {post.name!r} has no receptor {receptor!r}; "
                    f"receptors: {sorted(post.model.receptors)}"
                )
            self.target_row = post.model.state_index(post.model.receptors[receptor])
            self._dimension = post.model.receptor_dimension[receptor]
        self.receptor = receptor

    def _rule_delays(self, groups: np.ndarray) -> None:
        """The rule's view of the synapses (see :attr:`rule_pre`): with ``G`` distinct
        delays, presynaptic neuron ``i`` seen through delay group ``g`` is the rule's
        presynaptic index ``i * G + g``, and synapses sorted by (neuron, delay) form a
        CSR over those indices (``rule_indptr``); with one delay both are the
        projection's own ``pre`` and ``indptr``."""
        self.delay_groups = groups.astype(np.int64)
        size = groups.size
        if size == 1:
            self.rule_pre, self.rule_indptr = self.pre, self.indptr
            return
        group = np.searchsorted(groups, self.delay_steps)
        virtual = self.pre.astype(np.int64) * size + group
        self.rule_pre = virtual.astype(np.uint32)
        counts = np.bincount(virtual, minlength=self.pre_population.n * size)
        self.rule_indptr = np.zeros(counts.size + 1, dtype=np.int64)
        np.cumsum(counts, out=self.rule_indptr[1:])

    def _init_rule(self, synapse, n, n_pre, n_post):
        synapse.check_target(self.post_population.model)
        synapse.check_weights(self.weight)
        #: Row in ``post.neuron_rows`` of each of the rule's ``neuron_vars``.
        self.row_index = self.post_population.declare_rows(
            synapse.neuron_vars, f"projection {self.name!r}"
        )
        self.S_syn, self.S_pre, self.S_post = (
            np.ascontiguousarray(a, dtype=float)
            for a in synapse.initial_state(n, n_pre, n_post, self.weight)
        )
        names = [v for v, _ in synapse.synapse_vars]
        if "last_step" in names:
            row = names.index("last_step")
            self.S_syn[row] = np.maximum(self.S_syn[row], self.network.step)
        synapse.attach(self)

    def _check_sign(self, w):
        if self._dimension == "conductance" and w.size and w.min() < 0:
            raise ValueError(
                f"weight onto conductance receptor {self.receptor!r} must be >= 0 nS, got {w.min()}"
            )

    def _synapse_row(self, var):
        names = [v for v, _ in self.synapse.synapse_vars] if self.synapse else []
        if var not in names:
            raise AttributeError(f"projection {self.name!r} has no synapse variable {var!r}")
        return names.index(var)

    def __getattr__(self, var):
        if var.startswith("_") or "S_syn" not in self.__dict__:
            if self.__dict__.get("synapse") is None and not var.startswith("_"):
                name = self.__dict__.get("name")
                raise AttributeError(f"projection {name!r} has no rule, so no variable {var!r}")
            raise AttributeError(var)
        return self.S_syn[self._synapse_row(var)]

    def __setattr__(self, var, value):
        if not self.__dict__.get("_frozen") or var.startswith("_"):
            object.__setattr__(self, var, value)
            return
        synapse = self.__dict__["synapse"]
        if var == "weight" or (synapse and var in [v for v, _ in synapse.synapse_vars]):
            self.set(var, value)
            return
        if var == "plastic":
            object.__setattr__(self, var, value)
            return
        if var in self.__dict__ or hasattr(type(self), var):
            raise AttributeError(f"projection {self.name!r}: attribute {var!r} is read-only")
        raise AttributeError(f"projection {self.name!r} has no attribute {var!r}")

    def set(self, var, value) -> None:
        """Set ``weight`` (in the receptor's unit; within the rule's bounds for a plastic
        projection) or a per-synapse variable of the rule (e.g. ``rho``) of every
        synapse, in place, from a scalar or one value per synapse (CSR order)."""
        if var == "weight":
            target = self.weight
            values = to_neurosim(value, self._dimension, "weight")
        else:
            target = self.S_syn[self._synapse_row(var)]
            values = value
        try:
            values = np.asarray(values, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(
                f"projection {self.name!r}: {var} must be numbers, got {value!r}"
            ) from None
        if values.ndim == 0:
            values = np.full(self.n_synapses, float(values))
        if values.shape != target.shape or not np.all(np.isfinite(values)):
            raise ValueError(
                f"projection {self.name!r}: {var} needs a finite scalar or {self.n_synapses} values"
            )
        if var == "weight":
            self._check_sign(values)
            if self.synapse is not None:
                self.synapse.check_weights(values)
        target[:] = values
        if self.synapse is not None:
            self.synapse.state_assigned(var, self.weight, self.S_syn)

    def synchronize(self) -> None:
        """Bring every synapse's rule state up to the present step (rules whose state is
        otherwise current only as of each synapse's last event)."""
        sync = getattr(self.synapse, "synchronize", None)
        if sync is not None:
            post = self.post_population
            sync(
                self.weight,
                self.S_syn,
                self.rule_constants(),
                self.network.step,
                self.rng_state,
                post.S,
                self.modulator_state(),
                post.neuron_rows,
                self.row_index,
            )

    def rule_constants(self, rule=None, modulator=None) -> np.ndarray:
        """The kernel constants of ``rule`` (default: the projection's rule) on this
        network's step, bound to the model of the modulator the projection reads
        (or to ``modulator``, a modulator model about to replace it; see
        :meth:`~neurosim.synapses.SynapseModel.bind_modulator`)."""
        rule = self.synapse if rule is None else rule
        P = rule.constants(self.network.dt)
        if self.modulator is not None:
            model = self.modulator.model if modulator is None else modulator
            P = rule.bind_modulator(P, model, self.network.dt)
        return np.ascontiguousarray(P, dtype=float)

    def modulator_state(self) -> np.ndarray:
        """The state matrix of the modulator the rule reads (rows ``c``, ``r``; one
        column, or one per postsynaptic neuron), or zeros of shape ``(2, 1)`` when the
        projection reads none."""
        if self.modulator is None:
            return np.zeros((2, 1))
        return self.modulator.S

    @property
    def plastic(self) -> bool:
        """Whether the rule learns (default True). ``projection.plastic = False``
        freezes it between runs or in an operation, without recompiling: the rule's
        kernels are not called (weights and rule state stay as they are; events whose
        handling step falls in the frozen period, a presynaptic spike's arrival after
        its delay or a postsynaptic spike, are never seen by the rule) and spikes are
        transmitted as by a static projection with the present weights (``weight``,
        also for rules whose transmission depends on their state, such as
        short-term plasticity). ``True`` resumes learning."""
        if self.synapse is None:
            return False
        return bool(self._plastic[0])

    @plastic.setter
    def plastic(self, value) -> None:
        if self.synapse is None:
            raise AttributeError(
                f"projection {self.name!r} has no plasticity rule; plastic is False for good"
            )
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"projection {self.name!r}: plastic = {value!r} must be True or False")
        self._plastic[0] = int(value)

    def set_params(self, **values) -> None:
        """Change parameters of the rule between runs (or in an operation) without
        recompiling: values are validated as at construction (units, ranges,
        cross-parameter checks) and the kernel parameter vector of a built engine is
        rewritten in place. The rule object is copied, so another projection sharing
        it keeps its values. A change of the rule's presynaptic lag
        (``pre_lag_steps``, e.g. Graupner–Brunel's ``D``) changes the loop's
        structure and is refused."""
        if self.synapse is None:
            raise ValueError(
                f"projection {self.name!r} has no plasticity rule to set parameters of"
            )
        rule = replace_params(self.synapse, values, f"projection {self.name!r}")
        dt = self.network.dt
        if rule.pre_lag_steps(dt) != self.synapse.pre_lag_steps(dt):
            raise ValueError(
                f"projection {self.name!r}: {sorted(values)} would change the rule's "
                f"presynaptic lag from {self.synapse.pre_lag_steps(dt)} to "
                f"{rule.pre_lag_steps(dt)} steps, which changes the loop's structure; "
                "make a new projection instead"
            )
        rule.check_weights(self.weight)
        self.network._params_changed(self, self.rule_constants(rule))
        object.__setattr__(self, "synapse", rule)

    @property
    def n_synapses(self) -> int:
        return len(self.post)

    def __len__(self):
        return self.n_synapses

    @property
    def delay(self) -> np.ndarray:
        """Synaptic delays in ms (whole steps)."""
        return self.delay_steps * self.network.dt

    @property
    def max_delay_steps(self) -> int:
        return int(self.delay_steps.max()) if self.n_synapses else 1

    def post_index(self) -> tuple[np.ndarray, np.ndarray]:
        """(ptr, synapse ids): ``ids[ptr[j]:ptr[j+1]]`` are the synapses onto neuron j."""
        if self._post_index is None:
            self._post_index = conn.post_index(self.post, self.post_population.n)
        return self._post_index

    def pre_by_post(self) -> np.ndarray:
        """Presynaptic neuron of each synapse in :meth:`post_index` order (for a plastic
        projection with several delays, the rule's presynaptic index
        :attr:`rule_pre`)."""
        if self._pre_by_post is None:
            ptr, ids = self.post_index()
            pre = self.pre if self.synapse is None else self.rule_pre
            self._pre_by_post = np.ascontiguousarray(pre[ids])
        return self._pre_by_post

    def memory(self) -> dict[str, int]:
        """Bytes this projection's arrays hold, by part:

        ``synapses``
            the static synapses: ``indptr`` (8 bytes per presynaptic neuron, plus 8),
            ``pre`` and ``post`` (4 each per synapse), ``weight`` (8), ``delay_steps``
            (4): 20 bytes per synapse and the row pointers.
        ``rule_synapses``
            the rule's per-synapse state ``S_syn`` (8 bytes per variable and synapse)
            and, with several delays, its own ``rule_pre`` (4) and ``rule_indptr``.
        ``rule_neurons``
            the rule's per-neuron state ``S_pre`` and ``S_post`` and its random stream.
        ``indexes``
            the postsynaptic index and presynaptic neuron by postsynaptic order,
            where they have been built (:meth:`post_index`, :meth:`pre_by_post`; a rule
            with postsynaptic spikes builds them): 4 bytes each per synapse, 8 per
            postsynaptic neuron.
        ``total``
            their sum (an array shared between parts is counted once).
        """
        seen: set[int] = set()

        def size(*arrays) -> int:
            total = 0
            for a in arrays:
                if a is not None and id(a) not in seen:
                    seen.add(id(a))
                    total += int(a.nbytes)
            return total

        out = {"synapses": size(self.indptr, self.pre, self.post, self.weight, self.delay_steps)}
        rule = self.synapse is not None
        out["rule_synapses"] = size(self.S_syn, self.rule_pre, self.rule_indptr) if rule else 0
        out["rule_neurons"] = size(self.S_pre, self.S_post, self.rng_state) if rule else 0
        out["indexes"] = size(*(self._post_index or ()), self._pre_by_post)
        out["total"] = sum(out.values())
        return out

    def __repr__(self):
        return (
            f"Projection({self.name!r}: {self.pre_population.name} -> "
            f"{self.post_population.name}.{self.receptor}, {self.n_synapses} synapses)"
        )


def _delay_steps(delay, n, dt, rng, name, n_post) -> np.ndarray:
    """Delays (``delay`` ms, default one step) as int32 steps of ``dt``.

    Constants and arrays must be whole multiples of ``dt``
    (:func:`~neurosim.units.to_steps`); values drawn from a distribution are rounded to
    the nearest step. Refuses delays below one step, beyond int32 steps, or whose ring
    buffer (``max steps x n_post`` float64) exceeds the available memory.
    """
    value = dt if delay is None else delay
    # one delay for all: checked and converted once, then repeated (the temporaries of
    # converting n copies were the largest part of a big projection's build memory)
    one = not isinstance(value, conn.Distribution) and np.ndim(value) == 0
    d_ms = conn.synaptic_values(value, min(n, 1) if one else n, "time", "delay", rng)
    if not n:
        return np.ones(0, np.int32)
    if one and n > 1:
        return np.full(n, _delay_steps(float(d_ms[0]), 1, dt, rng, name, n_post)[0], np.int32)
    what = f"delay of projection {name!r}"
    if d_ms.min() < dt * (1 - GRID_TOLERANCE):
        raise ValueError(
            f"delay must be >= dt = {dt} ms (one step), got {d_ms.min()} ms in projection {name!r}"
        )
    longest = float(d_ms.max())
    if longest / dt >= np.iinfo(np.int32).max:
        raise ValueError(
            f"{what} = {longest:g} ms is {longest / dt:.3g} steps of dt = {dt} ms, beyond "
            f"the {np.iinfo(np.int32).max} steps a ring buffer can hold"
        )
    need, have = (longest / dt + 1) * n_post * 8, available_memory()
    if need > have:
        raise MemoryError(
            f"{what} = {longest:g} ms needs a ring buffer of {longest / dt:.3g} steps x "
            f"{n_post} neurons, about {need / 2**30:.3g} GiB, but {have / 2**30:.3g} GiB "
            "are available"
        )
    if isinstance(delay, conn.Distribution):
        steps = nearest_steps(d_ms, dt)
    else:
        steps = to_steps(d_ms, dt, what)
    return np.maximum(steps, 1).astype(np.int32)
