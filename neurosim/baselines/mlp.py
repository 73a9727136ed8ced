r"""A gradient-descent learner: scikit-learn's ``MLPRegressor`` trained online.

:class:`MLPLearner` lives through a task's experiences as time bins of ``task.bin_s``
seconds and makes one :meth:`~sklearn.neural_network.MLPRegressor.partial_fit` on one
sample per bin (times ``replays``). No backpropagation is written here.

What it learns (the fairness choices)
-------------------------------------
*A task without consequences* (nothing is experienced as ``kind="consequence"``, e.g.
imprinting): an autoencoder, input = target = the features of the cues on in the bin
(element-wise maximum). Its response to a stimulus with features :math:`f` is the
familiarity

.. math:: F = \exp(-e / e_0), \qquad e = \frac{1}{n}\sum_i (\hat f_i - f_i)^2,

a decreasing function of the mean squared reconstruction error :math:`e`, with the
scale :math:`e_0` = ``error_scale`` (default 0.05: an error of 0.05 gives F = 1/e).
Gaps train nothing (there is no input); their bins are counted as skipped.

*A task with consequences* (a cue followed by illness or a shock, minutes to hours
later): the input is an exponential input trace of the cue features, updated per bin
:math:`k` as

.. math:: x_k = \max\left(x_{k-1}\,e^{-\Delta/\tau},\; c_k\right)

(:math:`\Delta` = ``bin_s``, :math:`\tau` = ``trace_tau_s``, :math:`c_k` the features
of the cues on in bin :math:`k`): the trace holds a cue while it is on and then fades.
The target has one output per consequence modality of the task (e.g. ``illness``,
``shock``), equal to the intensity of that consequence while it is on and 0
otherwise; the learner is never told which cue goes with which consequence. During a
gap of :math:`n` whole bins it trains (target 0: nothing happens) on each bin whose
trace at the bin's start is at least ``trace_floor``, i.e. on
:math:`\min(n, 1 + \lfloor \tau \ln(x_{max}/\text{floor}) / \Delta \rfloor)` bins
(:math:`x_{max}` the largest trace element when the gap begins; none if it is below
the floor), and skips the rest (all-zero input in effect), counting them; the trace
decays over the whole gap. Its response to a cue with features :math:`f` is the intake

.. math:: I = 1 - \mathrm{clip}\left(\max_m \hat y_m(f), 0, 1\right),

one minus the largest predicted consequence. An experience is on in bin :math:`k` when
the bin's midpoint lies within it; an experience of duration :math:`d` spans
:math:`\max(1, \mathrm{round}(d/\Delta))` bins.

Counting (exact, per sample)
----------------------------
Layer sizes :math:`n_0, \dots, n_L` (input, hidden, output);
:math:`W = \sum_{l=1}^{L} n_{l-1} n_l` weights, :math:`B = \sum_{l=1}^{L} n_l` biases,
:math:`P = W + B` parameters, :math:`W_b = \sum_{l=2}^{L} n_{l-1} n_l` (weights of all
layers but the first), :math:`I = \sum_{l=1}^{L} n_{l-1}` (layer inputs). One update
(forward pass, backward pass, optimizer step, squared loss, no weight decay) costs

- forward: :math:`W` MACs; :math:`B` neuron updates (bias add and activation); memory
  accesses :math:`P` (read weights and biases) :math:`+ I` (read inputs) :math:`+ B`
  (write outputs);
- backward: :math:`W` MACs for the weight gradients :math:`+ W_b` for the error sent
  back through every layer but the first; :math:`B` neuron updates (output error
  :math:`\hat y - y`, and :math:`\delta \cdot f'(a)` at hidden units); memory accesses
  :math:`n_L` (read targets) :math:`+ W_b` (read weights) :math:`+ B` (write errors)
  :math:`+ I + B` (read activations and errors for the gradients) :math:`+ P` (write
  gradients);
- optimizer step per parameter: ``"sgd"`` (scikit-learn's momentum :math:`\mu` with
  Nesterov's correction: :math:`v \leftarrow \mu v - \eta g`, :math:`u = \mu v - \eta g`,
  :math:`\theta \leftarrow \theta + u`) 5 MACs and 5 accesses (read θ, g, v; write v,
  θ); ``"adam"`` (:math:`m \leftarrow \beta_1 m + (1-\beta_1) g`: 2;
  :math:`v \leftarrow \beta_2 v + (1-\beta_2) g^2`: 3;
  :math:`\theta \leftarrow \theta - \eta_t m/(\sqrt v + \epsilon)`: 4) 9 MACs and 7
  accesses (read θ, g, m, v; write m, v, θ). Per-step scalars (:math:`\eta_t`) are
  not counted.

So one update is :math:`2W + W_b + kP` MACs (:math:`k` = 5 or 9), :math:`2B` neuron
updates and :math:`2P + 2I + 3B + n_L + W_b + aP` memory accesses (:math:`a` = 5 or
7), each access one value. Every operation is an arithmetic operation counted once
(the algorithm, not numpy's implementation of it). Probe responses are measurements
and are not counted.

Plastic state: the values of ``coefs_``, ``intercepts_`` and the optimizer's state
(``"sgd"``: one velocity per parameter; ``"adam"``: two moments per parameter), 8
bytes each (float64, as scikit-learn stores them): :math:`2P` or :math:`3P`.

References: scikit-learn :cite:p:`pedregosa2011`; Adam :cite:p:`kingma2015`.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from neurosim.tasks import Experience, Learner, Task

OPTIMIZERS = {"sgd": (5, 5, 1), "adam": (9, 7, 2)}
"""MACs, memory accesses and state values per parameter of one optimizer step."""


def _check_positive(name: str, value, integer: bool = False) -> None:
    kind = (int, np.integer) if integer else (int, float, np.integer, np.floating)
    if isinstance(value, bool) or not isinstance(value, kind) or not value > 0:
        what = "a whole number >= 1" if integer else "a number > 0"
        raise ValueError(f"MLPLearner: {name} = {value!r} must be {what}")


def update_counts(sizes, optimizer: str) -> dict[str, int]:
    """MACs, neuron updates and memory accesses of one update of a network with layer
    sizes ``sizes`` (input, hidden..., output) and ``optimizer`` (see the module
    docstring for the formulae)."""
    n = [int(s) for s in sizes]
    w = sum(a * b for a, b in zip(n[:-1], n[1:], strict=True))
    b = sum(n[1:])
    p = w + b
    wb = sum(a * b for a, b in zip(n[1:-1], n[2:], strict=True))
    i = sum(n[:-1])
    k, a, _ = OPTIMIZERS[optimizer]
    return {
        "macs": 2 * w + wb + k * p,
        "neuron_updates": 2 * b,
        "memory_accesses": 2 * p + 2 * i + 3 * b + n[-1] + wb + a * p,
    }


class MLPLearner(Learner):
    """A multilayer perceptron trained by gradient descent, one update per time bin
    (see :mod:`neurosim.baselines.mlp` for what it learns, its response and the
    counting formulae).

    Parameters
    ----------
    hidden : int or tuple of int
        Hidden layer sizes (default (16,)).
    lr : float
        Learning rate η (> 0; default 0.01).
    optimizer : {"sgd", "adam"}
        scikit-learn solver (default "adam").
    replays : int
        Updates per experienced bin (>= 1; default 1).
    trace_tau_s : float
        Time constant τ of the input trace in s (> 0; default 600).
    trace_floor : float
        During a gap, training stops once the trace is below this (> 0; default 0.01).
    error_scale : float
        Scale e₀ of the familiarity exp(-e/e₀) (> 0; default 0.05).
    """

    name = "mlp"

    def __init__(
        self,
        hidden=(16,),
        lr: float = 0.01,
        optimizer: str = "adam",
        replays: int = 1,
        trace_tau_s: float = 600.0,
        trace_floor: float = 0.01,
        error_scale: float = 0.05,
    ):
        hidden = (hidden,) if isinstance(hidden, (int, np.integer)) else tuple(hidden)
        if not hidden or not all(
            isinstance(h, (int, np.integer)) and not isinstance(h, bool) and h >= 1 for h in hidden
        ):
            raise ValueError(f"MLPLearner: hidden = {hidden!r} must be sizes >= 1")
        if optimizer not in OPTIMIZERS:
            raise ValueError(
                f"MLPLearner: optimizer = {optimizer!r} must be one of {sorted(OPTIMIZERS)}"
            )
        _check_positive("lr", lr)
        _check_positive("replays", replays, integer=True)
        _check_positive("trace_tau_s", trace_tau_s)
        _check_positive("trace_floor", trace_floor)
        _check_positive("error_scale", error_scale)
        self.hidden = tuple(int(h) for h in hidden)
        self.lr = float(lr)
        self.optimizer = optimizer
        self.replays = int(replays)
        self.trace_tau_s = float(trace_tau_s)
        self.trace_floor = float(trace_floor)
        self.error_scale = float(error_scale)

    def reset(self, task: Task, seed: int) -> None:
        """A naive network for ``task`` (its initial weights drawn with ``seed``)."""
        from sklearn.neural_network import MLPRegressor

        self.task = task
        self.bin_s = float(task.bin_s)
        consequences = sorted(
            {
                task.stimuli[e.stimulus].modality
                for e in task.schedule(task.max_exposures).experiences
                if e.kind == "consequence"
            }
        )
        self.consequences = consequences
        self.n_out = len(consequences) if consequences else task.n_features
        self.sizes = (task.n_features, *self.hidden, self.n_out)
        self.net = MLPRegressor(
            hidden_layer_sizes=self.hidden,
            solver=self.optimizer,
            learning_rate_init=self.lr,
            alpha=0.0,
            random_state=seed,
        )
        # The naive network answers probes before its first update: scikit-learn's own
        # initialisation (Glorot-uniform weights from the seed), without a training step.
        self.net._random_state = np.random.RandomState(seed)
        self.net._initialize(np.zeros((1, self.n_out)), list(self.sizes), np.float64)
        self.net.n_features_in_ = task.n_features
        self.trace = np.zeros(task.n_features)
        self.decay = math.exp(-self.bin_s / self.trace_tau_s)
        self.counts = {"updates": 0, "trained_bins": 0, "skipped_bins": 0}

    @property
    def autoencoder(self) -> bool:
        """True when the task has no consequences (the network reconstructs its input)."""
        return not self.consequences

    def _fit(self, x: np.ndarray, y: np.ndarray) -> None:
        target = y.reshape(1, -1) if self.n_out > 1 else y.reshape(1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(self.replays):
                self.net.partial_fit(x.reshape(1, -1), target)
        self.counts["updates"] += self.replays
        self.counts["trained_bins"] += 1

    def _predict(self, x: np.ndarray) -> np.ndarray:
        return np.ravel(self.net.predict(x.reshape(1, -1)))

    def experience(self, exp: Experience) -> None:
        """Train on the bins of one experience."""
        self.experience_many([exp])

    def experience_many(self, exps: list[Experience]) -> None:
        """Train on the bins of overlapping experiences: per bin, the cues on form the
        input, the consequences on the target."""
        start = min(e.t_s for e in exps)
        end = max(e.t_s + e.duration_s for e in exps)
        n_bins = max(1, round((end - start) / self.bin_s))
        for k in range(n_bins):
            mid = start + (k + 0.5) * self.bin_s
            on = [e for e in exps if e.t_s <= mid < e.t_s + e.duration_s]
            cue = np.zeros(self.task.n_features)
            target = np.zeros(self.n_out)
            for e in on:
                if e.kind == "cue":
                    cue = np.maximum(cue, self.task.stimuli[e.stimulus].features)
                elif not self.autoencoder:
                    m = self.consequences.index(self.task.stimuli[e.stimulus].modality)
                    target[m] = max(target[m], e.intensity)
            if self.autoencoder:
                if cue.any():
                    self._fit(cue, cue)
                else:
                    self.counts["skipped_bins"] += 1
            else:
                self.trace = np.maximum(self.trace * self.decay, cue)
                self._fit(self.trace, target)

    def wait(self, duration_s: float) -> None:
        """Let the trace fade; train on whole bins while it is above ``trace_floor``."""
        n_bins = int(duration_s // self.bin_s)
        top = float(self.trace.max())
        n_train = 0
        if not self.autoencoder and top >= self.trace_floor:
            n_train = min(n_bins, 1 + int(math.log(top / self.trace_floor) / -math.log(self.decay)))
        for _ in range(n_train):
            self.trace = self.trace * self.decay
            self._fit(self.trace, np.zeros(self.n_out))
        self.counts["skipped_bins"] += n_bins - n_train
        self.trace = self.trace * math.exp(-(duration_s - n_train * self.bin_s) / self.trace_tau_s)

    def respond(self, stimulus: str) -> float:
        """Familiarity exp(-e/e₀) (autoencoder) or intake 1 - clip(max prediction)."""
        f = self.task.stimuli[stimulus].features
        out = self._predict(f)
        if self.autoencoder:
            return float(np.exp(-np.mean((out - f) ** 2) / self.error_scale))
        return float(1.0 - np.clip(out.max(), 0.0, 1.0))

    def plastic_state(self) -> tuple[int, int]:
        """(count, bytes): parameters and optimizer state, float64."""
        n = [int(s) for s in self.sizes]
        p = sum(a * b + b for a, b in zip(n[:-1], n[1:], strict=True))
        count = p * (1 + OPTIMIZERS[self.optimizer][2])
        return count, 8 * count

    def operations(self) -> dict[str, float]:
        """``macs``, ``neuron_updates``, ``memory_accesses`` and ``updates`` so far,
        with ``trained_bins`` and ``skipped_bins``."""
        per = update_counts(self.sizes, self.optimizer)
        ops = {key: value * self.counts["updates"] for key, value in per.items()}
        return {**ops, **self.counts}
