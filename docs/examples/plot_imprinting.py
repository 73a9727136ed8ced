"""
Filial imprinting and its sensitive period
==========================================

Naive birds of three ages (2.5, 14.5 and 30.5 h after hatching) see a moving object A
once for 15 minutes and choose between A and a novel object B a day later: the
``imprinting`` experiment on the reduced network, one bird per age. The bird of 2.5 h
learns little (the developmental gain is still closed), the bird of 14.5 h prefers A,
the bird of 30.5 h withdraws from A in fear and never learns it.
"""

from neurosim.experiments import imprinting

result = imprinting.run(age_h=[2.5, 14.5, 30.5], seeds=1, size="ci")
for age, pref, avoid in zip(
    result.summary["age_h"],
    result.summary["preference_mean"],
    result.summary["avoidance_mean"],
    strict=True,
):
    print(f"{age:5.1f} h: preference for A {pref:.2f}, withdrawal from the novel A {avoid:.2f}")
result.figures["imprinting"]
