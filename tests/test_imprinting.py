"""Filial imprinting: the must-shows of the behaviour, the task and learner contract,
bad input.

Targets (docs/tasks/imprinting.md, status from the reference note): the age of
strongest imprinting 13-16 h (Hess's bins, secondary source; we allow 9-16 h), chance
(<= 0.6) at 29-32 h; a single 15-min exposure gives a preference (secondary) and 15
and 60 min give similar preferences (primary abstract, direction only; we allow
|difference| <= 0.1); avoidance of a novel object rises with age (primary abstract:
46 % at 10-20 h to 100 % at 240 h; direction only). Statistics over seeds: one-sided
one-sample t-tests against chance and Welch t-tests between conditions, p < 0.05.

Default tests use the reduced network (``size="ci"``, 3 seeds per condition); the
full network with 6 seeds is marked slow.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from neurosim.experiments import imprinting as imp
from neurosim.tasks import Experience, Probe
from neurosim.tasks.imprinting import SpikingImprinter, make_learner, make_task

#: Midpoints of Hess's 4-h bins used at CI size (1-4, 9-12, 13-16, 17-20, 29-32 h).
AGES = (2.5, 10.5, 14.5, 18.5, 30.5)


def sweep(size: str, n_seeds: int, ages=AGES, exposure_min=15.0):
    return imp.run(age_h=list(ages), exposure_min=exposure_min, seeds=n_seeds, size=size)


@pytest.fixture(scope="module")
def ci_sweep():
    return sweep("ci", 3)


def _age(result, age):
    return list(result.arrays["age_h"]).index(age)


def check_lasting(result):
    """One 15-min exposure at 14.5 h: preference for A after 24 h above 0.5."""
    pref = result.arrays["preference"][_age(result, 14.5)]
    assert stats.ttest_1samp(pref, 0.5, alternative="greater").pvalue < 0.05, pref
    assert pref.mean() >= 0.7, pref  # the task's criterion


def check_inverted_u(result):
    """Peak of the mean preference in 9-16 h, chance (<= 0.6) at 29-32 h, and the peak
    above both ends (Welch, one-sided)."""
    ages = result.arrays["age_h"]
    pref = result.arrays["preference"]
    mean = pref.mean(axis=1)
    peak = int(np.argmax(mean))
    assert 9.0 <= ages[peak] <= 16.0, dict(zip(ages, mean, strict=True))
    assert mean[_age(result, 30.5)] <= 0.6, mean
    for end in (2.5, 30.5):
        p = stats.ttest_ind(pref[peak], pref[_age(result, end)], equal_var=False)
        assert p.pvalue / 2 < 0.05 and p.statistic > 0, (end, mean)


def check_avoidance_rises(result):
    """Withdrawal from a novel object: none at 10.5 h, most of the exposure at 30.5 h,
    never falling with age (mean over seeds)."""
    avoid = result.arrays["exposure_avoidance"].mean(axis=1)
    assert np.all(np.diff(avoid) >= -0.05), avoid
    assert avoid[_age(result, 10.5)] <= 0.1 and avoid[_age(result, 30.5)] >= 0.8, avoid


def test_single_exposure_gives_a_lasting_preference(ci_sweep):
    check_lasting(ci_sweep)


def test_preference_against_age_is_an_inverted_u(ci_sweep):
    check_inverted_u(ci_sweep)


def test_novel_object_avoidance_rises_with_age(ci_sweep):
    check_avoidance_rises(ci_sweep)


def test_15_and_60_minutes_give_similar_preferences(ci_sweep):
    short = ci_sweep.arrays["preference"][_age(ci_sweep, 14.5)]
    long = sweep("ci", 3, ages=(14.5,), exposure_min=60.0).arrays["preference"][0]
    assert abs(short.mean() - long.mean()) <= 0.1, (short, long)
    assert stats.ttest_1samp(long, 0.5, alternative="greater").pvalue < 0.05


@pytest.mark.slow
def test_full_size_must_shows():
    result = sweep("full", 6, ages=(2.5, 6.5, 10.5, 14.5, 18.5, 22.5, 26.5, 30.5))
    check_lasting(result)
    check_inverted_u(result)
    check_avoidance_rises(result)
    long = sweep("full", 6, ages=(14.5,), exposure_min=60.0).arrays["preference"][0]
    short = result.arrays["preference"][_age(result, 14.5)]
    assert abs(short.mean() - long.mean()) <= 0.1, (short, long)


@pytest.mark.slow
def test_15_vs_60_minutes_does_not_come_from_the_compression():
    """Half the compression (2 simulated s per minute): still similar."""
    pref = {
        minutes: np.array([imp.bird(14.5, minutes, 24.0, s, "ci", s_per_min=2.0)["preference"]
                           for s in range(3)])
        for minutes in (15.0, 60.0)
    }  # fmt: skip
    assert abs(pref[15.0].mean() - pref[60.0].mean()) <= 0.1, pref
    assert stats.ttest_1samp(pref[60.0], 0.5, alternative="greater").pvalue < 0.05


def test_a_preference_formed_over_3_days_survives_a_day_with_b_one_formed_in_1_day_less():
    """Lemaire et al. 2021 (abstract, direction only): 3 days of A (two 2-h exposures
    a day from 14 h), a day of B, test 24 h later: preference for A above 0.5
    (one-sided t-test); after 1 day of A it is lower (Welch, one-sided), and the
    day of B costs the 1-day preference more (paired by seed)."""
    one = imp.stability(1, 1, seeds=4, size="ci")
    three = imp.stability(3, 1, seeds=4, size="ci")
    assert stats.ttest_1samp(three, 0.5, alternative="greater").pvalue < 0.05, three
    assert stats.ttest_ind(three, one, equal_var=False, alternative="greater").pvalue < 0.05, (
        one,
        three,
    )


def _late_phase_ode(d0, z0, p0, post, hours, p):
    """The equations of :func:`late_phase` integrated numerically (an independent
    reference for its closed form)."""
    from scipy.integrate import solve_ivp

    n, m = d0.size, p0.size
    ff = p.ff_scale
    tag, z_max, z_min = p.theta_tag * ff, p.z_max * ff, p.z_min * ff

    def f(t, y):
        d, z, pro = y[:n], y[n : 2 * n], y[2 * n :]
        total = np.bincount(post, np.abs(d), minlength=m)
        dpro = (-pro + (total > p.theta_pro)) / p.tau_pro_h
        q = pro[post] / p.tau_z_h
        dz = q * (z_max - z) * (d > tag) - q * (z - z_min) * (d < -tag)
        return np.concatenate([-d / p.tau_e_h, dz, dpro])

    y0 = np.concatenate([d0, z0, p0])
    sol = solve_ivp(f, (0, hours), y0, method="RK45", rtol=1e-10, atol=1e-10, max_step=1e-3)
    y = sol.y[:, -1]
    return y[:n], y[n : 2 * n], y[2 * n :]


def test_late_phase_matches_its_equations_integrated_numerically():
    p = imp.params("full")
    d0 = np.array([60.0, 30.0, 9.0, 5.0, -15.0, 40.0, -9.0, 0.0])
    z0 = np.array([0.0, 10.0, 20.0, 0.0, 5.0, 55.0, -5.0, 3.0])
    post = np.array([0, 0, 0, 0, 1, 1, 2, 2])
    p0 = np.array([0.2, 0.0, 0.7])  # neuron 2 makes none (sum 9 < 20): protein decays
    for hours in (0.5, 3.0, 10.0):
        got = imp.late_phase(d0, z0, p0, post, hours, p)
        want = _late_phase_ode(d0, z0, p0, post, hours, p)
        for g, w in zip(got, want, strict=True):
            np.testing.assert_allclose(g, w, rtol=2e-4, atol=2e-4)
    # splitting a gap changes nothing (closed form over each piece)
    a = imp.late_phase(d0, z0, p0, post, 1.3, p)
    b = imp.late_phase(*a, post, 4.7, p)
    for g, w in zip(b, imp.late_phase(d0, z0, p0, post, 6.0, p), strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)


def test_fear_habituates_with_exposure_and_recovers():
    """1 - H falls as exp(-t / tau_hab) for a feature in view, H recovers as
    exp(-t / tau_rec) between exposures (hand values)."""
    task = make_task(age_h=30.0)
    learner = make_learner("ci")
    learner.reset(task, 0)
    model = learner.model
    model.habituate(task.stimuli["B"].features, 30.0)
    h = model.habituation
    assert np.allclose(h[list(range(6, 12))], 1 - np.exp(-30.0 / 60.0)) and h[:6].max() == 0
    model.wait(24 * 3.6e6)
    assert np.allclose(model.habituation[6:12], (1 - np.exp(-0.5)) * np.exp(-24.0 / 48.0))
    model._set_age()
    drive = model.net.projections["fear_drive"]
    fear = model.p.w_xf * float(imp.novelty_fear(model.age_h, model.p))
    expected = fear * (1 - model.habituation[drive.pre // model.p.k])
    np.testing.assert_allclose(drive.weight, expected)


# --- the task and the learner ---------------------------------------------------------


def test_schedule_orders_exposures_tests_and_probes():
    task = make_task(age_h=14.0, exposure_min=15.0, test_delay_h=2.0)
    events = task.schedule(2).events()
    kinds = [
        (type(e).__name__, getattr(e, "stimulus", None) or getattr(e, "name", None)) for e in events
    ]
    assert kinds == [
        ("Experience", "A"),
        ("Probe", "test"),
        ("Experience", "A"),
        ("Probe", "test"),
        ("Probe", "generalization"),
        ("Experience", "C"),
        ("Probe", "interference"),
    ]
    first, test = events[0], events[1]
    assert first.duration_s == 900.0
    assert test.t_s == 900.0 + 7200.0 and test.items == ("A", "B")  # 15 min + 2 h
    assert events[2].t_s > test.t_s
    assert task.score(test, {"A": 3.0, "B": 1.0}) == 0.75
    assert task.score(test, {"A": 0.0, "B": 0.0}) == 0.5


def test_stimuli_share_only_what_the_design_says():
    s = make_task().stimuli
    overlap = {k: int(s["A"].features @ s[k].features) for k in ("A'", "B", "C")}
    assert overlap == {"A'": 4, "B": 0, "C": 0}


def test_respond_leaves_the_learner_unchanged():
    task = make_task(age_h=14.0, exposure_min=2.0)
    learner = make_learner("ci")
    learner.reset(task, seed=0)
    learner.experience(Experience(0.0, "A", 120.0))
    learner.wait(3600.0)
    model = learner.model
    model.ff.synchronize()  # weights and traces up to the present, as a test leaves them
    before = (model.net.t, model.ff.weight.copy(), model.ff.S_syn.copy(), learner.operations())
    first = learner.respond("A")
    after = (model.net.t, learner.model.ff.weight, learner.model.ff.S_syn, learner.operations())
    assert after[0] == before[0]
    np.testing.assert_array_equal(after[1], before[1])
    np.testing.assert_array_equal(after[2], before[2])
    assert learner.respond("A") == first  # the same test again: the same spikes
    assert after[3]["spikes"] > before[3]["spikes"]  # the test's work is counted
    count, nbytes = learner.plastic_state()
    synapses = model.ff.S_syn.size + 2 * model.ff.weight.size  # rule state, weight, late phase
    assert count == synapses + model.p.n_rec + task.n_features and nbytes == 8 * count
    ops = learner.operations()
    assert set(ops) == {
        "spikes",
        "synaptic_events",
        "plasticity_updates",
        "neuron_steps",
        "n_neurons",
    }
    p = learner.params
    assert ops["n_neurons"] == p.n_rec + p.n_inh + 2 * p.n_out


def test_gain_and_fear_against_hand_values():
    p = imp.params()
    assert imp.plasticity_gain(p.a_G, p) == 0.5 and imp.novelty_fear(p.a_F, p) == 0.5
    # one width s above the midpoint: 1 / (1 + e^-1) = 0.7310585786
    assert imp.plasticity_gain(p.a_G + p.s_G, p) == pytest.approx(0.7310585786)
    assert imp.preference(3.0, 1.0) == 0.75 and imp.preference(0.0, 0.0) == 0.5


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(age_h=0.5), "age_h"),
        (dict(age_h=40.0), "age_h"),
        (dict(exposure_min=0.0), "exposure_min"),
        (dict(test_delay_h=-1.0), "test_delay_h"),
        (dict(age_h="old"), "age_h"),
    ],
)
def test_bad_task_parameters_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_task(**kwargs)


def test_bad_learner_use_is_refused():
    with pytest.raises(ValueError, match="size"):
        make_learner("huge")
    with pytest.raises(ValueError, match="unknown imprinting parameters"):
        make_learner("ci", w_xyz=1.0)
    learner = SpikingImprinter("ci")
    with pytest.raises(RuntimeError, match="reset"):
        learner.respond("A")
    learner.reset(make_task(), 0)
    with pytest.raises(ValueError, match="consequences"):
        learner.experience(Experience(0.0, "A", 60.0, kind="consequence"))
    with pytest.raises(ValueError, match="n_exposures"):
        make_task().schedule(0)
    with pytest.raises(ValueError, match="seeds"):
        imp.run(seeds=0)
    assert isinstance(Probe(0.0, ("A", "B")), Probe)
