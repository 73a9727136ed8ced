"""Whether spawned worker processes can run a sweep, checked before any starts.

A worker started with ``spawn`` is a fresh interpreter: it imports the target by name
and, to unpickle a function defined in the main script, imports that script again
(as ``__mp_main__``). Two ways of calling :func:`~neurosim.sweep.sweep` break this,
and without these checks every run would be recorded as ``WorkerDied``:

- the target is defined in a script without a file (read on standard input, given
  with ``python -c``, typed in a console or a notebook): workers cannot import it;
- the script calls ``sweep()`` at its top level without an
  ``if __name__ == "__main__":`` guard: each worker, importing the script, starts
  the sweep again.
"""

from __future__ import annotations

import ast
import multiprocessing
import sys
from pathlib import Path

GUARD = 'if __name__ == "__main__":'


def check_not_in_worker_import(frame) -> None:
    """Raise RuntimeError when called (from ``frame``) while a spawned worker imports
    the main script: the script has no ``__main__`` guard around its sweep."""
    main = sys.modules.get("__main__")
    if (
        multiprocessing.parent_process() is not None
        and getattr(main, "__name__", None) == "__mp_main__"
        and frame.f_globals is getattr(main, "__dict__", None)
    ):
        raise RuntimeError(
            "sweep() was called while a worker process imported the main script: put the "
            f"sweep under `{GUARD}` (worker processes import the script again)"
        )


def _guarded(source: str, line: int) -> bool:
    """Whether line ``line`` of ``source`` is inside an ``if __name__ == ...`` block."""
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.If)
            and "__name__" in ast.unparse(node.test)
            and node.lineno <= line <= (node.end_lineno or node.lineno)
        ):
            return True
    return False


def _main_module_frame(frame, main):
    """The frame running the main script's top level among ``frame`` and its callers
    (the sweep may be started by a function that the script calls), or None."""
    while frame is not None:
        if (
            frame.f_globals is getattr(main, "__dict__", None)
            and frame.f_code.co_name == "<module>"
        ):
            return frame if getattr(main, "__file__", None) else None
        frame = frame.f_back
    return None


def check_spawnable(name: str, ref: tuple, frame) -> None:
    """Raise RuntimeError, before a worker starts, when spawned workers could not run
    target ``name`` (reference ``ref``) for a sweep called from ``frame``."""
    main = sys.modules.get("__main__")
    main_file = getattr(main, "__file__", None)
    kind, value = ref
    module = value.partition(":")[0] if kind == "reference" else getattr(value, "__module__", "")
    if module == "__main__" and (main_file is None or not Path(main_file).is_file()):
        raise RuntimeError(
            f"{name} is defined in a script without a file (standard input, python -c, a "
            "console or a notebook), which worker processes cannot import: save the script "
            f"to a file with the sweep under `{GUARD}` and run that file, put the function "
            "in a module, or use executor='serial'"
        )
    top = _main_module_frame(frame, main)
    if (
        top is not None
        and Path(main_file).is_file()
        and not _guarded(Path(main_file).read_text(), top.f_lineno)
    ):
        raise RuntimeError(
            f"{main_file} calls sweep() at its top level: put the sweep under `{GUARD}`, "
            "or worker processes, which import the script again, would each start it anew"
        )
