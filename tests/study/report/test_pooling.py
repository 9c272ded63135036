"""replylab pool: several sites' results.json pooled into one random-effects analysis."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.meta_analysis import combine_effects

from study.cli import main
from study.dataset.simulation import simulate, site_study
from study.design.loader import load_study
from study.errors import UserError
from study.pipeline.run import analyze
from study.report.pooling import pool_sites


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    tilburg = load_study("tilburg")
    root = tmp_path_factory.mktemp("sites")
    folders = []
    for site in range(1, 4):
        data = simulate(site_study(tilburg, site, site_sd=0.2, seed=3), n=100, seed=3000 + site, lang="en")
        folder = root / f"results_{site}"
        analyze(data, tilburg, folder, n_boot=300, site=f"lab{site}")
        folders.append(folder)
    return folders


def test_each_run_writes_results_json_with_its_site(sites):
    run = json.loads((sites[0] / "results.json").read_text(encoding="utf-8"))
    assert run["site"] == "lab1" and run["study"] == "tilburg"
    ids = [effect["id"] for effect in run["effects"]]
    assert "h1_channel_d" in ids and "h2_indirect_pk_strategic" in ids
    assert [claim["id"] for claim in run["claims"]][0] == "attitude_public_higher"


def test_pooled_d_is_the_random_effects_mean_of_the_sites(sites):
    pooled = pool_sites(sites)
    runs = [json.loads((folder / "results.json").read_text(encoding="utf-8")) for folder in sites]
    d = np.array([next(e for e in r["effects"] if e["id"] == "h1_channel_d")["estimate"] for r in runs])
    v = np.array([next(e for e in r["effects"] if e["id"] == "h1_channel_d")["variance"] for r in runs])
    # an independent implementation: statsmodels' DerSimonian-Laird and fixed effect bracket REML's tau
    reference = combine_effects(d, v, method_re="dl").summary_frame()
    row = pooled.effects.set_index("effect").loc["h1_channel_d"]
    assert row["k"] == 3
    fixed = reference.loc["fixed effect", "eff"]
    assert min(fixed, reference.loc["random effect", "eff"]) - 0.05 <= row["estimate"] <= \
        max(fixed, reference.loc["random effect", "eff"]) + 0.05
    if row["tau2"] == 0:  # no heterogeneity found: REML equals the fixed-effect mean exactly
        assert row["estimate"] == pytest.approx(fixed, abs=1e-10)
    assert pooled.labels == ["lab1", "lab2", "lab3"]


def test_pool_command_writes_tables_forest_plots_and_a_dutch_report(sites, tmp_path, capsys):
    out = tmp_path / "pooled"
    assert main(["pool", *map(str, sites), "--out", str(out), "--lang", "nl"]) == 0
    assert "pooled 3 sites" in capsys.readouterr().out
    effects = pd.read_csv(out / "pooled.csv")
    for effect in effects["effect"]:
        assert (out / "figures" / f"forest_{effect}.png").is_file()
    report = (out / "report.md").read_text(encoding="utf-8")
    assert report.startswith("# Samengevat over sites: tilburg") and "## Gerepliceerd?" in report
    claims = pd.read_csv(out / "claims.csv")
    assert set(claims["verdict"]) <= {"replicated", "not replicated", "inconclusive"}
    assert len(claims) == 5


def test_sites_of_different_studies_are_refused(sites, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    run = json.loads((sites[0] / "results.json").read_text(encoding="utf-8"))
    run.update(study_file_sha256="0" * 64, hypotheses=["h1", "h7"])
    (other / "results.json").write_text(json.dumps(run), encoding="utf-8")
    with pytest.raises(UserError, match="hypotheses must match by id"):
        pool_sites([sites[0], other])
    with pytest.raises(UserError, match="no results.json"):
        pool_sites([sites[0], tmp_path])
    assert main(["pool", str(sites[0]), "--out", str(tmp_path / "x")]) == 2


def test_simulated_sites_differ_by_the_between_site_sd():
    tilburg = load_study("tilburg")
    same = site_study(tilburg, 2, site_sd=0.0, seed=1).simulation
    assert same.a == tilburg.simulation.a and same.c_prime == tilburg.simulation.c_prime
    one, two = (site_study(tilburg, k, site_sd=0.3, seed=1).simulation.c_prime for k in (1, 2))
    assert one != two and one == site_study(tilburg, 1, site_sd=0.3, seed=1).simulation.c_prime


def test_simulate_command_writes_one_folder_per_site(tmp_path, capsys):
    assert main(["simulate", "tilburg", "--n", "20", "--seed", "4", "--out", str(tmp_path / "data.csv"),
                 "--sites", "3", "--site-sd", "0.2"]) == 0
    for site in (1, 2, 3):
        assert len(pd.read_csv(tmp_path / f"site_{site}" / "data.csv")) == 20
