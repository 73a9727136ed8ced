"""Where a run's results come from: neurosim's version and git revision."""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path


@functools.lru_cache(maxsize=1)
def provenance() -> tuple[str, str | None]:
    """(neurosim version, git revision of neurosim's source tree or None); the
    revision ends in ``-dirty`` when the tree has uncommitted changes."""
    import neurosim

    root = Path(neurosim.__file__).parent
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=10
        )
        if rev.returncode != 0:
            return neurosim.__version__, None
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        return neurosim.__version__, rev.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return neurosim.__version__, None
