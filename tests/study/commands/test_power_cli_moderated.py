"""``replylab power --hypothesis``: the index of moderated mediation of a process hypothesis, with paths
read off the study's generative model (checked by OLS on its simulated latent scores)."""

import pandas as pd
import pytest
import statsmodels.formula.api as smf

from analysis.power import power_moderated_mediation
from study.cli import main
from study.commands.power import study_moderated_paths
from study.dataset.simulation import simulate_latents
from study.design.loader import load_study

SMALL = ["--n", "60,120", "--sims", "40", "--boot", "100", "--seed", "3"]


@pytest.fixture(scope="module")
def webcare():
    return load_study("webcare-2x2")


def _h3(study):
    return next(h for h in study.analysis.hypotheses if h.id == "h3")


def test_the_paths_are_what_ols_finds_in_the_simulated_latents(webcare):
    # Independent of the derivation: regress the latent scores the simulator draws on h3's
    # coded x (channel: public = 1) and w (empathy: empathic = 1); tolerance 4 OLS SEs.
    paths = study_moderated_paths(webcare, _h3(webcare))
    latents = simulate_latents(webcare, n=40_000, seed=2)
    latents["x"] = (latents["channel"] == "public").astype(float)
    latents["w"] = (latents["empathy"] == "empathic").astype(float)
    first = smf.ols("pk ~ x * w", data=latents).fit()
    second = smf.ols("attitude ~ x * w + pk + pk:w", data=latents).fit()
    pairs = [(first, "x", "a"), (first, "w", "a_w"), (first, "x:w", "a_xw"), (second, "pk", "b"),
             (second, "pk:w", "b_mw"), (second, "x", "c_prime"), (second, "w", "c_w"), (second, "x:w", "c_xw")]
    for fit, term, name in pairs:
        assert abs(fit.params[term] - paths[name]) < 4 * fit.bse[term], name
    assert paths["a_xw"] != 0 and paths["b"] != 0


def test_a_process_hypothesis_gives_the_power_of_its_index(tmp_path, capsys, webcare):
    assert main(["power", "webcare-2x2", "--hypothesis", "h3", *SMALL, "--out", str(tmp_path)]) == 0
    assert {p.name for p in tmp_path.iterdir()} == {"power.csv", "power.png", "power.svg", "power.md"}
    grid = pd.read_csv(tmp_path / "power.csv")
    paths = study_moderated_paths(webcare, _h3(webcare))
    expected = power_moderated_mediation([60, 120], model=8, **paths, sims=40, n_boot=100, seed=3,
                                         ci_method=webcare.analysis.ci_method, alpha=webcare.analysis.alpha)
    pd.testing.assert_frame_equal(grid, expected, check_dtype=False)
    sentence = (tmp_path / "power.md").read_text()
    assert "index of moderated mediation of hypothesis h3" in sentence and "PROCESS model 8" in sentence
    assert f"a_xw = {paths['a_xw']:g}, b = {paths['b']:g}" in sentence
    assert sentence.strip() in capsys.readouterr().out


def test_flags_override_the_study_file_and_make_a_grid(tmp_path):
    assert main(["power", "webcare-2x2", "--hypothesis", "h3", "--a-xw", "0,0.8", "--b", "0.4", "--n", "60",
                 "--sims", "20", "--boot", "50", "--out", str(tmp_path)]) == 0
    grid = pd.read_csv(tmp_path / "power.csv")
    assert grid["a_xw"].tolist() == [0.0, 0.8] and grid["b"].tolist() == [0.4, 0.4]
    assert grid["index"].tolist() == pytest.approx([0.0, 0.32])


def test_the_mediation_hypothesis_is_still_the_default(tmp_path):
    assert main(["power", "webcare-2x2", "--n", "60", "--sims", "20", "--boot", "50", "--out", str(tmp_path)]) == 0
    grid = pd.read_csv(tmp_path / "power.csv")
    assert "model" not in grid.columns and list(grid.columns[:5]) == ["n", "a", "b", "c_prime", "indirect"]


def test_local_dask_cluster_runs_moderated_cells_as_serially(tmp_path):
    serial, parallel = tmp_path / "serial", tmp_path / "dask"
    assert main(["power", "webcare-2x2", "--hypothesis", "h3", *SMALL, "--out", str(serial)]) == 0
    assert main(["power", "webcare-2x2", "--hypothesis", "h3", *SMALL, "--workers", "2", "--out", str(parallel)]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(serial / "power.csv"), pd.read_csv(parallel / "power.csv"))


@pytest.mark.parametrize(
    "options,message",
    [
        (["--hypothesis", "h9"], "no hypothesis 'h9'"),
        (["--hypothesis", "h1"], "is an anova"),
        (["--a-xw", "0.5"], "--a-xw and --b-mw belong to a moderated mediation"),
        (["--hypothesis", "h3", "--method", "joint"], "bootstrap only"),
        (["--hypothesis", "h3", "--b-mw", "0.3"], "`b_mw` must be 0"),
    ],
)
def test_bad_choices_exit_with_code_2(tmp_path, capsys, options, message):
    assert main(["power", "webcare-2x2", "--n", "60", *options, "--out", str(tmp_path)]) == 2
    assert message in capsys.readouterr().err
