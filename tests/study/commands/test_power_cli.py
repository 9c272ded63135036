"""``replylab power``: files, numbers equal to analysis.power_mediation, Dask, Ctrl-C."""

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis import power_mediation
from study.cli import main
from study.commands.power import study_paths
from study.design.loader import load_study

ROOT = Path(__file__).resolve().parents[3]
SMALL = ["--n", "40:80:40", "--a", "0.3,0.6", "--b", "0.4", "--c-prime", "0.1", "--sims", "60", "--boot", "80", "--seed", "3"]


def read_grid(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "power.csv")


def test_writes_csv_figure_and_sentence_equal_to_the_library(tmp_path, capsys):
    assert main(["power", "tilburg", *SMALL, "--out", str(tmp_path)]) == 0
    assert {p.name for p in tmp_path.iterdir()} == {"power.csv", "power.png", "power.svg", "power.md"}
    grid = read_grid(tmp_path)
    expected = power_mediation([0.3, 0.6], 0.4, 0.1, [40, 80], sims=60, n_boot=80, seed=3)
    pd.testing.assert_frame_equal(grid, expected, check_dtype=False)
    sentence = (tmp_path / "power.md").read_text()
    assert "60 simulated studies" in sentence and "a = 0.6, b = 0.4" in sentence
    assert sentence.strip() in capsys.readouterr().out


def test_paths_come_from_the_study_file(tmp_path):
    raw = yaml.safe_load((ROOT / "study/design/studies/tilburg/study.yaml").read_text())
    hypothesis = next(h for h in raw["analysis"]["hypotheses"] if h["kind"] == "mediation")
    one = next(level for level, code in hypothesis["x_coding"].items() if code == 1)
    zero = next(level for level, code in hypothesis["x_coding"].items() if code == 0)
    shifts = raw["simulation"]
    expected_a = shifts["a"][hypothesis["x"]][one] - shifts["a"][hypothesis["x"]][zero]
    expected_c = shifts["c_prime"][hypothesis["x"]][one] - shifts["c_prime"][hypothesis["x"]][zero]
    assert study_paths(load_study("tilburg")) == pytest.approx((expected_a, shifts["b"], expected_c))
    assert main(["power", "tilburg", "--n", "50", "--sims", "20", "--boot", "30", "--out", str(tmp_path)]) == 0
    row = read_grid(tmp_path).iloc[0]
    assert (row["a"], row["b"], row["c_prime"]) == pytest.approx((expected_a, shifts["b"], expected_c))


def test_local_dask_cluster_gives_the_serial_numbers(tmp_path):
    serial, parallel = tmp_path / "serial", tmp_path / "dask"
    assert main(["power", "tilburg", *SMALL, "--out", str(serial)]) == 0
    assert main(["power", "tilburg", *SMALL, "--workers", "2", "--out", str(parallel)]) == 0
    pd.testing.assert_frame_equal(read_grid(serial), read_grid(parallel))


def test_bad_options_exit_with_code_2(tmp_path, capsys):
    assert main(["power", "tilburg", "--n", "3", "--a", "0.3", "--b", "0.3", "--c-prime", "0", "--out", str(tmp_path)]) == 2
    assert "every `n` must be" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stopped:
        main(["power", "tilburg", "--n", "sixty", "--out", str(tmp_path)])
    assert stopped.value.code == 2


def test_ctrl_c_keeps_the_finished_cells(tmp_path):
    command = [sys.executable, "-m", "study.cli", "power", "tilburg", "--n", "40:2000:40", "--a", "0.3",
               "--b", "0.3", "--c-prime", "0", "--sims", "100", "--boot", "200", "--out", str(tmp_path)]
    process = subprocess.Popen(command, cwd=ROOT, env=os.environ | {"MPLBACKEND": "Agg"},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    csv_path, deadline = tmp_path / "power.csv", time.monotonic() + 60
    while time.monotonic() < deadline:
        if csv_path.exists() and csv_path.read_text().count("\n") >= 3:  # header + 2 cells
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, error = process.communicate(timeout=60)
    assert process.returncode == 130, error.decode()
    with csv_path.open() as handle:
        rows = list(csv.DictReader(handle))
    assert 2 <= len(rows) < 50
    assert [int(row["n"]) for row in rows] == list(range(40, 40 * len(rows) + 1, 40))
    assert all(0 <= float(row["power"]) <= 1 for row in rows)
    assert not (tmp_path / "power.md").exists()
