"""Run buffers: persistent rings keep what is in flight when they grow."""

import numpy as np

from neurosim.buffers import RunBuffers


def test_ring_is_kept_while_its_shape_holds():
    buffers = RunBuffers()
    ring = buffers.ring("ring/a/0", 3, 2, step=0)
    assert buffers.ring("ring/a/0", 3, 2, step=5) is ring
    assert list(buffers) == ["ring/a/0"] and buffers["ring/a/0"] is ring


def test_growing_ring_keeps_pending_entries_at_their_steps():
    buffers = RunBuffers()
    old = buffers.ring("queue/p", 3, 1, step=0, dtype=np.int64)
    step = 7
    for due in range(step, step + 3):  # what is due at steps 7, 8, 9
        old[due % 3, 0] = due
    new = buffers.ring("queue/p", 5, 1, step=step, dtype=np.int64)
    assert new.dtype == np.int64 and new.shape == (5, 1)
    for due in range(step, step + 3):
        assert new[due % 5, 0] == due
    assert new[(step + 3) % 5, 0] == 0 and new[(step + 4) % 5, 0] == 0


def test_current_records_are_created_once():
    buffers = RunBuffers()
    applied = buffers.applied_current(0, 4)
    applied[:] = 2.5
    assert buffers.applied_current(0, 4) is applied
    pointer = buffers.current_pointer(0)
    assert pointer.dtype == np.int64 and pointer.shape == (1,)
    assert set(buffers) == {"current_applied/0", "current_pointer/0"}
