"""
Calcium eligibility converted by a neuromodulator
=================================================

Five pre-post pairs (+10 ms, 5 Hz) leave, through their calcium transients
(Graupner–Brunel DP set), an LTP trace and an LTD trace at each synapse
(``calcium_modulated``, published set ``calcium_modulated_gb2012_dp``). Nothing
changes until a neuromodulator arrives: each postsynaptic neuron reads its own
modulator column, released once, 1 to 25 s after the first pairing. An early release
converts mostly the LTP trace (potentiation), a late one the slower LTD trace
(depression). The dots are neurosim (exact event-driven updates); the line is an
independent reference: the rule's equations integrated by forward Euler at 10 µs over
the pairing, then by ``scipy.integrate.solve_ivp`` (rtol 1e-11) through the release.
"""

import math

import numpy as np
from scipy.integrate import solve_ivp

import neurosim as ns
from neurosim.plotting import plt

T0, TAU_M = 500.0, 1000.0  # first pairing (ms); modulator decay (ms)
pre_t = T0 + 200.0 * np.arange(5)
post_t = pre_t + 10.0
delays = np.linspace(1000.0, 25000.0, 25)  # release after the first pairing (ms)
n = delays.size

rule = ns.synapses.synapse_model("calcium_modulated_gb2012_dp")
net = ns.Network(dt=0.1, seed=0)
pre = net.add_spike_generator("pre", 1, pre_t, np.zeros(5, dtype=int))
post = net.add_spike_generator("post", n, np.repeat(post_t, n), np.tile(np.arange(n), 5))
da = net.add_modulator("da", n=n, tau_decay=TAU_M)
rel = net.add_spike_generator("rel", n, T0 + delays, np.arange(n))
net.connect(rel, da, ns.OneToOne(), weight=1.0, receptor="release")
proj = net.connect(pre, post, receptor=None, synapse=rule, modulator=da, weight=0.5)
net.run(T0 + delays[-1] + 15000.0)
proj.synchronize()

# --- reference: Euler at 10 us through the pairing (calcium, traces; no modulator yet)
p = rule.params
jumps = sorted([(t + p.D, p.C_pre) for t in pre_t] + [(t, p.C_post) for t in post_t])
h, t, c, xp, xd = 1e-2, jumps[0][0], 0.0, 0.0, 0.0
for when, amount in jumps + [(jumps[-1][0] + 200.0, 0.0)]:
    for _ in range(int(round((when - t) / h))):
        on_p, on_d = c > p.theta_p, c > p.theta_d
        xp += h * (-xp / p.tau_p + on_p * (1.0 - xp) / p.tau_ip)
        xd += h * (-xd / p.tau_d + on_d * (1.0 - xd) / p.tau_id)
        c -= h * c / p.tau_Ca
    t, c = when, c + amount


def after_pairing(t_start, y0, t_release, t_end):
    """Traces, modulator and weight from ``t_start`` (calcium below both thresholds
    from then on), with a release of 1 into the modulator at ``t_release``."""

    def rhs(_, y):
        xp, xd, m, _w = y
        return [-xp / p.tau_p, -xd / p.tau_d, -m / TAU_M, m * (p.A_p * xp - p.A_d * xd) / p.tau_w]

    opts = {"method": "DOP853", "rtol": 1e-11, "atol": 1e-14}
    y = solve_ivp(rhs, (t_start, t_release), y0, **opts).y[:, -1]
    y[2] += 1.0
    return solve_ivp(rhs, (t_release, t_end), y, **opts).y[:, -1]


release = T0 + delays + 0.1  # a release is in the modulator one step after its spike
reference = [after_pairing(t, [xp, xd, 0.0, 0.0], r, r + 15000.0)[3] for r in release]
error = np.max(np.abs(proj.weight - 0.5 - np.array(reference)))

fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 5.5), sharex=True)
top.axhline(0.0, color="0.7", lw=0.8)
top.plot(delays / 1000.0, reference, "k", lw=1, label="reference (Euler 10 µs + ODE)")
top.plot(delays / 1000.0, proj.weight - 0.5, "o", color="C3", ms=4, label="neurosim")
top.set_ylabel("weight change")
top.set_title(f"largest difference {error:.1e}", fontsize=9)
top.legend(fontsize=8)
s = np.linspace(t - T0, delays[-1], 400)  # from the end of the pairing's Euler run
decay = np.exp(-(s - (t - T0)) / p.tau_p), np.exp(-(s - (t - T0)) / p.tau_d)
bottom.plot(s / 1000.0, p.A_p * xp * decay[0], "C0", label="A_p x_p (LTP trace)")
bottom.plot(s / 1000.0, p.A_d * xd * decay[1], "C1", label="A_d x_d (LTD trace)")
bottom.set_xlabel("release after the first pairing (s)")
bottom.set_ylabel("trace after the pairing")
bottom.set_xlim(left=0.0)
bottom.legend(fontsize=8)
fig.tight_layout()
print(f"x_p = {xp:.4f}, x_d = {xd:.4f} after the pairing; largest difference {error:.2e}")
print(f"trace ratio at {delays[0] / 1000:g} s: {p.A_p * xp / (p.A_d * xd):.2f}")
assert math.isfinite(error)
