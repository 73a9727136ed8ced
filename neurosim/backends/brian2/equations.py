r"""Brian2 equations integrated as neurosim integrates them.

Exponential decays ``dx/dt = k x`` (synaptic currents and conductances, calcium) are
integrated exactly in every neurosim model (each model's docstring says so), whereas
Brian2 applies a group's ``method`` to all of its equations. For methods other than
``exact``, ``linear`` and ``exponential_euler`` (which already solve such decays
exactly), these variables become parameters decayed by ``x *= exp(k dt)`` in a
``run_regularly`` operation right after the state update, so the other equations
still see their values at the start of the step, as in the neurosim kernels.
"""

from __future__ import annotations

import math
import re

import brian2 as b2
from brian2.equations.equations import FLOAT, PARAMETER, SingleEquation
from brian2.parsing.sympytools import str_to_sympy
from brian2.units.fundamentalunits import DIMENSIONLESS
from brian2.utils.stringtools import word_substitute

#: Methods under which Brian2 already solves ``dx/dt = k x`` exactly.
EXACT_DECAY_METHODS = ("exact", "linear", "exponential_euler")


def exact_decays(equations: b2.Equations, namespace: dict, method: str) -> dict[str, float]:
    """Rate ``k`` (1/ms) of every equation ``dx/dt = k x`` (``k`` made of parameters
    only, no flags but ``clock-driven``) that ``method`` would not integrate exactly."""
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


def with_parameters(equations: b2.Equations, names) -> b2.Equations:
    """``equations`` with the variables in ``names`` turned into parameters."""
    return b2.Equations(
        [
            SingleEquation(PARAMETER, eq.varname, dimensions=DIMENSIONLESS, var_type=FLOAT)
            if eq.varname in names
            else eq
            for eq in equations.ordered
        ]
    )


def decay_exactly(group, decays: dict[str, float], namespace: dict, dt: float, **slot) -> None:
    """Decay each variable of ``decays`` (name -> rate ``k`` in 1/ms) by ``exp(k dt)``
    every step in a ``run_regularly`` operation of ``group`` in the given slot
    (``when``, ``order``); the factors go into ``namespace``, the group's own."""
    for var, k in decays.items():
        factor = f"decay_factor_{var}"
        namespace[factor] = math.exp(k * dt)
        group.run_regularly(f"{var} = {var} * {factor}", **slot)


def rename(code: str, names: dict[str, str]) -> str:
    """``code`` (equations or statements) with the variables in ``names`` renamed,
    derivatives ``dx/dt`` included."""
    for old, new in names.items():
        code = re.sub(rf"\bd{old}/dt\b", f"d{new}/dt", code)
    return word_substitute(code, names)
