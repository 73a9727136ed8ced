"""The protocol through which the engine knows a neuron model.

A model is a class with

- ``Params``: a :class:`~neurosim.params.ParameterSet` dataclass (defaults from a cited
  source);
- ``state_vars``: ``(name, dimension)`` of each state variable, one row each of the
  population's state matrix ``S`` (shape ``(len(state_vars), N)``, float64, C order);
- ``receptors``: receptor name -> state variable that a spike arriving there jumps by
  the synaptic weight (``receptor_dimension``, the weight's dimension per receptor,
  is that variable's dimension, filled in by the base class);
- ``step``: a Numba function ``step(S, P, A, B, R, I, n, spikes) -> int`` that advances
  every neuron from step ``n`` to ``n + 1`` and writes the indices of neurons that
  fired during the step into ``spikes``, returning their number, or ``-1`` if any state
  became non-finite. ``P`` is the float64 vector from :meth:`NeuronModel.constants`,
  read by the slots (module-level integers) that the model's module declares;
  ``A`` (float64, 2-D) and ``B`` (int64, 1-D) are auxiliary tables (empty for neurons,
  rate tables or event lists for sources); ``R`` is the population's xoshiro256**
  state; ``I`` is the external current (pA) per neuron. A model that sets
  ``zero_current_as_empty = True`` reads ``I`` only through :func:`current`; the engine
  then passes it an empty ``I`` while the current is +0.0 for every neuron and no
  current input feeds the population, so the step does not stream a row of zeros.
- ``brian2_model``: the same equations for the Brian2 reference backend;
- optionally ``initial_values``: the state at rest (default: ``v`` at ``E_L``);
- optionally ``advance_quiet(S, P, dt, steps) -> bool``: the fast-forward hook (see
  :meth:`NeuronModel.advance_quiet`).

The engine never looks inside a model beyond this, apart from the state variables
named by :attr:`NeuronModel.MEMBRANE` and :attr:`NeuronModel.LAST_SPIKE`. A model
class registers itself under its ``name`` with the decorator ``@MODELS.register``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from neurosim.backends.spec import Brian2NeuronSpec
from neurosim.kernels.jit import kernel
from neurosim.params import ParameterSet, Parametrised
from neurosim.registry import Registry

#: Step stored as the last spike or update of something that has none yet (a time so
#: long ago that every trace and refractory period has run out).
NEVER = -1.0e15

#: The registry of neuron models: name -> class.
MODELS = Registry("neurons", "neuron model", "models")


class NeuronModel(Parametrised):
    """Base class of neuron models and spike sources (see module docstring).

    A model declares ``name``, ``Params``, ``state_vars``, ``receptors``, ``step`` and
    :meth:`constants`; the initial state comes from :meth:`initial_values` and the
    receptors' dimensions from their state variables.
    """

    #: State variable of the membrane potential (mV), read by voltage-dependent rules.
    MEMBRANE: ClassVar[str] = "v"
    #: State variable holding the step of the last spike (:data:`NEVER` before the first).
    LAST_SPIKE: ClassVar[str] = "last_spike_step"

    name: ClassVar[str]
    Params: ClassVar[type[ParameterSet]]
    state_vars: ClassVar[tuple[tuple[str, str], ...]]
    receptors: ClassVar[dict[str, str]] = {}
    receptor_dimension: ClassVar[dict[str, str]] = {}
    is_source: ClassVar[bool] = False
    #: True when ``step`` reads ``I`` only through :func:`current`, so that the engine
    #: may pass an empty ``I`` for a current of +0.0 everywhere (see module docstring).
    #: A subclass that defines its own ``step`` must set it again (it falls back to
    #: False otherwise).
    zero_current_as_empty: ClassVar[bool] = False
    step: ClassVar[Any]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        dims = dict(getattr(cls, "state_vars", ()))
        cls.receptor_dimension = {rec: dims[var] for rec, var in cls.receptors.items()}
        if "step" in cls.__dict__ and "zero_current_as_empty" not in cls.__dict__:
            cls.zero_current_as_empty = False

    # -- state -------------------------------------------------------------------
    def state_index(self, var: str) -> int:
        """Row of state variable ``var`` in the state matrix."""
        names = [name for name, _ in self.state_vars]
        if var not in names:
            raise ValueError(f"{self.name} has no state variable {var!r}; it has {names}")
        return names.index(var)

    def dimension(self, var: str) -> str:
        """Physical dimension of state variable ``var``."""
        return self.state_vars[self.state_index(var)][1]

    def initial_values(self) -> dict[str, float]:
        """Value at rest of each state variable that does not start at 0 (default: the
        membrane potential at ``E_L``)."""
        return {self.MEMBRANE: self.params.E_L}

    def initial_state(self, n: int) -> np.ndarray:
        """State matrix at rest for ``n`` neurons: :meth:`initial_values`, 0 elsewhere,
        and :data:`NEVER` as the last spike."""
        S = np.zeros((len(self.state_vars), n))
        values = self.initial_values()
        if self.LAST_SPIKE in dict(self.state_vars):
            values[self.LAST_SPIKE] = NEVER
        for var, value in values.items():
            S[self.state_index(var)] = value
        return S

    def constants(self, dt: float) -> np.ndarray:
        """Float64 vector ``P`` of parameters and derived constants for ``step``, in the
        slots its module declares (see :func:`neurosim.params.pack`)."""
        raise NotImplementedError

    def check_dt(self, dt: float) -> None:
        """Raise ValueError when a step of ``dt`` ms is known to make the model's
        integration unstable (default: no limit; see :meth:`euler_limits`)."""
        for what, tau in self.euler_limits().items():
            if not dt < tau:
                raise ValueError(
                    f"{self.name}: dt = {dt:g} ms must be below {what} = {tau:.4g} ms: "
                    "forward Euler on a time constant no longer than the step diverges "
                    "(take a smaller dt)"
                )

    def euler_limits(self) -> dict[str, float]:
        """Time constants (ms, by name) that a forward-Euler step must stay below;
        empty for models integrated exactly."""
        return {}

    def advance_quiet(self, S: np.ndarray, P: np.ndarray, dt: float, steps: int) -> bool:
        """Fast-forward hook: advance the state ``S`` of a population that receives
        no input and does not fire by ``steps`` steps of ``dt`` ms in place, by the
        model's exact solution, and return True; or return False, leaving ``S``
        untouched, when the model has no such solution (the default).

        ``P`` is :meth:`constants` of ``dt``. :func:`neurosim.engine.fastforward.advance`
        asks first with ``steps = 0`` (on a copy) whether the model answers; a model
        that answers False must have reached a fixed point of one step (its state
        unchanged bit for bit by a step without input) before a quiet period is
        jumped, and is left as it is across the jump. A model whose quiet state never
        stops changing (e.g. a neuromodulator decaying over hours) implements this
        hook, e.g. ``S[row] *= exp(-steps * dt / tau)`` for an exponential decay.
        """
        return False

    def aux(self, n: int, dt: float) -> tuple[np.ndarray, np.ndarray]:
        """Auxiliary tables ``(A, B)``; empty for neuron models."""
        return np.zeros((0, 0)), np.zeros(0, dtype=np.int64)

    def brian2_model(self) -> Brian2NeuronSpec:
        """The same equations for the Brian2 reference backend (neuron models)."""
        raise NotImplementedError


def synaptic_layout(
    ex: str, inh: str, dimension: str, *extra: tuple[str, str]
) -> tuple[tuple[tuple[str, str], ...], dict[str, str]]:
    """``(state_vars, receptors)`` of a model whose state is the membrane potential, the
    ``extra`` rows, the variables ``ex`` and ``inh`` (of ``dimension``) that receptors
    ``exc`` and ``inh`` jump, and the last spike."""
    state_vars = (
        (NeuronModel.MEMBRANE, "voltage"),
        *extra,
        (ex, dimension),
        (inh, dimension),
        (NeuronModel.LAST_SPIKE, "1"),
    )
    return state_vars, {"exc": ex, "inh": inh}


def refractory_steps(t_ref: float, dt: float) -> float:
    """Refractory period in whole steps, counted as Brian2 does:
    ``int((t_ref + 1e-3 dt) / dt)`` (its ``timestep`` function)."""
    return float(int((t_ref + 1e-3 * dt) / dt))


@kernel
def fire_and_store(fire, i, vi, ui, v, u, v_reset, jump, spikes, count):
    """Store the new membrane potential ``vi`` and recovery variable ``ui`` of neuron
    ``i`` in ``v`` and ``u``; if it ``fire``s, record ``i`` in ``spikes`` first, reset
    ``vi`` to ``v_reset`` and add ``jump`` to ``ui``. Return the new spike count and
    whether both values are finite."""
    if fire:
        spikes[count] = i
        count += 1
        vi = v_reset
        ui += jump
    v[i] = vi
    u[i] = ui
    return count, (vi - vi == 0.0) and (ui - ui == 0.0)


@kernel
def current(I, i):
    """The external current of neuron ``i``: ``I[i]``, or ``0.0`` when ``I`` is empty.

    The engine passes an empty ``I`` to models with ``zero_current_as_empty`` while
    every entry of the population's current is +0.0 (same bits as the constant), so
    each expression gives the same bits either way; what is saved is reading 8 bytes
    per neuron and step (measured on the COBA network of 128,000 neurons: about 8 %
    of the run time; see docs/performance.md). In a loop over neurons the test does
    not depend on ``i``, so LLVM keeps the loop vectorised (one version per case).
    """
    return I[i] if I.shape[0] != 0 else 0.0


@kernel
def threshold_reset(v, last, n, v_th, v_reset, n_ref, spikes):
    """Spike where ``v > v_th`` and the neuron is not refractory
    (``n - last >= n_ref``): record the index, set ``v = v_reset`` and ``last = n``;
    return the number of spikes.

    Run after a vectorised integration pass. Blocks of 64 neurons are first tested
    with a SIMD count of ``v > v_th``, and only blocks holding a candidate are
    scanned one by one (spikes are rare, so most blocks are skipped).
    """
    count = 0
    n_blocks = v.shape[0] // 64
    for b in range(n_blocks):
        candidates = 0
        for i in range(b * 64, b * 64 + 64):
            candidates += v[i] > v_th
        if candidates:
            count = _scan(v, last, n, v_th, v_reset, n_ref, spikes, b * 64, b * 64 + 64, count)
    return _scan(v, last, n, v_th, v_reset, n_ref, spikes, n_blocks * 64, v.shape[0], count)


@kernel
def _scan(v, last, n, v_th, v_reset, n_ref, spikes, start, stop, count):
    for i in range(start, stop):
        if v[i] > v_th and n - last[i] >= n_ref:
            spikes[count] = i
            count += 1
            v[i] = v_reset
            last[i] = n
    return count
