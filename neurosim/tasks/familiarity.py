r"""Familiarity: one stimulus shown, then a two-choice test against a novel one.

A small task with a known answer, for the comparison harness's tests and examples.
Stimulus ``A`` has the first half of ``n_features`` features on (1) and the rest off;
``B`` the reverse; ``A_dim`` is ``A`` at 0.8 (a changed version, for the
``"generalization"`` probe). Each exposure shows ``A`` for ``exposure_s`` seconds; a
``"test"`` probe ``(A, B)`` follows every exposure after ``test_delay_s`` (at the same
time, after the last one, a ``"generalization"`` probe ``(A_dim, B)``), and the next
exposure begins ``test_delay_s`` after the test. The score of a probe is the
preference for its first item,

.. math:: p = \frac{r_1}{r_1 + r_2} \quad (0.5 \text{ when } r_1 = r_2 = 0),

and the criterion is ``p >= 0.75``. A learner that stored ``A`` prefers it (p near 1);
a naive one is at chance (0.5).

The spiking learner, :class:`FamiliaritySpikingLearner`: ``n_features`` input
neurons (spike generators; feature value :math:`f_i` gives a spike in each time step
with probability :math:`f_i \cdot` ``rate`` :math:`\cdot\, dt`, a Poisson train at
:math:`f_i \cdot` ``rate`` Hz in the limit of small steps) project all-to-all onto one LIF neuron through
Graupner-Brunel calcium synapses (:cite:t:`graupner2012`, set DP, with a faster
efficacy time constant ``tau`` = 500 ms instead of 150 s so that one 2-s exposure
flips the active synapses, no noise, a small postsynaptic calcium step
``C_post`` = 0.2 so that the output's own firing does not potentiate silent inputs;
:math:`w = w_{max}\,\rho`, :math:`w_{max}` = 500 pA, all synapses start DOWN,
:math:`\rho = 0`). Presynaptic spikes at 80 Hz drive the calcium above
:math:`\theta_p` often enough to potentiate the active synapses; silent inputs stay
DOWN. The output neuron sits below threshold (``I_e`` = 300 pA: rest at -58 mV) and
fires only through potentiated synapses. Its response to a stimulus is its firing
rate (Hz) over ``probe_s`` seconds of that stimulus with plasticity frozen, run from
a checkpoint that is restored afterwards (the state is left as it was). Gaps are
crossed by :meth:`~neurosim.network.Network.advance` with ``approximate=True``
(the output's last spikes after an exposure are dropped; the synapses' quiet dynamics
carry their state across).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from neurosim.tasks import Experience, Learner, Probe, Schedule, Stimulus, Task


class FamiliarityTask(Task):
    """Show ``A`` ``n`` times, test ``A`` against ``B`` after each (see
    :mod:`neurosim.tasks.familiarity`).

    Parameters
    ----------
    n_features : int
        Length of the feature vectors (even, >= 2; default 16).
    exposure_s : float
        Duration of one exposure in s (> 0; default 2).
    test_delay_s : float
        Time from the end of an exposure to its test in s (> 0; default 60).
    max_exposures : int
        Exposures in one run (>= 1; default 3).
    bin_s : float
        Time bin of the gradient-descent learner in s (> 0; default 0.1).
    """

    name = "familiarity"
    criterion = 0.75

    def __init__(
        self,
        n_features: int = 16,
        exposure_s: float = 2.0,
        test_delay_s: float = 60.0,
        max_exposures: int = 3,
        bin_s: float = 0.1,
    ):
        if isinstance(n_features, bool) or not isinstance(n_features, int) or n_features < 2:
            raise ValueError(f"n_features = {n_features!r} must be a whole number >= 2")
        if n_features % 2:
            raise ValueError(f"n_features = {n_features} must be even (A and B halves)")
        for name, value in (
            ("exposure_s", exposure_s),
            ("test_delay_s", test_delay_s),
            ("bin_s", bin_s),
        ):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise ValueError(f"{name} = {value!r} must be a number > 0")
        if (
            isinstance(max_exposures, bool)
            or not isinstance(max_exposures, int)
            or max_exposures < 1
        ):
            raise ValueError(f"max_exposures = {max_exposures!r} must be a whole number >= 1")
        half = np.r_[np.ones(n_features // 2), np.zeros(n_features // 2)]
        self.stimuli = {
            "A": Stimulus("A", half),
            "B": Stimulus("B", half[::-1]),
            "A_dim": Stimulus("A_dim", 0.8 * half),
        }
        self.exposure_s = float(exposure_s)
        self.test_delay_s = float(test_delay_s)
        self.max_exposures = max_exposures
        self.bin_s = float(bin_s)

    def schedule(self, n_exposures: int) -> Schedule:
        """``n_exposures`` exposures to ``A``, each followed by a test, the last also
        by a generalization probe."""
        period = self.exposure_s + 2 * self.test_delay_s
        tested = self.exposure_s + self.test_delay_s
        sched = Schedule()
        for k in range(n_exposures):
            t = k * period
            sched.experiences.append(Experience(t, "A", self.exposure_s, exposure=k))
            sched.probes.append(Probe(t + tested, ("A", "B"), "test", after=k + 1))
        last = (n_exposures - 1) * period + tested
        sched.probes.append(Probe(last, ("A_dim", "B"), "generalization", after=n_exposures))
        return sched

    def score(self, probe: Probe, responses: dict[str, float]) -> float:
        """Preference for the probe's first item, r1 / (r1 + r2); 0.5 when both are 0."""
        first, second = (responses[item] for item in probe.items)
        total = first + second
        return 0.5 if total == 0 else first / total


