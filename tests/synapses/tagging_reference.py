"""A step-by-step reference of the tagging-and-capture model (no noise), for tests.

Two synapses (pathways S1, S2) onto one neuron, integrated with fixed steps as the
authors' code does (Luboeinski & Tetzlaff 2021; jlubo/memory-consolidation-stc,
``Network::processTimeStep``): each step, with the calcium, the early sum and the tag
taken at the start of the step, ``h`` moves by the exact solution of its linear
equation over the step, the protein by its exact relaxation towards
``alpha * Theta[sum - theta_pro] * (1 - block)`` and ``z`` by its exact solution for the
protein's exact course over the step. Steps are ``fine`` ms while any calcium is above
``0.5 theta_d`` or an event is near, else ``coarse`` ms (below the thresholds nothing
but the relaxations happens, and they are exact per step).
"""

from __future__ import annotations

import math

import numpy as np


def _h_step(h, c, p, dt):
    if c >= p.theta_p:
        g = 0.1 + p.gamma_p + p.gamma_d
        fix = (0.1 * p.h0 + p.gamma_p * p.h_max) / g
    elif c >= p.theta_d:
        g = 0.1 + p.gamma_d
        fix = 0.1 * p.h0 / g
    else:
        g, fix = 0.1, p.h0
    return fix + (h - fix) * math.exp(-g * dt / p.tau_h)


def _z_step(z, h, p_amount, u, dt, p):
    dev = h - p.h0
    if abs(dev) <= p.theta_tag:
        return z
    integral = u * dt + (p_amount - u) * p.tau_p * (1.0 - math.exp(-dt / p.tau_p))
    k = integral / p.tau_z
    if dev > 0:
        return p.z_max - (p.z_max - z) * math.exp(-k)
    return p.z_min + (z - p.z_min) * math.exp(-k)


def simulate(p, arrivals, readouts, block=(), fine=0.05, coarse=500.0):
    """``arrivals``: two arrays of calcium-arrival times (ms, S1 and S2); ``block``:
    ``(start, stop)`` pairs of a full synthesis block. Returns the weights
    ``h + h0 z`` of both synapses (rows) at ``readouts`` (ms, ascending), and ``z``."""
    events = sorted((t, k) for k in (0, 1) for t in arrivals[k])
    c, h, z = [0.0, 0.0], [p.h0, p.h0], [0.0, 0.0]
    prot, t, e = 0.0, 0.0, 0
    out_w = np.empty((2, len(readouts)))
    out_z = np.empty((2, len(readouts)))
    for r, t_read in enumerate(readouts):
        while t < t_read - 1e-9:
            while e < len(events) and events[e][0] <= t + 1e-9:
                c[events[e][1]] += p.C_pre
                e += 1
            near = e < len(events) and events[e][0] - t < 2.0
            active = max(c) > 0.5 * p.theta_d or near
            dt = fine if active else coarse
            dt = min(dt, t_read - t)
            if e < len(events):
                dt = min(dt, max(events[e][0] - t, fine))
            total = abs(h[0] - p.h0) + abs(h[1] - p.h0)
            blocked = any(a <= t < b for a, b in block)
            u = p.alpha * (total > p.theta_pro) * (0.0 if blocked else 1.0)
            for k in (0, 1):
                z[k] = _z_step(z[k], h[k], prot, u, dt, p)
                h[k] = _h_step(h[k], c[k], p, dt)
                c[k] *= math.exp(-dt / p.tau_Ca)
            prot = u + (prot - u) * math.exp(-dt / p.tau_p)
            t += dt
        for k in (0, 1):
            out_w[k, r] = h[k] + p.h0 * z[k]
            out_z[k, r] = z[k]
    return out_w, out_z
