"""The neurosim command: run with --set/--json/--out, list, errors."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from neurosim.cli import main, parse_value
from neurosim.experiments import EXPERIMENTS


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
    argv = "run fi-curve --set currents=500 --set duration=300 --set transient=100".split()
    assert main([*argv, "--out", str(tmp_path)]) == 0
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
    with pytest.raises(SystemExit, match="unknown experiment"):
        main(["run", "nope"])


FI = ["--set", "currents=500", "--set", "duration=100", "--set", "transient=50"]


def test_run_keeps_its_results_when_out_cannot_be_written(tmp_path, capsys, monkeypatch):
    from neurosim.results import Result

    def refuse(self, folder):
        if str(folder).startswith(str(tmp_path)):
            raise PermissionError(13, "Permission denied", str(folder))
        return save(self, folder)

    save = Result.save
    monkeypatch.setattr(Result, "save", refuse)
    assert main(["run", "fi-curve", *FI, "--out", str(tmp_path / "res")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and f"cannot save to {tmp_path / 'res'}" in err
    kept = err.rsplit("results kept in ", 1)[1]
    assert json.loads((Path(kept) / "summary.json").read_text())["current_pA"] == [500]


def test_sweep_with_failed_runs_exits_with_status_3(tmp_path, capsys):
    # transient = 200 ms >= duration: that run fails (an unknown model would be refused
    # before launching, by the experiment's check_params)
    grid = ["--grid", "transient=50,200", "--set", "currents=500", "--set", "duration=100"]
    args = ["sweep", "fi-curve", *grid, "--out", str(tmp_path)]
    assert main([*args, "--workers", "1", "--json"]) == 3
    captured = capsys.readouterr()
    assert json.loads(captured.out.strip().splitlines()[-1])["error"] == 1
    assert "1 of 2 runs failed" in captured.err


def test_help_lists_experiment_parameters_and_bench_help_is_its_own(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", "coba", "--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    assert "n_exc = 3200  (int)" in text and "w_i = 67.0  (float)" in text
    with pytest.raises(SystemExit) as exc:
        main(["bench", "coba", "--help"])
    assert exc.value.code == 0 and "--durations" in capsys.readouterr().out


@pytest.mark.parametrize("name", sorted(EXPERIMENTS))
def test_help_gives_every_parameter_a_description_with_its_unit(name, capsys):
    with pytest.raises(SystemExit):
        main(["run", name, "--help"])
    lines = capsys.readouterr().out.split("parameters (--set NAME=VALUE):")[1].splitlines()
    params = [line for line in lines if line.startswith("  ") and not line.startswith("  **")]
    assert params and all(": " in line for line in params), params
    for unit in ("(ms)",):
        assert any(unit in line for line in params), (name, unit)


def test_list_shows_first_sentences_without_markup(capsys):
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    coba = next(line for line in lines if line.split()[:1] == ["coba"])
    assert "`" not in coba and ":func:" not in coba
    assert coba.endswith("weights in nS as in build).")
    window = next(line for line in lines if line.split()[:1] == ["stdp-frequency"])
    assert window.endswith("at fixed delta_t_ms.")
