r"""Conditioned taste aversion: one pairing of a cue with illness or a shock, tested days later.

The spiking model and the task are :mod:`neurosim.tasks.taste_aversion`: gustatory and
audiovisual input channels onto an aversion population, a gustatory eligibility of
hours converted by a delayed illness signal, an audiovisual eligibility of seconds
converted by a shock, and tagging-style consolidation that needs protein synthesis.
This experiment runs one pairing (after ``preexposures`` unreinforced sessions) and a
test ``test_delay_h`` after the consequence's onset, with plasticity frozen, over
several seeds. Suppression is :math:`1 - \text{intake(test)}/\text{intake(baseline)}`
(Garcia & Koelling 1966 :cite:p:`garcia1966`: a compound cue is tested element by
element).

Parameters of ``taste-aversion`` (``--set NAME=VALUE``)
-------------------------------------------------------
cue : str
    ``taste``, ``audiovisual`` or ``compound``
consequence : str
    ``illness`` (LiCl-equivalent injection, onset 12 min later) or ``shock``
delay_min : float or list of float
    end of drinking to injection or shock (min); a list runs a delay gradient
    (one value per delay in each JSON key)
dose_mg_kg : float
    LiCl-equivalent dose (mg/kg); 127 is 0.15 M at 2 % body weight
preexposures : int
    unreinforced drinking sessions of the cue before the pairing (one a day)
protein_block : bool
    block protein synthesis from the consequence to 8 h after it
test_delay_h : float
    consequence onset to test (h)
seeds : int or list of int
    a count n (seeds 0 .. n-1) or a list of seeds
n_aversion : int
    aversion neurons
drink_s : float
    drinking session (s)
extinction_sessions : int
    after the test, daily unreinforced drinking sessions of the cue, each followed by a
    test 24 h later
dt : float
    time step (ms)

JSON keys: ``suppression_mean``, ``suppression_sd`` (single cue) or
``suppression_taste_mean``, ``suppression_taste_sd``, ``suppression_audiovisual_mean``,
``suppression_audiovisual_sd`` (compound); ``n_seeds``; ``delay_min``. Means and SDs
(ddof = 1) over seeds; with a list of delays, lists in the order given. With
``extinction_sessions``, also ``suppression_extinction_mean``: the first tested item's
suppression at the first test and after each session (first delay).
"""

from __future__ import annotations

import numpy as np

from neurosim.experiments import seed_list
from neurosim.results import Result
from neurosim.tasks import Experience
from neurosim.tasks.taste_aversion import ModelParams, ModelSize, make_learner, make_task


def suppression(
    seed: int,
    protein_block: bool = False,
    n_aversion: int = 40,
    extinction_sessions: int = 0,
    dt: float = 1.0,
    **task_params,
) -> dict[str, np.ndarray]:
    """Suppression of each tested item after one pairing, for one seed: for each item
    an array, the test after the pairing and then one test 24 h after each of
    ``extinction_sessions`` daily unreinforced drinking sessions of the cue."""
    if isinstance(extinction_sessions, bool) or not isinstance(extinction_sessions, int):
        raise ValueError(f"extinction_sessions = {extinction_sessions!r} must be an integer >= 0")
    if extinction_sessions < 0:
        raise ValueError(f"extinction_sessions = {extinction_sessions!r} must be an integer >= 0")
    task = make_task(**task_params)
    learner = make_learner(
        ModelSize(n_aversion=n_aversion), ModelParams(dt=dt), protein_block=protein_block
    )
    learner.reset(task, seed)
    for event in task.schedule(1).events():
        if isinstance(event, Experience):
            learner.experience(event)
        else:  # the first test ends the pairing
            learner.wait(event.t_s - learner.t_s)
            break
    out = [{item: 1.0 - learner.respond(item) for item in task.tested}]
    for _ in range(extinction_sessions):
        learner.experience(Experience(learner.t_s, task.cue, task.drink_s))
        learner.wait(24 * 3600.0)
        out.append({item: 1.0 - learner.respond(item) for item in task.tested})
    return {item: np.array([o[item] for o in out]) for item in task.tested}


def run(
    cue="taste",
    consequence="illness",
    delay_min=30.0,
    dose_mg_kg=127.0,
    preexposures=0,
    protein_block=False,
    test_delay_h=48.0,
    seeds=3,
    n_aversion=40,
    drink_s=60.0,
    extinction_sessions=0,
    dt=1.0,
) -> Result:
    """One cue-consequence pairing and a test, over seeds (module docstring)."""
    seeds = seed_list(seeds)
    delays = list(delay_min) if isinstance(delay_min, list | tuple) else [delay_min]
    if not delays:
        raise ValueError("delay_min must be a number or a non-empty list of numbers")
    if not (isinstance(dt, int | float) and not isinstance(dt, bool) and 0 < dt <= 1.0):
        raise ValueError(f"dt = {dt!r} ms must be a number in (0, 1]")
    items = ("taste", "audiovisual") if cue == "compound" else (cue,)
    curves = np.zeros((len(delays), len(seeds), len(items), 1 + extinction_sessions))
    for d, delay in enumerate(delays):
        for s, seed in enumerate(seeds):
            out = suppression(
                seed,
                protein_block,
                n_aversion,
                extinction_sessions,
                dt,
                cue=cue,
                consequence=consequence,
                delay_min=delay,
                dose_mg_kg=dose_mg_kg,
                preexposures=preexposures,
                test_delay_h=test_delay_h,
                drink_s=drink_s,
            )
            curves[d, s] = [out[i] for i in items]
    values = curves[..., 0]
    mean = values.mean(axis=1)
    sd = values.std(axis=1, ddof=1) if len(seeds) > 1 else np.zeros_like(mean)
    single = not isinstance(delay_min, list | tuple)

    def pick(a):
        return float(a[0]) if single else [float(x) for x in a]

    summary = {"n_seeds": len(seeds), "delay_min": delay_min}
    if cue == "compound":
        for k, item in enumerate(items):
            summary[f"suppression_{item}_mean"] = pick(mean[:, k])
            summary[f"suppression_{item}_sd"] = pick(sd[:, k])
    else:
        summary["suppression_mean"], summary["suppression_sd"] = pick(mean[:, 0]), pick(sd[:, 0])
    if extinction_sessions:
        ext = curves[0, :, 0]
        summary["suppression_extinction_mean"] = [float(x) for x in ext.mean(axis=0)]
    fig = _figure(delays, values, items, f"{cue} + {consequence}")
    return Result("taste-aversion", summary, {"suppression": curves}, {"suppression": fig})


def _figure(delays, values, items, title):
    """Suppression of each tested item (mean and seeds) against the delay."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 3.2))
    x = np.arange(len(delays))
    width = 0.8 / len(items)
    for k, item in enumerate(items):
        pos = x + (k - (len(items) - 1) / 2) * width
        ax.bar(pos, values[:, :, k].mean(axis=1), width, label=item, alpha=0.7)
        for s in range(values.shape[1]):
            ax.plot(pos, values[:, s, k], "k.", ms=3)
    ax.set_xticks(x, [f"{d:g}" for d in delays])
    ax.set_xlabel("delay (min)")
    ax.set_ylabel("suppression")
    ax.set_ylim(-0.1, 1.05)
    ax.set_title(title)
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig
