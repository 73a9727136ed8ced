"""How a model describes itself to the Brian2 reference backend.

A neuron model's ``brian2_model()`` returns a :class:`Brian2NeuronSpec`, a plasticity
rule's a :class:`Brian2RuleSpec`: Brian2 code as strings, in neurosim's units made
dimensionless (time derivatives written ``/ms``, parameters in the ``namespace`` as
plain numbers). This module imports no brian2, so that models can import it cheaply;
:mod:`neurosim.backends.brian2` turns the descriptions into Brian2 objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Brian2NeuronSpec:
    """A neuron model written for Brian2's ``NeuronGroup``.

    Attributes
    ----------
    equations : str
        Brian2 equations, one per state variable of the model (same names), all
        dimensionless (``: 1``), plus the parameter ``I : 1`` (external current, pA).
        Variables that freeze while refractory carry ``(unless refractory)``.
    threshold : str
        Spike condition, e.g. ``"v > V_th"``.
    reset : str
        Statements run at a spike, e.g. ``"v = V_reset; w += b"``.
    refractory : float
        Refractory period (ms); 0 for none.
    method : str
        Brian2 integration method (``"exact"``, ``"euler"``, ...). The backend
        integrates pure exponential decays exactly whatever the method, as neurosim's
        kernels do.
    namespace : dict
        Value of every parameter the strings name (neurosim units).
    """

    equations: str
    threshold: str
    reset: str
    refractory: float
    method: str
    namespace: dict[str, float]


@dataclass(frozen=True)
class Brian2RuleSpec:
    """A plasticity rule written for Brian2's ``Synapses``.

    The weight is the variable ``w``; the backend renames it ``w_syn`` and adds the
    suffix ``_syn`` to any other synaptic variable whose name the target group also
    uses. Rows below are named by the rule's ``synapse_vars``, ``pre_vars`` and
    ``post_vars``.

    Attributes
    ----------
    model : str
        Brian2 synaptic equations: ``w`` (a parameter, or a subexpression when the
        weight is a function of the state) and the rule's variables.
    on_pre : str or dict of str
        Statements at presynaptic events: one pathway (``pre``) or named pathways. The
        line holding ``{target}`` transmits the spike (``{target}`` becomes the
        receptor variable of the target group); it is dropped for projections without
        a receptor.
    namespace : dict
        Value of every parameter the strings name (neurosim units).
    on_post : str
        Statements at postsynaptic spikes ("" for none).
    method : str or tuple of str
        Brian2 integration method(s) for clock-driven equations.
    init : dict
        Initial value of Brian2 variables that neurosim does not hold (e.g. ``x = 1``).
    lagged : tuple of str
        ``on_pre`` pathways delayed beyond transmission by ``rule.pre_lag_steps(dt)``.
    synapse_state : dict
        Brian2 variable -> row of the per-synapse state, copied both ways.
    lastupdate : str or None
        Row of the per-synapse state holding the step of each synapse's last update
        (Brian2's ``lastupdate`` of event-driven variables); None when the state is
        current at every step (then a ``last_step`` row, if any, is set to the present
        step).
    pre_traces, post_traces : dict
        Per-synapse event-driven trace -> ``(row, tau)``: the per-neuron trace (value
        row; its neuron's ``last_step`` row gives its age) and its time constant (ms).
    pre_state, post_state : dict
        Per-synapse Brian2 variable -> row of other per-neuron state (rows named
        ``*_step`` are steps, Brian2 times in s).
    releases : dict
        For a rule that reads its projection's modulator (``SynapseModel.brian2_modulated``):
        modulator variable -> the rule's variable holding its own copy of it in each
        synapse (integrated with the modulator's equations in ``model``); a release into
        the modulator's variable (``c`` or ``r``) is added to the copy in every synapse
        that reads that modulator element, at the same time step.
    regularly : str
        Statements run in every synapse at the end of each step, after the
        clock-driven update (e.g. clipping a weight integrated continuously).
    """

    model: str
    on_pre: str | dict[str, str]
    namespace: dict[str, float]
    on_post: str = ""
    method: str | tuple[str, ...] = ("exact", "euler", "heun")
    init: dict[str, float] = field(default_factory=dict)
    lagged: tuple[str, ...] = ()
    synapse_state: dict[str, str] = field(default_factory=dict)
    lastupdate: str | None = None
    pre_traces: dict[str, tuple[str, float]] = field(default_factory=dict)
    post_traces: dict[str, tuple[str, float]] = field(default_factory=dict)
    pre_state: dict[str, str] = field(default_factory=dict)
    post_state: dict[str, str] = field(default_factory=dict)
    releases: dict[str, str] = field(default_factory=dict)
    regularly: str = ""
