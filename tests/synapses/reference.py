"""Slow, obviously-correct reference implementations of the plasticity rules: spike
by spike, with explicit sums and clock-driven integration, for comparison with the
event-driven kernels."""

import math

import numpy as np


def trace(spike_times, t, tau, nearest=False, include_t=True):
    """Value at t of a trace jumping by 1 (or reset to 1) at each spike (<= t)."""
    past = [s for s in spike_times if (s <= t if include_t else s < t)]
    if not past:
        return 0.0
    if nearest:
        return math.exp(-(t - past[-1]) / tau)
    return sum(math.exp(-(t - s) / tau) for s in past)


def triplet_weight(pre, post, p, w0):
    """Pfister & Gerstner 2006 weight after the spike trains (pre events before post
    events at equal times; clipping to [w_min, w_max] after each update)."""
    events = sorted([(t, 0) for t in pre] + [(t, 1) for t in post])
    w = w0
    nearest = p.interaction == "nearest"
    for t, kind in events:
        if kind == 0:
            o1 = trace(post, t, p.tau_minus, nearest)
            r2 = trace(pre, t, p.tau_x, nearest, include_t=False)
            w = max(p.w_min, w - o1 * (p.A2_minus + p.A3_minus * r2))
        else:
            r1 = trace(pre, t, p.tau_plus, nearest)
            o2 = trace(post, t, p.tau_y, nearest, include_t=False)
            w = min(p.w_max, w + r1 * (p.A2_plus + p.A3_plus * o2))
    return w


def gb_clock_driven(c_events, rho0, p, T, h=0.01):
    """Deterministic Graupner–Brunel (sigma = 0) by RK4 on a grid of h ms over [0, T]:
    ``c_events`` are (time, amplitude) calcium jumps. Returns rho(T)."""
    events = sorted(c_events)
    k = 0
    c, rho = 0.0, rho0

    def f(r, c):
        return (
            -r * (1 - r) * (0.5 - r)
            + p.gamma_p * (1 - r) * (c > p.theta_p)
            - p.gamma_d * r * (c > p.theta_d)
        ) / p.tau

    steps = int(round(T / h))
    decay = math.exp(-h / p.tau_Ca)
    for n in range(steps):
        t = n * h
        while k < len(events) and events[k][0] <= t + 1e-9:
            c += events[k][1]
            k += 1
        # c is piecewise exponential: evaluate the thresholds at the RK4 stages
        c_mid = c * math.exp(-0.5 * h / p.tau_Ca)
        k1 = f(rho, c)
        k2 = f(rho + 0.5 * h * k1, c_mid)
        k3 = f(rho + 0.5 * h * k2, c_mid)
        k4 = f(rho + h * k3, c * decay)
        rho += h * (k1 + 2 * k2 + 2 * k3 + k4) / 6
        c *= decay
    return rho


def tsodyks_markram_releases(times, U, tau_d, tau_f):
    """Released fraction r at each presynaptic spike (Markram et al. 1998 iteration)."""
    out, u, x, last = [], 0.0, 1.0, None
    for t in times:
        if last is not None:
            gap = t - last
            x = 1 + (x - 1) * math.exp(-gap / tau_d)
            u = U + u * (1 - U) * (math.exp(-gap / tau_f) if tau_f > 0 else 0.0)
        else:
            u = U
        r = u * x
        x -= r
        out.append(r)
        last = t
    return np.array(out)


def shouval_kernel_mode(pre_times, post_times, p, w0, T, h):
    """Shouval et al. 2002 in kernel-voltage mode, integrated on a grid of h ms by the
    same exact-decay/Euler split as the kernel, written out with explicit sums."""

    def sig(x, beta):
        return 1.0 / (1.0 + math.exp(-beta * x))

    def omega(c):
        return 0.25 + sig(c - p.alpha2, p.beta2) - 0.25 * sig(c - p.alpha1, p.beta1)

    def eta(c):
        return 1.0 / (1000.0 * (p.P1 / (p.P2 + c**p.P3) + p.P4))

    a, b = p.tau_epsp_decay, p.tau_epsp_rise
    t_peak = math.log(a / b) * a * b / (a - b)
    norm = math.exp(-t_peak / a) - math.exp(-t_peak / b)
    amps = []  # opened fraction at each presynaptic spike
    for k, t in enumerate(pre_times):
        g = sum(
            amps[m]
            * (
                p.I_f * math.exp(-(t - pre_times[m]) / p.tau_f)
                + (1 - p.I_f) * math.exp(-(t - pre_times[m]) / p.tau_s)
            )
            for m in range(k)
        )
        amps.append(max(0.0, 1.0 - g))
    ca, w = 0.0, w0
    for n in range(int(round(T / h))):
        t = n * h
        past = [(tk, ak) for tk, ak in zip(pre_times, amps, strict=True) if tk <= t + 1e-9]
        if not past:
            continue
        gate = sum(
            ak
            * (p.I_f * math.exp(-(t - tk) / p.tau_f) + (1 - p.I_f) * math.exp(-(t - tk) / p.tau_s))
            for tk, ak in past
        )
        v = p.V_rest + p.epsp_amplitude / norm * sum(
            math.exp(-(t - tk) / a) - math.exp(-(t - tk) / b) for tk, _ in past
        )
        spikes = [s for s in post_times if s <= t + 1e-9]
        if spikes and t - spikes[-1] - p.bpap_delay >= -1e-9:
            s = t - spikes[-1] - p.bpap_delay
            v += p.bpap_amplitude * (
                p.bpap_fast * math.exp(-s / p.tau_bpap_fast)
                + (1 - p.bpap_fast) * math.exp(-s / p.tau_bpap_slow)
            )
        block = 1.0 / (1.0 + math.exp(-0.062 * v) * p.Mg / 3.57)
        ca = max(
            0.0, ca * math.exp(-h / p.tau_Ca) + h * p.P0 * p.G_NMDA * gate * block * (p.V_r - v)
        )
        w += h * eta(ca) * (omega(ca) - p.lam * w)
    return w
