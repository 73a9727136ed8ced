"""Learners trained by gradient descent, set against the spiking learners on the same
tasks (:mod:`neurosim.tasks`): :class:`~neurosim.baselines.mlp.MLPLearner`
(scikit-learn's ``MLPRegressor`` trained online with ``partial_fit``)."""

from neurosim.baselines.mlp import MLPLearner

__all__ = ["MLPLearner"]
