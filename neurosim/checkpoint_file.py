"""The file format of checkpoints: one ``.npz`` archive of plain arrays, written
atomically, read without running anything it contains.

A checkpoint file is a zip archive written by :func:`numpy.savez` whose members are

- ``__checkpoint__``: the description, a UTF-8 JSON text stored as a ``uint8`` array.
  It names the format (:data:`FORMAT`), its version (:data:`FORMAT_VERSION`), the
  neurosim version that wrote it, what the network is made of, and the dtype and shape
  of every other member (the manifest, under ``"members"``);
- ``m0``, ``m1``, ...: numeric arrays (state, weights, random streams, buffers ...),
  referred to by name from the description.

Reading uses ``numpy.load(..., allow_pickle=False)``: an archive holding Python
objects is refused, so a checkpoint from anyone can hold data only, never code.
Everything is read and checked against the manifest before a network is built.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

import numpy as np

from neurosim.errors import CheckpointError

#: Format name stored in every checkpoint.
FORMAT = "neurosim-checkpoint"
#: Version of the format: a file of a higher version is refused.
FORMAT_VERSION = 1
#: Member holding the description (JSON text as uint8).
DESCRIPTION = "__checkpoint__"
#: Kinds of array a checkpoint may hold (numpy ``dtype.kind``): bool, integers, floats.
_KINDS = "biuf"


class Members:
    """The arrays of a checkpoint being written, each under a short member name."""

    def __init__(self):
        self.arrays: dict[str, np.ndarray] = {}

    def add(self, array) -> str:
        """Store ``array`` (a numeric array); return its member name."""
        array = np.asarray(array)
        if array.dtype.kind not in _KINDS:
            raise TypeError(f"only numeric arrays can be saved, got dtype {array.dtype}")
        key = f"m{len(self.arrays)}"
        self.arrays[key] = array
        return key

    def manifest(self) -> dict[str, list]:
        """``{member: [dtype, shape]}`` of every stored array."""
        return {k: [a.dtype.str, list(a.shape)] for k, a in self.arrays.items()}


def version() -> str:
    """The version of this neurosim (recorded in every checkpoint), as
    ``neurosim.__version__`` gives it."""
    try:
        return metadata.version("neurosim")
    except metadata.PackageNotFoundError:  # a source tree without installation
        return "0+unknown"


def _fail(path, what: str) -> CheckpointError:
    return CheckpointError(f"checkpoint {str(path)!r}: {what}")


def check_target(path) -> Path:
    """``path`` as a Path whose folder exists and is writable and which is not a
    folder itself; a :class:`CheckpointError` otherwise (before anything is written)."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {path!r}")
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise _fail(path, f"the folder {str(folder)!r} does not exist")
    if path.is_dir():
        raise _fail(path, "is a folder; give a file name")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _fail(path, f"the folder {str(folder)!r} is not writable")
    return path


def write(path, description: dict, members: Members) -> None:
    """Write the checkpoint atomically: into a temporary file of the same folder, synced
    to disk, then renamed onto ``path``. A failed save leaves no partial file and any
    earlier file at ``path`` untouched."""
    path = check_target(path)
    text = json.dumps({**description, "members": members.manifest()}, allow_nan=True)
    blob = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **{DESCRIPTION: blob}, **members.arrays)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # as an ordinary new file (mkstemp: owner only)
        os.replace(tmp, path)
    except BaseException as err:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise _fail(path, f"could not be written: {err}") from err
        raise
    _sync_folder(path.parent)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (where the system allows opening a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read(path) -> tuple[dict, dict[str, np.ndarray]]:
    """The description and every array of the checkpoint at ``path``, checked against
    the format, its version and the manifest; a :class:`CheckpointError` naming the
    file and the problem otherwise."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {path!r}")
    path = Path(path)
    if not path.is_file():
        raise _fail(path, "no such file")
    if not zipfile.is_zipfile(path):
        with path.open("rb") as fh:
            if fh.read(4) == b"PK\x03\x04":
                raise _fail(path, "is truncated or corrupt (the end of the archive is missing)")
        raise _fail(path, "is not a neurosim checkpoint (not a zip/npz archive)")
    try:
        with np.load(path, allow_pickle=False) as archive:
            if DESCRIPTION not in archive.files:
                raise _fail(path, "is an npz archive but not a neurosim checkpoint")
            arrays = {name: archive[name] for name in archive.files}
    except CheckpointError:
        raise
    except Exception as err:  # truncated or corrupt members, object arrays
        raise _fail(path, f"is truncated or corrupt ({type(err).__name__}: {err})") from err
    description = _description(path, arrays.pop(DESCRIPTION))
    _check_members(path, description, arrays)
    # a file from a machine of the other byte order loads as native arrays
    native = {k: a.astype(a.dtype.newbyteorder("="), copy=False) for k, a in arrays.items()}
    return description, native


def _description(path: Path, blob: np.ndarray) -> dict:
    try:
        description = json.loads(blob.astype(np.uint8).tobytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise _fail(path, f"its description is not valid JSON ({err})") from err
    if not isinstance(description, dict) or description.get("format") != FORMAT:
        raise _fail(path, f"is not a neurosim checkpoint (no format {FORMAT!r})")
    version = description.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise _fail(path, f"format version {version!r} is not an integer")
    if version > FORMAT_VERSION:
        raise _fail(
            path,
            f"was written in checkpoint format {version} by neurosim "
            f"{description.get('neurosim_version')!r}; this neurosim reads formats up to "
            f"{FORMAT_VERSION}: load it with that neurosim version or newer",
        )
    if version < 1:
        raise _fail(path, f"format version {version} is not a valid version")
    return description


def _check_members(path: Path, description: dict, arrays: dict[str, np.ndarray]) -> None:
    manifest = description.get("members")
    if not isinstance(manifest, dict):
        raise _fail(path, "its description has no manifest of members")
    missing = sorted(set(manifest) - set(arrays))
    extra = sorted(set(arrays) - set(manifest))
    if missing or extra:
        raise _fail(path, f"members missing: {missing}, members not described: {extra}")
    for name, array in arrays.items():
        try:
            dtype, shape = np.dtype(manifest[name][0]), tuple(manifest[name][1])
        except (TypeError, ValueError, IndexError) as err:
            raise _fail(path, f"manifest entry of member {name!r} is malformed") from err
        if array.dtype != dtype or array.shape != shape or dtype.kind not in _KINDS:
            raise _fail(
                path,
                f"member {name!r} has dtype {array.dtype} and shape {array.shape}; the "
                f"manifest says {dtype} and {shape}",
            )
