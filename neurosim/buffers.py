"""State of a run that lives outside populations and projections and survives an
engine rebuild: spikes in flight, event queues and the progress of current inputs.

An engine is rebuilt whenever the network's structure changes (a population,
projection, input or monitor is added), but what is in flight must carry over: spikes
already in a ring buffer still arrive, a current input already added to ``I`` is not
added twice. Every engine therefore keeps these arrays in the network's
:class:`RunBuffers` (``network.buffers``), a mapping from name to array that a
checkpoint can save and restore whole.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np


class RunBuffers(Mapping):
    """Named arrays that persist across engine rebuilds (read-only mapping name -> array).

    Names are ``"<kind>/<component>[/<detail>]"``, e.g. ``"ring/exc/1"`` for the ring
    buffer of receptor row 1 of population ``exc``.
    """

    def __init__(self):
        self._arrays: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        return self._arrays[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._arrays)

    def __len__(self) -> int:
        return len(self._arrays)

    def array(self, name: str, shape, dtype=float) -> np.ndarray:
        """The array ``name``, created as zeros of ``shape`` and ``dtype`` on first use."""
        if name not in self._arrays:
            self._arrays[name] = np.zeros(shape, dtype=dtype)
        return self._arrays[name]

    def ring(self, name: str, depth: int, width: int, step: int, dtype=float) -> np.ndarray:
        """A ``(depth, width)`` ring buffer whose slot ``m % depth`` holds what is due at
        step ``m``.

        When a rebuild asks for another depth at the present ``step``, the entries
        pending for steps ``step .. step + old depth - 1`` move to the slots of the same
        steps in the new buffer, so that nothing in flight is lost.
        """
        return self._resized(name, depth, width, dtype, lambda old: range(step, step + old))

    def history(self, name: str, depth: int, width: int, step: int, dtype=np.int64) -> np.ndarray:
        """A ``(depth, width)`` ring whose row ``m % depth`` holds what happened at step
        ``m`` (the last ``depth`` steps before ``step``, then ``step`` itself).

        When a rebuild asks for another depth at the present ``step``, the rows of the
        steps ``step - min(old, new depth) .. step - 1`` move to the rows of the same
        steps in the new ring, so that nothing still needed is lost.
        """
        kept = lambda old: range(max(0, step - min(depth, old)), step)  # noqa: E731
        return self._resized(name, depth, width, dtype, kept)

    def _resized(self, name, depth, width, dtype, kept) -> np.ndarray:
        """The ``(depth, width)`` array ``name`` whose row ``m % depth`` belongs to step
        ``m``; when it had another depth, the rows of the steps ``kept(old depth)``
        move to their rows in the new one."""
        old = self._arrays.get(name)
        if old is not None and old.shape == (depth, width):
            return old
        new = np.zeros((depth, width), dtype=dtype)
        if old is not None:
            for m in kept(old.shape[0]):
                new[m % depth] = old[m % old.shape[0]]
        self._arrays[name] = new
        return new

    def in_flight(self) -> bool:
        """Whether anything is still on its way: a delayed input in a ring buffer
        (``ring/...``), a pending event in an event queue (``...queue_count/...``), or a
        spike of the last steps in a plastic projection's spike history
        (``history/...``, column 0 counts each step's spikes), which a delay group may
        not have received yet."""
        for name, array in self._arrays.items():
            if name.startswith("ring/") or "queue_count/" in name:
                if np.any(array):
                    return True
            elif name.startswith("history/") and np.any(array[:, 0]):
                return True
        return False

    def applied_current(self, index: int, size: int) -> np.ndarray:
        """What current input ``index`` has added so far (pA) to the ``I`` of each of its
        ``size`` targets, so that a rebuilt engine never adds it twice."""
        return self.array(f"current_applied/{index}", size)

    def current_pointer(self, index: int) -> np.ndarray:
        """Index (a one-element int64 array) of the next segment of current input
        ``index`` to switch on."""
        return self.array(f"current_pointer/{index}", 1, np.int64)
