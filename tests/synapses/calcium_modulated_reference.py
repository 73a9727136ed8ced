"""An independent reference for ``calcium_modulated``: the rule's ordinary differential
equations (calcium, both traces, the modulator's own equations, the weight) integrated
by ``scipy.integrate.solve_ivp`` (DOP853, rtol 1e-12), restarted at every calcium jump,
modulator release and threshold crossing (located by the integrator's event finder),
so that no closed form of the rule is used."""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from neurosim.neurons.modulator import _peak_factor


def _rhs(p, on_p, on_d, gain):
    def f(t, y):
        c, xp, xd, mc, mr, _ = y
        rise = mr / p.mod_tau_rise if p.mod_tau_rise > 0 else 0.0
        return [
            -c / p.tau_Ca,
            -xp / p.tau_p + (on_p * (1.0 - xp) / p.tau_ip),
            -xd / p.tau_d + (on_d * (1.0 - xd) / p.tau_id),
            -(mc - p.mod_baseline) / p.mod_tau_decay + gain * rise,
            -rise,
            mc * (p.A_p * xp - p.A_d * xd) / p.tau_w,
        ]

    return f


def _crossing(theta):
    def event(t, y):
        return y[0] - theta

    event.terminal = True
    event.direction = -1
    return event


def _segment(p, y, t0, t1, gain, path):
    """Integrate from ``t0`` to ``t1`` without jumps, restarting at threshold crossings;
    append the unbounded weight every 0.5 ms to ``path``."""
    while t0 < t1:
        on_p, on_d = float(y[0] > p.theta_p), float(y[0] > p.theta_d)
        events = [_crossing(th) for th, on in ((p.theta_p, on_p), (p.theta_d, on_d)) if on]
        sol = solve_ivp(
            _rhs(p, on_p, on_d, gain),
            (t0, t1),
            y,
            method="DOP853",
            rtol=1e-12,
            atol=1e-14,
            events=events or None,
            dense_output=True,
        )
        path.extend(sol.sol(np.arange(t0, sol.t[-1], 0.5))[5] if sol.t[-1] > t0 else [])
        y = sol.y[:, -1].copy()
        if sol.status == 1:  # a threshold crossed: go on below it
            t0 = sol.t[-1]
            y[0] = min(y[0], p.theta_p if on_p else p.theta_d) * (1 - 1e-15)
        else:
            t0 = t1
    return y


def reference_weight(p, calcium, releases, w0, t_end, bounded=False):
    r"""The weight at ``t_end`` (ms) of one synapse with rule parameters ``p``, calcium
    jumps ``calcium`` [(time, amount)] and modulator releases ``releases`` [(time,
    weight)], from weight ``w0``: without bounds, or (``bounded``) with the hard upper
    bound ``w_max`` (the weight never reaching ``w_min``): the unbounded path :math:`W`
    reflected at the bound, :math:`w(t) = W(t) - \max(0, \max_{s \le t} W(s) - w_{max})`,
    the maximum taken on a 0.5 ms grid."""
    gain = 0.0
    if p.mod_tau_rise > 0:
        h = _peak_factor(p.mod_tau_decay, p.mod_tau_rise)
        gain = (p.mod_tau_decay - p.mod_tau_rise) / (p.mod_tau_decay * h)
    jumps = sorted([(t, 0, a) for t, a in calcium] + [(t, 1, a) for t, a in releases])
    y = np.array([0.0, 0.0, 0.0, p.mod_baseline, 0.0, w0])
    t, path = 0.0, [w0]
    for when, kind, amount in jumps:
        y = _segment(p, y, t, when, gain, path)
        t = when
        if kind == 0:
            y[0] += amount
        elif p.mod_tau_rise > 0:
            y[4] += amount
        else:
            y[3] += amount
    w = _segment(p, y, t, t_end, gain, path)[5]
    if not bounded:
        return w
    return w - max(0.0, max(max(path), w) - p.w_max)
