r"""Filial imprinting: one exposure to a moving object, a sensitive period, novelty fear.

After the three-system model of Bateson & Horn 1994 :cite:p:`bateson1994` (analysis
-> recognition -> executive, with a direct analysis -> executive path) and the
IMHV/IMM recognition layer of O'Reilly & Johnson 1994 :cite:p:`oreilly1994`
(recurrent excitation, lateral inhibition), made of spiking neurons:

- **features**: ``n_features x k`` spike sources; while an object is in view, channel
  ``(i, j)`` fires as a Poisson process of rate
  :math:`r_i = r_{bg} + r_{max}\, a\, f_i` (Hz), with :math:`f_i \in [0, 1]` the
  object's feature ``i`` and :math:`a \in [a_{min}, 1]` how much of the view it
  fills (attention, below); a moving object is its feature vector (motion and
  viewpoint are variations of it: another viewpoint is another vector,
  :mod:`neurosim.tasks.imprinting`).
- **recognition** (IMM): ``n_rec`` leaky integrate-and-fire neurons (``lif``,
  exponential currents of 5 ms) with recurrent excitation (probability ``p_ee``) and
  lateral inhibition through ``n_inh`` inhibitory neurons. Feature -> recognition
  synapses learn (below); all others are static.
- **approach** (executive): ``n_out`` neurons driven by the recognition layer and by
  the direct, fixed feature -> approach path (the predisposed path of Bateson & Horn).
- **fear**: ``n_out`` neurons driven by the features with a weight that grows with
  age, :math:`w_{xf}\,F(\text{age})`, inhibited by the recognition layer (a familiar
  object recruits it and silences fear) and inhibiting approach.

Plasticity (feature -> recognition): the rule ``calcium_modulated``
(:mod:`neurosim.synapses.calcium_modulated`) with the set
``models/synapses/calcium_modulated_imprinting.toml``: Graupner-Brunel calcium
drives an LTP and an LTD trace, converted into weight by a global modulator whose
concentration is the developmental plasticity gain,

.. math::
    \frac{dw}{dt} = \frac{G(\text{age})}{\tau_w}\bigl(A_p x_p - A_d x_d\bigr),
    \qquad G(\text{age}) = \frac{1}{1 + e^{-(\text{age} - a_G)/s_G}},
    \qquad F(\text{age}) = \frac{1}{1 + e^{-(\text{age} - a_F)/s_F}}

(ages in hours after hatching). G opens the sensitive period; F, the fear of novel
objects, closes it as Bateson & Horn proposed: fear of the unfamiliar suppresses
approach, hence exposure, hence learning.

Fear habituates with exposure (an assumption of the model, so that the older bird
can come to a second object after prolonged exposure, as chicks do: Salzen & Meyer,
cited by Lemaire et al. 2021 :cite:p:`lemaire2021`): the drive of feature ``i`` to the fear population is
:math:`w_{xf}\,F(\text{age})\,(1 - H_i)`, with :math:`dH_i/dt = f_i (1 -
H_i)/\tau_{hab}` while an object with feature ``i`` is in view (biological time)
and :math:`H_i` recovering with :math:`\tau_{rec}` between exposures
(:meth:`ImprintingModel.habituate`).

Consolidation: what the rule writes during an exposure is the *early phase* of the
feature -> recognition synapses; between exposures it decays, and a *late phase*
takes part of it up, with the equations of synaptic tagging and capture of
Luboeinski & Tetzlaff 2021 :cite:p:`luboeinski2021` (a tag while the early change
exceeds ``theta_tag``, protein per recognition neuron while its summed early change
exceeds ``theta_pro``), solved in closed form over each gap (:func:`late_phase`). One
exposure consolidates part of the change; exposures on several days consolidate
more, so a preference formed over 3 days resists a later day with another object
better than one formed in a day (Lemaire et al. 2021 :cite:p:`lemaire2021`).

Behaviour (closed loop): an exposure is simulated in chunks of ``chunk_ms``; after
each, the attention of the next is :math:`a = a_{min} + (1 - a_{min})\,
n_{app}/(n_{app} + n_{fear})` from the spike counts of the approach and fear
populations in the chunk (unchanged when both are silent): a bird that approaches
keeps the object in full view, one that withdraws sees little of it; the bird's
withdrawal from a novel object (``avoidance_mean`` of :func:`run`) is the fraction of
its first exposure spent withdrawn (:math:`a < 0.5`). A test presents
the object in full view (:math:`a = 1`) with plasticity frozen and reports the
approach rate (Hz) and the *avoidance*, the fraction of its chunks in which the fear
population fires more than the approach population.

Time: each minute of biological exposure is simulated as ``s_per_min`` seconds
(default 1 s: a compression factor of 60). Gaps between exposures and tests are
crossed by ``Network.advance`` (exact: no background activity runs between
exposures) after ``settle_ms`` of simulated silence; the late phase and the recovery
of habituation then move over the gap's biological time (an exposure counts as an
instant for them: they act over hours). At full gain the object's
synapses reach their bound within about 8 simulated seconds, so 15 and 60 minutes
give the same preference; halving the compression (``s_per_min=2``) leaves this
unchanged (docs/tasks/imprinting.md).

Parameters of ``imprinting`` (``--set NAME=VALUE``)
----------------------------------------------------
age_h : float or list of float
    age (h after hatching) at the exposure, 1 to 32; a list runs the age sweep
exposure_min : float
    length of the exposure (biological minutes; 15 or 60 in the literature)
test_delay_h : float
    hours from the end of the exposure to the two-choice test
seeds : int or list of int
    a count n (seeds 0 .. n-1) or a list of seeds
size : str
    ``"full"`` (default) or ``"ci"`` (a smaller network for tests)
dt : float
    time step (ms)
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import asdict, dataclass, replace

import numpy as np

import neurosim as ns
from neurosim.experiments import seed_list
from neurosim.results import Result
from neurosim.synapses.protein import capture

#: Neuron parameters: NEST ``iaf_psc_exp`` defaults (C 250 pF, tau_m 10 ms, rest and
#: reset -70 mV, threshold -55 mV, 2 ms refractory) with synaptic currents of 5 ms.
NEURON = dict(tau_syn_ex=5.0, tau_syn_in=5.0)
#: The plasticity rule's parameter set (models/synapses/).
RULE = "calcium_modulated_imprinting"
MS_PER_H = 3.6e6


@dataclass(frozen=True)
class ImprintingParams:
    """Parameters of the imprinting network (units: ms, pA, Hz, h).

    Sizes ``k`` (channels per feature), ``n_rec``, ``n_inh``, ``n_out``; time step
    ``dt``; static weights (pA) ``w_ee`` (recurrent, probability ``p_ee``), ``w_ei``,
    ``w_ie`` (lateral inhibition), ``w_ea`` (recognition -> approach), ``w_xa``
    (direct path), ``w_xf`` (features -> fear at F = 1), ``w_ef`` (recognition ->
    fear, inhibitory), ``w_fa`` (fear -> approach, inhibitory); initial plastic
    weights uniform in ``[w0_lo, w0_hi]``; input rates ``r_bg``, ``r_max`` (Hz);
    behaviour ``chunk_ms``, ``a_min``; ages ``a_G``, ``s_G``, ``a_F``, ``s_F`` (h);
    ``s_per_min`` (simulated s per biological minute of exposure), ``test_s``
    (simulated s of a test), ``settle_ms``; ``ff_scale`` multiplies the plastic
    weights' scale (initial weights and the rule's ``A_p``, ``A_d``, ``w_max``, and the
    late phase's ``theta_tag``, ``z_max``, ``z_min``; ``theta_pro`` is a sum over a
    neuron's afferents, which the scale keeps). Fear habituation:
    ``tau_hab_min`` (biological minutes of exposure), recovery ``tau_rec_h``; late phase
    (:func:`late_phase`): ``tau_e_h``, ``tau_pro_h``, ``tau_z_h`` (h), ``theta_tag``,
    ``theta_pro``, ``z_max``, ``z_min`` (pA). Every value is an assumption of the
    model (docs/tasks/imprinting.md gives the reasons), not a measurement.
    """

    k: int = 5
    n_rec: int = 40
    n_inh: int = 10
    n_out: int = 10
    dt: float = 0.5
    p_ee: float = 0.2
    w_ee: float = 10.0
    w_ei: float = 40.0
    w_ie: float = 120.0
    w_ea: float = 30.0
    w_xa: float = 25.0
    w_xf: float = 100.0
    w_ef: float = 80.0
    w_fa: float = 40.0
    w0_lo: float = 25.0
    w0_hi: float = 55.0
    r_bg: float = 2.0
    r_max: float = 60.0
    chunk_ms: float = 250.0
    a_min: float = 0.1
    a_G: float = 9.5
    s_G: float = 1.5
    a_F: float = 18.0
    s_F: float = 3.0
    s_per_min: float = 1.0
    test_s: float = 2.0
    settle_ms: float = 500.0
    ff_scale: float = 1.0
    tau_hab_min: float = 60.0
    tau_rec_h: float = 48.0
    tau_e_h: float = 1.912
    tau_pro_h: float = 1.0
    tau_z_h: float = 4.0
    theta_tag: float = 8.0
    theta_pro: float = 20.0
    z_max: float = 60.0
    z_min: float = -20.0


#: Reduced network for the default tests.
CI = dict(k=3, n_rec=24, n_inh=6, n_out=6)


def params(size: str = "full", **overrides) -> ImprintingParams:
    """The parameters of ``size`` (``"full"`` or ``"ci"``) with ``overrides``."""
    if size not in ("full", "ci"):
        raise ValueError(f"size = {size!r} must be 'full' or 'ci'")
    base = ImprintingParams()
    if size == "ci":
        base = replace(base, **CI)
        full = ImprintingParams()
        # every weight scaled by full / reduced size of its presynaptic population,
        # so that each neuron keeps the summed input of the full network
        ratio = {"x": full.k / base.k, "e": full.n_rec / base.n_rec}
        ratio |= {"i": full.n_inh / base.n_inh, "f": full.n_out / base.n_out}
        scaled = {
            "ff_scale": "x", "w_xa": "x", "w_xf": "x", "w_ee": "e",
            "w_ei": "e", "w_ea": "e", "w_ef": "e", "w_ie": "i", "w_fa": "f",
        }  # fmt: skip
        base = replace(base, **{w: getattr(base, w) * ratio[pre] for w, pre in scaled.items()})
    unknown = set(overrides) - set(asdict(base))
    if unknown:
        raise ValueError(f"unknown imprinting parameters {sorted(unknown)}")
    return replace(base, **overrides)


def plasticity_gain(age_h, p: ImprintingParams):
    """G(age) = 1 / (1 + exp(-(age - a_G) / s_G)): the developmental gain (0 to 1)."""
    return 1.0 / (1.0 + np.exp(-(np.asarray(age_h, float) - p.a_G) / p.s_G))


def novelty_fear(age_h, p: ImprintingParams):
    """F(age) = 1 / (1 + exp(-(age - a_F) / s_F)): the fear drive (0 to 1)."""
    return 1.0 / (1.0 + np.exp(-(np.asarray(age_h, float) - p.a_F) / p.s_F))


def late_phase(d, z, protein, post, hours, p: ImprintingParams, alpha: float = 1.0):
    r"""Early and late phase of the feature -> recognition synapses over ``hours``
    without exposure, in closed form: the late phase of Luboeinski & Tetzlaff 2021
    :cite:p:`luboeinski2021` on top of the early change ``d`` (pA) that the rule
    (``calcium_modulated``) made during the exposures. Per synapse, with the neuron's
    protein :math:`p` shared by its afferents (``post``: each synapse's neuron):

    .. math::
        \frac{dd}{dt} = -\frac{d}{\tau_e}, \qquad
        \tau_p\frac{dp}{dt} = -p + \alpha\,\Theta\Big[\sum_{s\to j}|d_s| - \theta_{pro}\Big]

        \tau_z \frac{dz}{dt} = p\,(z_{max} - z)\,\Theta[d - \theta_{tag}]
            - p\,(z - z_{min})\,\Theta[-d - \theta_{tag}]

    Every :math:`|d|` decays at one rate, so the neuron makes protein for
    :math:`t_{on} = \tau_e \ln(\sum|d| / \theta_{pro})` and a synapse stays tagged for
    :math:`t_{tag} = \tau_e \ln(|d| / \theta_{tag})`; then :math:`z_{max} - z` (or
    :math:`z - z_{min}`) is multiplied by :math:`e^{-K}`, :math:`K = \tau_z^{-1}
    \int_0^{t_{tag}} p\,dt`, in closed form (the equations of Luboeinski & Tetzlaff,
    with the early phase's own dynamics replaced by the decay of what the rule wrote).
    Times in hours; ``theta_tag``, ``z_max``, ``z_min`` in pA, scaled by
    ``ff_scale``; protein in units of its source ``alpha``. Returns ``(d, z,
    protein)`` after ``hours``; the transmitted weight is the resting weight plus
    ``z + d``.
    """
    d, z, protein = (np.asarray(x, float) for x in (d, z, protein))
    post = np.asarray(post, np.int64)
    ff = p.ff_scale
    total = np.bincount(post, np.abs(d), minlength=protein.size)
    with np.errstate(divide="ignore"):
        on = np.where(total > p.theta_pro, p.tau_e_h * np.log(total / p.theta_pro), 0.0)
    on = np.minimum(on, hours)
    src = np.where(on > 0, alpha, 0.0)
    z = capture(
        z, d, protein[post], src[post], hours, p.tau_e_h, p.tau_pro_h, p.tau_z_h,
        p.theta_tag * ff, z_max=p.z_max * ff, z_min=p.z_min * ff, t_on=on[post],
    )  # fmt: skip
    p_on = src + (protein - src) * np.exp(-on / p.tau_pro_h)
    protein = p_on * np.exp(-(hours - on) / p.tau_pro_h)
    return d * np.exp(-hours / p.tau_e_h), z, protein


class ImprintingModel:
    """One bird: the network above at hatching age ``age_h`` (hours), built from
    ``seed`` (connectivity, initial weights; the features' spikes come from their own
    stream ``[seed, 1]``).

    Methods follow the protocol: :meth:`expose` (closed loop, learning),
    :meth:`wait` (a gap), :meth:`test` (open loop, plasticity frozen, state restored).
    """

    def __init__(self, n_features: int, seed: int, age_h: float, p: ImprintingParams):
        self.p = p
        self.n_features = int(n_features)
        self.age0 = float(age_h)
        self.rng = np.random.default_rng([int(seed), 1])
        net = ns.Network(dt=p.dt, seed=int(seed))
        x = net.add_spike_generator("features", self.n_features * p.k, [], [])
        e = net.add_population("recognition", p.n_rec, "lif", NEURON)
        i = net.add_population("inhibition", p.n_inh, "lif", NEURON)
        a = net.add_population("approach", p.n_out, "lif", NEURON)
        f = net.add_population("fear", p.n_out, "lif", NEURON)
        g = net.add_modulator("gain", tau_decay=1000.0)
        rule = ns.synapses.synapse_model(RULE)
        unit = {k: getattr(rule.params, k) * p.ff_scale for k in ("A_p", "A_d", "w_max")}
        rule = ns.synapses.synapse_model(RULE, **unit)
        w0 = ns.Uniform(p.w0_lo * p.ff_scale, p.w0_hi * p.ff_scale)
        net.connect(x, e, weight=w0, synapse=rule, modulator=g, name="ff")
        d = 1.0
        p_ee = ns.FixedProbability(p.p_ee, autapses=False)
        net.connect(e, e, p_ee, weight=p.w_ee, delay=d)
        net.connect(e, i, weight=p.w_ei, delay=d)
        net.connect(i, e, weight=-p.w_ie, receptor="inh", delay=d)
        net.connect(e, a, weight=p.w_ea, delay=d)
        net.connect(x, a, weight=p.w_xa, delay=d)
        net.connect(x, f, weight=0.0, delay=d, name="fear_drive")
        net.connect(e, f, weight=-p.w_ef, receptor="inh", delay=d)
        net.connect(f, a, weight=-p.w_fa, receptor="inh", delay=d)
        self.net = net
        self.simulated_ms = 0.0  # stepped outside tests
        self.probe_ms = 0.0  # stepped in tests
        self.probe_counts: dict[str, int] = {}
        #: habituation of the fear of each feature (0 to 1)
        self.habituation = np.zeros(self.n_features)
        self._fear_feature = net.projections["fear_drive"].pre.astype(np.int64) // p.k
        #: resting weights, late phase (pA) and protein per recognition neuron
        self.w_rest = self.ff.weight.copy()
        self.z = np.zeros_like(self.w_rest)
        self.protein = np.zeros(p.n_rec)
        self._age_set = None
        self._set_age()

    @property
    def age_h(self) -> float:
        """Present age (h after hatching)."""
        return self.age0 + self.net.t / MS_PER_H

    @property
    def ff(self):
        """The plastic feature -> recognition projection."""
        return self.net.projections["ff"]

    def _set_age(self) -> None:
        """Gain and fear drive for the present age and habituation."""
        age = self.age_h
        if self._age_set != age:
            self.net.populations["gain"].set_params(baseline=float(plasticity_gain(age, self.p)))
            self._age_set = age
        fear = self.p.w_xf * float(novelty_fear(age, self.p))
        self.net.projections["fear_drive"].weight = fear * (
            1.0 - self.habituation[self._fear_feature]
        )

    def _counts(self) -> tuple[int, int]:
        c = self.net.counters()
        return c.get("spikes/approach", 0), c.get("spikes/fear", 0)

    def _present(self, features, duration_ms: float, closed_loop: bool) -> np.ndarray:
        """Show an object for ``duration_ms``; per chunk: spike counts of the approach
        and fear populations and the attention during the chunk."""
        p, net = self.p, self.net
        self._set_age()
        n_chunks = max(1, int(round(duration_ms / p.chunk_ms)))
        steps = int(round(p.chunk_ms / net.dt))
        base = np.repeat(np.asarray(features, float), p.k)
        gen = net.populations["features"]
        attention = 1.0
        out = np.zeros((n_chunks, 3))
        for c in range(n_chunks):
            rates = p.r_bg + p.r_max * attention * base
            step, channel = np.nonzero(self.rng.random((steps, base.size)) < rates * net.dt * 1e-3)
            gen.add_spikes(net.t + step * net.dt, channel)
            before = self._counts()
            net.run(p.chunk_ms)
            self.simulated_ms += p.chunk_ms
            na, nf = (x - y for x, y in zip(self._counts(), before, strict=True))
            out[c] = na, nf, attention
            if closed_loop:
                if na + nf > 0:
                    attention = p.a_min + (1.0 - p.a_min) * na / (na + nf)
                self.habituate(features, p.chunk_ms / (p.s_per_min * 1e3))
                self._set_age()
        return out

    def habituate(self, features, minutes: float) -> None:
        r"""Habituation of the fear of the features in view over ``minutes``
        biological minutes: :math:`dH_i/dt = f_i (1 - H_i)/\tau_{hab}`, exactly
        :math:`1 - H_i \to (1 - H_i) e^{-f_i t/\tau_{hab}}`; the fear drive of
        feature ``i`` is :math:`w_{xf} F(\text{age}) (1 - H_i)`."""
        f = np.asarray(features, float)
        self.habituation = 1.0 - (1.0 - self.habituation) * np.exp(
            -f * minutes / self.p.tau_hab_min
        )

    def expose(self, features, minutes: float) -> np.ndarray:
        """An exposure of ``minutes`` biological minutes (``minutes * s_per_min``
        simulated seconds), learning; per chunk: approach and fear spike counts and
        the attention."""
        return self._present(features, minutes * self.p.s_per_min * 1e3, closed_loop=True)

    def wait(self, duration_ms: float) -> None:
        """Let ``duration_ms`` pass without an object: ``settle_ms`` simulated, the
        rest crossed by the exact ``Network.advance``; then the fear habituation
        recovers (:math:`H \\to H e^{-t/\\tau_{rec}}`) and the feature -> recognition
        synapses' early phase decays into their late phase (:func:`late_phase`)."""
        settle = min(self.p.settle_ms, duration_ms)
        if settle > 0:
            self.net.run(settle)
            self.simulated_ms += settle
        rest = duration_ms - settle
        if rest >= self.net.dt:
            self.net.advance(round(rest / self.net.dt) * self.net.dt)
        hours = duration_ms / MS_PER_H
        self.habituation *= np.exp(-hours / self.p.tau_rec_h)
        ff = self.ff
        ff.synchronize()
        early = ff.weight - self.w_rest - self.z
        early, self.z, self.protein = late_phase(
            early, self.z, self.protein, ff.post, hours, self.p
        )
        # the bounds of the rule hold the transmitted weight, hence the late phase too
        low, high = ff.synapse.params.w_min - self.w_rest, ff.synapse.params.w_max - self.w_rest
        self.z = np.clip(self.z, low, high)
        ff.weight = self.w_rest + self.z + np.clip(early, low - self.z, high - self.z)

    def test(self, features) -> tuple[float, float]:
        """(approach rate in Hz, avoidance) for the object in full view for ``test_s``,
        plasticity frozen; the network (time, counters and state) and the feature
        stream are restored afterwards (from a checkpoint), so a test changes nothing."""
        rng_state, simulated = self.rng.bit_generator.state, self.simulated_ms
        before = self.net.counters()
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "bird.ckpt")
            self.net.save(path)
            self.ff.plastic = False
            counts = self._present(features, self.p.test_s * 1e3, closed_loop=False)
            for key, value in self.net.counters().items():
                self.probe_counts[key] = self.probe_counts.get(key, 0) + value - before.get(key, 0)
            self.probe_ms += self.simulated_ms - simulated
            self.net = ns.Network.load(path)
        self.simulated_ms = simulated
        self.rng.bit_generator.state = rng_state
        self._age_set = None
        self._set_age()
        approach = counts[:, 0].sum() / (self.p.n_out * self.p.test_s)
        return float(approach), float(np.mean(counts[:, 1] > counts[:, 0]))

    def counters(self) -> dict[str, int]:
        """The network's event counters (see ``Network.counters``)."""
        return self.net.counters()


def preference(approach_a: float, approach_b: float) -> float:
    """approach(A) / (approach(A) + approach(B)); 0.5 when neither is approached."""
    total = approach_a + approach_b
    return 0.5 if total <= 0 else approach_a / total


def bird(age_h, exposure_min, test_delay_h, seed, size="full", **overrides) -> dict:
    """One naive bird at ``age_h``: one exposure to A, the delay, the test A vs B.
    Returns ``preference``, ``approach_a``, ``approach_b`` (Hz), ``avoidance`` (of B
    in the test), ``exposure_avoidance`` (of A, still novel, during the exposure);
    ``overrides`` change parameters of :class:`ImprintingParams`."""
    from neurosim.tasks.imprinting import make_learner, make_task
    from neurosim.tasks.run import run_task

    task = make_task(age_h=age_h, exposure_min=exposure_min, test_delay_h=test_delay_h)
    full = task.schedule(1)
    sched = type(full)(experiences=full.experiences[:1], probes=full.probes[:1])
    learner = make_learner(size, **overrides)
    (test,) = run_task(task, learner, seed, schedule=sched).probes
    return {
        "preference": test.score,
        "approach_a": test.responses["A"],
        "approach_b": test.responses["B"],
        "avoidance": dict(learner.avoidance)["B"],
        "exposure_avoidance": learner.exposure_avoidance[0][1],
    }


def stability(
    days_a: int,
    days_b: int = 1,
    seeds=4,
    size: str = "full",
    per_day: int = 2,
    exposure_min: float = 120.0,
    s_per_min: float = 0.25,
    age_h: float = 14.0,
) -> np.ndarray:
    """The stability protocol of Lemaire et al. 2021 :cite:p:`lemaire2021`:
    ``days_a`` days of ``A`` (``per_day`` exposures of ``exposure_min`` minutes a day,
    from ``age_h``), then ``days_b`` days of ``B`` (the same exposures), then the test
    A vs B 24 h after the last exposure. Returns the preference for A of each seed.
    Long exposures are simulated with ``s_per_min`` simulated s per minute (default
    0.25; the preference does not depend on the compression, docs/tasks/imprinting.md)."""
    from neurosim.tasks.imprinting import make_learner, make_task
    from neurosim.tasks.run import run_task

    task = make_task(age_h=age_h, exposure_min=exposure_min, test_delay_h=24.0)
    schedule = task.days(days_a, days_b, per_day)
    return np.array([
        run_task(task, make_learner(size, s_per_min=s_per_min), seed, schedule=schedule)
        .probes[0].score
        for seed in seed_list(seeds)
    ])  # fmt: skip


def run(
    age_h=14.0,
    exposure_min: float = 15.0,
    test_delay_h: float = 24.0,
    seeds=4,
    size: str = "full",
    dt: float = 0.5,
) -> Result:
    """Imprint naive birds at ``age_h`` (one value or a list: the age sweep) with one
    exposure of ``exposure_min`` minutes to A, test A vs B ``test_delay_h`` hours
    later (see module). Summary: ``preference_mean``, ``preference_sd`` (over seeds),
    ``avoidance_mean`` (the fraction of the exposure during which the naive bird has
    withdrawn from A, still novel), ``avoidance_test_mean`` (the fraction of the test
    in which fear beats approach for the novel B), ``n_seeds``; with several
    ages these are lists (one per age, in the order given) and ``age_h`` lists the ages;
    ``peak_age_h`` is the age of the highest mean preference."""
    seeds = seed_list(seeds)
    ages = [float(a) for a in np.atleast_1d(age_h)]
    rows = [[bird(a, exposure_min, test_delay_h, s, size, dt=dt) for s in seeds] for a in ages]
    keys = ("preference", "approach_a", "approach_b", "avoidance", "exposure_avoidance")
    arrays = {k: np.array([[r[k] for r in row] for row in rows]) for k in keys}
    pref = arrays["preference"]
    sd = pref.std(axis=1, ddof=1) if len(seeds) > 1 else np.zeros(len(ages))
    one = len(ages) == 1 and np.ndim(age_h) == 0

    def value(x):
        return float(x[0]) if one else [float(v) for v in x]

    summary = {
        "age_h": value(np.array(ages)),
        "exposure_min": float(exposure_min),
        "test_delay_h": float(test_delay_h),
        "preference_mean": value(pref.mean(axis=1)),
        "preference_sd": value(sd),
        "avoidance_mean": value(arrays["exposure_avoidance"].mean(axis=1)),
        "avoidance_test_mean": value(arrays["avoidance"].mean(axis=1)),
        "peak_age_h": ages[int(np.argmax(pref.mean(axis=1)))],
        "n_seeds": len(seeds),
    }
    arrays["age_h"] = np.array(ages)
    return Result("imprinting", summary, arrays, {"imprinting": figure(arrays)})


def figure(arrays: dict):
    """Preference for A and avoidance against age (one dot per bird), or, for one
    age, the test's approach rates to A and B."""
    import matplotlib.pyplot as plt

    ages, pref = arrays["age_h"], arrays["preference"]
    fig, ax = plt.subplots(figsize=(4.6, 3.2))
    if ages.size > 1:
        ax.plot(ages, pref.mean(axis=1), "o-", color="tab:blue", label="preference for A")
        ax.plot(
            ages,
            arrays["exposure_avoidance"].mean(axis=1),
            "s--",
            color="tab:red",
            label="avoidance of a novel object",
        )
        for k, a in enumerate(ages):
            ax.plot(np.full(pref.shape[1], a) + 0.3, pref[k], ".", color="tab:blue", ms=3)
        ax.axhline(0.5, color="k", lw=0.5)
        ax.set_xlabel("age at exposure (h after hatching)")
        ax.set_ylim(-0.05, 1.05)
        ax.legend(fontsize=8)
    else:
        means = [arrays["approach_a"].mean(), arrays["approach_b"].mean()]
        ax.bar([0, 1], means, color=["tab:blue", "0.6"], width=0.6)
        ax.set_xticks([0, 1], ["A (exposed)", "B (novel)"])
        ax.set_ylabel("approach rate in the test (Hz)")
    ax.set_title("filial imprinting")
    fig.tight_layout()
    return fig
