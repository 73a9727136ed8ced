"""The neurosim command: run with --set/--json/--out, list, errors."""

import json
import subprocess
import sys

import numpy as np
import pytest

from neurosim.cli import main, parse_value


def cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "neurosim.cli", *args], capture_output=True, text=True
    )


def test_parse_value():
    assert parse_value("3") == 3 and parse_value("2.5") == 2.5
    assert parse_value("0,100,200") == [0, 100, 200]
    assert parse_value("adex") == "adex" and parse_value("true") is True


def test_fi_curve_json_interface():
    out = cli(
        "run",
        "fi-curve",
        "--set",
        "model=izhikevich",
        "--set",
        "currents=0,5,10",
        "--set",
        "d=6",
        "--json",
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(data) == {"model", "params", "current_pA", "rate_hz"}
    assert data["model"] == "izhikevich" and data["current_pA"] == [0, 5, 10]
    assert data["params"] == {"a": 0.02, "b": 0.2, "c": -65.0, "d": 6.0, "V_th": 30.0, "I_e": 0.0}
    assert data["rate_hz"][0] == 0 and data["rate_hz"][2] > data["rate_hz"][1] > 0


def test_run_with_out_saves_files(tmp_path, capsys):
    assert (
        main(
            [
                "run",
                "fi-curve",
                "--set",
                "currents=500",
                "--set",
                "duration=300",
                "--set",
                "transient=100",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    assert (tmp_path / "fi_curve.png").stat().st_size > 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert np.load(tmp_path / "arrays.npz")["rate_hz"][0] == pytest.approx(summary["rate_hz"][0])


def test_list_and_errors(capsys):
    assert main(["list"]) == 0
    listed = capsys.readouterr().out
    assert "fi-curve" in listed and "coba" in listed
    with pytest.raises(SystemExit, match="tau_mm"):
        main(["run", "fi-curve", "--set", "tau_mm=3"])
    with pytest.raises(SystemExit, match="model = 'hh'"):
        main(["run", "fi-curve", "--set", "model=hh"])
    with pytest.raises(ValueError, match="unknown experiment"):
        main(["run", "nope"])