class FamiliaritySpikingLearner(Learner):
    """Input neurons onto one LIF neuron through calcium-based synapses (see
    :mod:`neurosim.tasks.familiarity`).

    Parameters
    ----------
    rate : float
        Input rate in Hz of a feature at 1 (default 80).
    probe_s : float
        Duration of a probe presentation in s (default 1).
    dt : float
        Time step in ms (default 0.1).
    """

    name = "spiking"

    def __init__(self, rate: float = 80.0, probe_s: float = 1.0, dt: float = 0.1):
        for name, value in (("rate", rate), ("probe_s", probe_s), ("dt", dt)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise ValueError(f"FamiliaritySpikingLearner: {name} = {value!r} must be > 0")
        self.rate = float(rate)
        self.probe_s = float(probe_s)
        self.dt = float(dt)
        self._folder = tempfile.TemporaryDirectory(prefix="neurosim-familiarity-")

    def reset(self, task: Task, seed: int) -> None:
        """A naive network: every synapse DOWN (rho = 0)."""
        from neurosim.network import Network
        from neurosim.synapses import synapse_model

        self.task, self.seed = task, int(seed)
        self.net = Network(dt=self.dt, seed=self.seed)
        self.net.add_spike_generator("input", task.n_features, times=[], indices=[])
        self.net.add_population("output", 1, "lif", params=dict(I_e=300.0))
        rule = synapse_model(
            "graupner_brunel_2012_dp", tau=500.0, sigma=0.0, C_post=0.2, w_max=500.0
        )
        self.net.connect("input", "output", weight=0.0, synapse=rule, name="feedforward")
        self.rng = np.random.default_rng([self.seed, 0])
        self.neuron_steps = 0

    def _present(self, features: np.ndarray, duration_s: float, rng) -> int:
        """Run ``duration_s`` of Poisson input with rates ``features * rate``; the
        output's spike count."""
        n_steps = int(round(duration_s * 1e3 / self.dt))
        hit = rng.random((n_steps, features.size)) < features * self.rate * self.dt * 1e-3
        steps, index = np.nonzero(hit)
        self.net.populations["input"].add_spikes(self.net.t + steps * self.dt, index)
        before = self.net.counters().get("spikes/output", 0)
        self.net.run(n_steps * self.dt)
        self.neuron_steps += n_steps * self.net.populations["output"].n
        return self.net.counters().get("spikes/output", 0) - before

    def experience(self, exp: Experience) -> None:
        """Present the stimulus for its duration, plasticity on."""
        self._present(self.task.stimuli[exp.stimulus].features, exp.duration_s, self.rng)

    def wait(self, duration_s: float) -> None:
        """Cross the gap by approximate fast-forward (nothing is presented; the last
        spikes of an exposure are dropped)."""
        self.net.advance(round(duration_s * 1e3 / self.dt) * self.dt, approximate=True)

    def respond(self, stimulus: str) -> float:
        """Output rate (Hz) to ``probe_s`` of ``stimulus``, plasticity frozen; the
        network is restored from a checkpoint afterwards."""
        path = Path(self._folder.name) / "before_probe.ckpt"
        self.net.save(path)
        steps = self.neuron_steps
        self.net.projections["feedforward"].plastic = False
        rng = np.random.default_rng([self.seed, 1, *map(ord, stimulus)])
        count = self._present(self.task.stimuli[stimulus].features, self.probe_s, rng)
        from neurosim.network import Network

        self.net = Network.load(path)
        self.neuron_steps = steps
        return count / self.probe_s

    def plastic_state(self) -> tuple[int, int]:
        """(count, bytes): calcium c and efficacy rho of each synapse, float64."""
        count = 2 * len(self.net.projections["feedforward"].rho)
        return count, 8 * count

    def operations(self) -> dict[str, float]:
        """Spikes (input and output), synaptic events, plasticity updates, neuron
        steps of the LIF neuron while stimuli are presented, and ``n_neurons`` (input
        and output)."""
        counts = self.net.counters()
        total = {kind: 0 for kind in ("spikes", "synaptic_events", "plasticity_updates")}
        for key, value in counts.items():
            kind = key.split("/")[0]
            if kind in total:
                total[kind] += value
        neurons = sum(pop.n for pop in self.net.populations.values())
        return {**total, "neuron_steps": self.neuron_steps, "n_neurons": neurons}


def make_task(**params) -> FamiliarityTask:
    """The familiarity task with ``params`` (see :class:`FamiliarityTask`)."""
    return FamiliarityTask(**params)


def make_learner() -> FamiliaritySpikingLearner:
    """The task's spiking learner."""
    return FamiliaritySpikingLearner()
