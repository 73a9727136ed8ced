"""The Parquet store: a sweep's results folder.

::

    out/sweep.json                manifest: target, fixed params, sampling, seeds, all runs
    out/table/<run_id>.parquet    one row per finished run
    out/runs/<run_id>/run.json    the run's parameters, seed, status and full summary
    out/runs/<run_id>/arrays.npz  its arrays
    out/runs/<run_id>/traceback.txt   for a run that raised

Every file is written to a temporary name and renamed into place (atomic on POSIX),
the row last, so a crash or Ctrl-C never leaves a half-written or duplicated row, the
table can be read while the sweep runs, and resuming is listing the files. One small
file per run is slower to read than one big file, but a Parquet file cannot be
appended to and rewriting it after each run is O(n^2).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import tempfile
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from neurosim.sweep.claims import folder_lock, release_claim
from neurosim.sweep.provenance import provenance
from neurosim.system import pid_alive

#: Columns after the parameters, before the run's own scalars.
KEY_COLUMNS = ("seed", "status", "error")
#: Columns of provenance, last in the table.
META_COLUMNS = (
    "run_id",
    "attempts",
    "wall_s",
    "worker",
    "neurosim_version",
    "git_revision",
    "finished_at",
)
MANIFEST = "sweep.json"


def _atomic_write(path: Path, write) -> None:
    """``write(tmp)`` a temporary file beside ``path``, then rename it to ``path``.

    The temporary file is ``.<name>.<pid>.<random>.tmp``: it belongs to this process,
    and only a process that finds its owner gone deletes it (:func:`remove_stale`)."""
    fd, name = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp"
    )
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def remove_stale(folder: Path) -> None:
    """Delete the temporary files in ``folder`` whose process is gone (a crash or a
    kill left them); those of live processes are being written."""
    for tmp in folder.glob(".*.tmp"):
        parts = tmp.name.rsplit(".", 3)
        if len(parts) == 4 and parts[1].isdigit() and not pid_alive(int(parts[1])):
            tmp.unlink(missing_ok=True)


def _unreadable(path: Path, err: Exception) -> None:
    warnings.warn(
        f"row file {path} cannot be read ({type(err).__name__}: {err}); its run counts "
        "as not finished and runs again",
        stacklevel=4,
    )


def read_row_status(path: Path) -> str | None:
    """The status in row file ``path``; None, with a warning naming the file, when it
    is truncated or empty (its run counts as not finished and runs again)."""
    import pyarrow.parquet as pq

    try:
        return pq.read_table(path, columns=["status"]).column(0)[0].as_py()
    except Exception as err:
        _unreadable(path, err)
        return None


def to_json(value) -> str:
    """``value`` as indented JSON, NumPy values made plain, other objects by repr."""
    from neurosim.results import _plain

    return json.dumps(_plain(value), indent=1, default=repr)


def _merged(old: dict, spec: dict, folder: Path) -> dict:
    """The manifest ``spec`` extended by the runs of the earlier sweep ``old`` into the
    same folder; ValueError when that sweep had another target or fixed params."""
    for key in ("target", "params"):
        if old.get(key) != spec[key]:
            raise ValueError(
                f"{folder} holds a sweep with {key} = {old.get(key)!r}, not "
                f"{spec[key]!r}; use another out folder"
            )
    known = {r["run_id"] for r in spec["runs"]}
    grid = {k: list(v) for k, v in (old.get("grid") or {}).items()}
    for name, values in spec["grid"].items():
        grid[name] = [*grid.get(name, []), *(v for v in values if v not in grid.get(name, []))]
    return {
        **spec,
        "grid": grid,
        "seeds": list(dict.fromkeys([*old.get("seeds", []), *spec["seeds"]])),
        "swept": list(dict.fromkeys([*old.get("swept", []), *spec["swept"]])),
        "runs": [*spec["runs"], *[r for r in old.get("runs", []) if r["run_id"] not in known]],
        "created": old.get("created", spec["created"]),
    }


def row(run, outcome: dict, attempts: int, swept: Sequence[str]) -> dict:
    """The table row of one finished run."""
    rid, params, seed = run
    version, revision = provenance()
    out = {name: params.get(name) for name in swept}
    out.update(seed=seed, status=outcome["status"], error=outcome["error"])
    taken = set(out) | set(META_COLUMNS)
    for key, value in outcome["scalars"].items():
        if key in swept and value == params.get(key):
            continue  # the run echoes a swept parameter: its column says it already
        out[f"result.{key}" if key in taken else key] = value
    out.update(
        run_id=rid,
        attempts=attempts,
        wall_s=float(outcome["wall_s"]),
        worker=outcome["worker"],
        neurosim_version=version,
        git_revision=revision,
        finished_at=_dt.datetime.now(_dt.UTC).isoformat(timespec="milliseconds"),
    )
    return out


class Store:
    """A sweep's results folder (see the module docstring for the layout)."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.table = self.folder / "table"
        self.runs = self.folder / "runs"
        self.written: dict = {}  #: run_id -> the row this store wrote

    @property
    def manifest_path(self) -> Path:
        """The manifest file, ``sweep.json``."""
        return self.folder / MANIFEST

    def manifest(self) -> dict | None:
        """The manifest, or None for a folder without one."""
        if not self.manifest_path.exists():
            return None
        try:
            manifest = json.loads(self.manifest_path.read_text())
        except (ValueError, UnicodeDecodeError) as err:
            raise ValueError(
                f"the sweep manifest {self.manifest_path} is corrupt ({err}); restore or "
                "delete it (the rows in table/ are kept) or use another out folder"
            ) from None
        if not isinstance(manifest, dict) or not isinstance(manifest.get("runs"), list):
            raise ValueError(f"the sweep manifest {self.manifest_path} is not a sweep manifest")
        return manifest

    def open(self, spec: dict) -> None:
        """Create the folder, or check that it holds the same sweep, and write the
        manifest: the grids, seeds and runs of every sweep into this folder, merged
        under a lock so that sweeps running at once all keep theirs."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with folder_lock(self.folder):
            old = self.manifest()
            if old is not None:
                spec = _merged(old, spec, self.folder)
            self.table.mkdir(parents=True, exist_ok=True)
            self.runs.mkdir(parents=True, exist_ok=True)
            remove_stale(self.table)
            remove_stale(self.folder)
            _atomic_write(self.manifest_path, lambda p: p.write_text(to_json(spec)))

    def finished(self) -> dict[str, str]:
        """run_id -> status of every run with a readable row."""
        out = {}
        for path in self.table.glob("*.parquet"):
            status = read_row_status(path)
            if status is not None:
                out[path.stem] = status
        return out

    def row_written_since(self, rid: str, since: float) -> bool:
        """Whether run ``rid``'s row was written at or after time ``since`` (by another
        sweep into the folder)."""
        try:
            return (self.table / f"{rid}.parquet").stat().st_mtime >= since
        except FileNotFoundError:
            return False

    def write(self, run, outcome: dict, attempts: int, swept: Sequence[str]) -> dict:
        """Save one finished run: its folder first, then its row (the commit)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        rid, params, seed = run
        folder = self.runs / rid
        folder.mkdir(parents=True, exist_ok=True)
        record = {
            "run_id": rid,
            "params": params,
            "seed": seed,
            "status": outcome["status"],
            "error": outcome["error"],
            "summary": outcome["summary"],
        }
        _atomic_write(folder / "run.json", lambda p: p.write_text(to_json(record)))
        if outcome["arrays"]:

            def save_arrays(path):
                with path.open("wb") as fh:
                    np.savez(fh, **outcome["arrays"])

            _atomic_write(folder / "arrays.npz", save_arrays)
        if outcome["traceback"]:
            _atomic_write(folder / "traceback.txt", lambda p: p.write_text(outcome["traceback"]))
        line = row(run, outcome, attempts, swept)
        table = pa.Table.from_pylist([line])

        def save_row(path):
            with path.open("wb") as fh:
                pq.write_table(table, fh)

        _atomic_write(self.table / f"{rid}.parquet", save_row)
        release_claim(self.table, rid)
        self.written[rid] = line
        return line

    def results(self, runs: Iterable[str]):
        """:func:`load_results` of ``runs``, taking the rows this store wrote from
        memory rather than reading their files back (the same one-row tables, at a
        tenth of the cost)."""
        return _load(self, runs, self.written)


