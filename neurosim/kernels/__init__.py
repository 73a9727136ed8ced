"""Compiled building blocks that models, rules and the engine share.

:mod:`~neurosim.kernels.jit` (how functions are compiled), :mod:`~neurosim.kernels.vmath`
(vectorisable elementary functions), :mod:`~neurosim.kernels.rng` (per-component random
streams) and :mod:`~neurosim.kernels.delivery` (spike delivery, ring buffers, event
queues, recording). They import nothing else of neurosim, so a model module depends on
them and never on the engine that builds and runs the loop (:mod:`neurosim.engine`).
"""
