"""
Conditioned taste aversion: illness attaches to the taste, a shock to the light and click
=========================================================================================

Garcia & Koelling's 2 x 2: rats drink "bright-noisy-tasty" water (a taste with a light
and click at each lick) and are then made ill or shocked; tested with each element
alone, the ill rats avoid the taste and not the audiovisual cue, the shocked rats the
reverse. The ``taste-aversion`` experiment with 10 aversion neurons, 20-s drinking
sessions and two seeds instead of 40, 60 s and five; the two days before the test are
crossed by fast-forward.
"""

from neurosim.experiments import taste_aversion

for consequence, delay in (("illness", 30.0), ("shock", 0.0)):
    result = taste_aversion.run(
        cue="compound", consequence=consequence, delay_min=delay, seeds=2,
        n_aversion=10, drink_s=20.0,
    )  # fmt: skip
    s = result.summary
    print(
        f"{consequence:8s}: suppression of the taste {s['suppression_taste_mean']:.2f}, "
        f"of the audiovisual cue {s['suppression_audiovisual_mean']:.2f}"
    )
result.figures["suppression"]