def load_results(folder, *, runs: Iterable[str] | None = None):
    """The table of a sweep folder as a pandas DataFrame (see :mod:`neurosim.sweep` for
    the columns); readable while the sweep is running. ``runs`` keeps only those run
    ids, in that order."""
    return _load(Store(folder), runs, {})


def _load(store: Store, runs: Iterable[str] | None, known: dict):
    """The table of ``store``'s runs (``known``: run_id -> row written by this process)."""
    import pandas as pd
    import pyarrow as pa

    folder = store.folder
    manifest = store.manifest()
    if manifest is None:
        raise FileNotFoundError(f"{folder} is not a sweep folder (no {MANIFEST})")
    paths = sorted(store.table.glob("*.parquet"))
    if runs is not None:
        wanted = list(runs)
        have = {p.stem: p for p in paths}
        paths = [have[r] for r in wanted if r in have]
    else:
        order = {r["run_id"]: k for k, r in enumerate(manifest["runs"])}
        paths.sort(key=lambda p: order.get(p.stem, len(order)))
    tables = [
        pa.Table.from_pylist([known[p.stem]]) if p.stem in known else _read_row(p) for p in paths
    ]
    tables = [t for t in tables if t is not None]
    if not tables:
        columns = [*manifest["swept"], *KEY_COLUMNS, *META_COLUMNS]
        df = pd.DataFrame(columns=columns)
    else:
        table = pa.concat_tables(tables, promote_options="permissive")
        df = table.to_pandas()
        first = [c for c in (*manifest["swept"], *KEY_COLUMNS) if c in df.columns]
        meta = [c for c in META_COLUMNS if c in df.columns]
        rest = [c for c in df.columns if c not in first and c not in meta]
        df = df[first + rest + meta].reset_index(drop=True)
    df.attrs["folder"] = str(store.folder)
    return df


def _read_row(path: Path):
    """The one-row table in ``path``; None, with a warning, when it cannot be read."""
    import pyarrow.parquet as pq

    try:
        return pq.read_table(path)
    except Exception as err:
        _unreadable(path, err)
        return None


def resume_hint(folder) -> str:
    """One line on how a sweep in ``folder`` stands (runs finished of those planned)."""
    store = Store(folder)
    manifest = store.manifest() or {"runs": []}
    n = len(manifest["runs"])
    done = len(list(store.table.glob("*.parquet"))) if store.table.exists() else 0
    return f"{done} of {n} runs finished in {folder}"
