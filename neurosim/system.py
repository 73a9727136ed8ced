"""What the machine offers: the memory available now, whether a process is alive.

Size checks (a projection or population that cannot fit is refused before anything is
allocated) and ownership checks (a monitor's folder, a sweep's claim on a run) share
these two questions.
"""

from __future__ import annotations

import os


def available_memory() -> int:
    """Bytes of memory available to this process now (``MemAvailable`` on Linux)."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this machine."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
