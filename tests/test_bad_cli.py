"""Bad input through the ``neurosim`` command: each case exits before running anything
with a one-line message naming the thing, and no traceback.

One line per case: (what it does, the arguments, a regular expression the message
must match).
"""

import re

import pytest

from neurosim.cli import main

FI = ["--set", "currents=0,10", "--set", "duration=100", "--set", "transient=50"]


def _sweep(*args, out="OUT"):
    return ["sweep", "fi-curve", *args, "--out", out]


CASES = [
    ("run unknown experiment", ["run", "nosuch"], r"unknown experiment 'nosuch'; experiments: coba, .*tagging-capture"),
    ("sweep unknown experiment", ["sweep", "nosuch", "--out", "OUT"], r"unknown experiment 'nosuch'"),
    ("run --out is a file", ["run", "fi-curve", *FI, "--out", "FILE"], r"--out .*FILE is an existing file"),
    ("run --out under a file", ["run", "fi-curve", *FI, "--out", "FILE/sub"], r"cannot be made: .*FILE is a file"),
    ("sweep --out is a file", _sweep("--grid", "duration=100", *FI[:2], out="FILE"), r"--out .*FILE is an existing file"),
    ("sweep --out under a file", _sweep("--grid", "duration=100", *FI[:2], out="FILE/x"), r"cannot be made"),
    ("empty grid", _sweep("--grid", "model="), r"--grid 'model=' gives no value"),
    ("repeated grid", _sweep("--grid", "model=lif", "--grid", "model=adex"), r"--grid model is given twice"),
    ("empty list item", _sweep("--grid", "model=lif", "--set", "currents=0,,500"), r"--set currents: '0,,500' has an empty item"),
    ("trailing comma", _sweep("--grid", "model=lif,"), r"--grid model: 'lif,' has an empty item"),
    ("repeated set", ["run", "fi-curve", "--set", "d=1", "--set", "d=2"], r"--set d is given twice"),
    ("grid without =", _sweep("--grid", "model"), r"--grid expects name=value"),
    ("fixed value of wrong type", ["sweep", "coba", "--grid", "w_i=1", "--set", "duration=abc", "--out", "OUT"], r"duration = 'abc' must be a number"),
    ("fixed name unknown", ["sweep", "coba", "--grid", "w_i=1", "--set", "tau_mm=3", "--out", "OUT"], r"no parameter\(s\) \['tau_mm'\]"),
    ("model parameter unknown", _sweep("--grid", "model=lif,adex", *FI, "--set", "tau_mm=3"), r"tau_mm"),
    ("model parameter out of range", _sweep("--grid", "model=lif", *FI, "--set", "tau_m=-1"), r"tau_m"),
    ("dead scheduler", _sweep("--grid", "model=lif", *FI, "--scheduler", "tcp://127.0.0.1:9"), r"no Dask scheduler answers at tcp://127.0.0.1:9"),
]  # fmt: skip


@pytest.mark.parametrize("what, args, message", CASES, ids=[c[0] for c in CASES])
def test_bad_command_line_exits_with_one_line(what, args, message, tmp_path):
    (tmp_path / "FILE").write_text("not a folder")
    args = [str(tmp_path / a) if a in ("OUT", "FILE", "FILE/sub", "FILE/x") else a for a in args]
    with pytest.raises(SystemExit) as exc:
        main(args)
    text = str(exc.value.code)
    assert "\n" not in text
    assert re.search(message, text), text
    assert not (tmp_path / "OUT").exists()
