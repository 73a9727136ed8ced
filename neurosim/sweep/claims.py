"""Sharing a results folder between sweeps that run at the same time.

Before a sweep runs a run it *claims* it: ``table/<run_id>.claim``, created with
``O_CREAT | O_EXCL`` (only one process can make it) and holding the claiming
process's id. Another sweep into the same folder skips a claimed run and waits for
its row instead of computing it twice; a claim whose process is gone (a crash, a
kill) is taken over. The row's commit removes the claim. The manifest is read,
merged and written under an exclusive ``fcntl.flock`` on ``.lock`` in the folder.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

from neurosim.system import pid_alive


@contextlib.contextmanager
def folder_lock(folder: Path):
    """An exclusive lock on ``folder`` (held until the block ends)."""
    with open(folder / ".lock", "a") as fh:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no lock
            yield
            return
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _owner(path: Path) -> int | None:
    """The pid in claim ``path``: None without a claim, 0 while it is being written,
    -1 for an empty claim older than a few seconds (its maker died at once)."""
    try:
        text = path.read_text().strip()
        if not text.isdigit():
            return -1 if time.time() - path.stat().st_mtime > 5 else 0
    except FileNotFoundError:
        return None
    return int(text)


def claim(table: Path, rid: str) -> bool:
    """Claim run ``rid``; False when a live process other than this one holds it."""
    path = table / f"{rid}.claim"
    for _ in range(3):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            owner = _owner(path)
            if owner == os.getpid():
                return True
            if owner is not None and (owner == 0 or pid_alive(owner)):
                return False  # being written (0: not yet) or held by a live sweep
            path.unlink(missing_ok=True)  # its process is gone
            continue
        with os.fdopen(fd, "w") as fh:
            fh.write(str(os.getpid()))
        return True
    return False


def claimed_by_other(table: Path, rid: str) -> bool:
    """Whether a live process other than this one holds run ``rid``."""
    owner = _owner(table / f"{rid}.claim")
    return owner is not None and owner != os.getpid() and (owner == 0 or pid_alive(owner))


def release_claim(table: Path, rid: str) -> None:
    """Drop this process's claim on ``rid`` (its row is written, or it stops)."""
    path = table / f"{rid}.claim"
    if _owner(path) == os.getpid():
        path.unlink(missing_ok=True)
