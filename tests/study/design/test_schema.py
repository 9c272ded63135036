"""study.design.schema: the shape of a study file, checked field by field."""

import pydantic
import pytest
import yaml

from study.design.loader import shipped_studies
from study.design.schema import (
    AnalysisPlan,
    Account,
    Completion,
    Factor,
    Level,
    MediationHypothesis,
    SimulationModel,
    Study,
)


def _tilburg_data():
    return yaml.safe_load(shipped_studies()["tilburg"].read_text(encoding="utf-8"))


def _levels(*names):
    return [Level(name=name, label={"en": name.title()}) for name in names]


def test_shipped_file_validates_against_the_schema_alone():
    study = Study.model_validate(_tilburg_data())
    assert study.path is None and study.file_hash is None  # set only by load_study
    assert study.factor_names == ["channel"]


def test_conditions_cross_the_factors_first_factor_slowest():
    data = _tilburg_data()
    data["factors"].append({"name": "style", "levels": [
        {"name": "warm", "label": {"nl": "warm", "en": "warm"}},
        {"name": "cool", "label": {"nl": "koel", "en": "cool"}},
        {"name": "flat", "label": {"nl": "vlak", "en": "flat"}}]})
    study = Study.model_validate(data)
    assert study.condition_names == ["public-warm", "public-cool", "public-flat",
                                     "private-warm", "private-cool", "private-flat"]
    assert study.conditions[4].levels == {"channel": "private", "style": "cool"}


def test_unknown_keys_are_rejected():
    data = _tilburg_data()
    data["vignette"]["brand"]["colour_hex"] = "#000000"
    with pytest.raises(pydantic.ValidationError) as error:
        Study.model_validate(data)
    (detail,) = error.value.errors()
    assert detail["loc"] == ("vignette", "brand", "colour_hex") and detail["type"] == "extra_forbidden"


@pytest.mark.parametrize("bad_id", ["Public", "1st", "pub lic", "", "public-2"])
def test_level_ids_are_lowercase_identifiers(bad_id):
    with pytest.raises(pydantic.ValidationError):
        Level(name=bad_id, label={"en": "x"})


def test_a_factor_needs_two_levels():
    with pytest.raises(pydantic.ValidationError, match="at least 2"):
        Factor(name="channel", levels=_levels("public"))


def test_languages_are_nl_and_en_only():
    with pytest.raises(pydantic.ValidationError, match="'nl' or 'en'"):
        Level(name="public", label={"de": "Öffentlich"})
    with pytest.raises(pydantic.ValidationError):
        Level(name="public", label={"en": ""})


def test_handles_keep_an_at_sign_and_colours_are_hex():
    assert Account(name="Fibrello", handle="FibrelloHelpt").handle == "@FibrelloHelpt"
    with pytest.raises(pydantic.ValidationError):
        Account(name="Fibrello", handle="@Fibrello", colour="green")


def test_redirect_url_needs_the_code_placeholder():
    assert Completion(code="ABC", redirect_url=None).redirect_url is None
    with pytest.raises(pydantic.ValidationError, match=r"\{code\}"):
        Completion(code="ABC", redirect_url="https://app.prolific.com/submissions/complete?cc=ABC")


def test_hypotheses_are_told_apart_by_kind():
    plan = AnalysisPlan.model_validate(_tilburg_data()["analysis"])
    anova, mediation = plan.hypotheses
    assert anova.between_factors == ["channel"]
    assert isinstance(mediation, MediationHypothesis)
    assert mediation.mediators == ["pk_strategic"] and mediation.secondary_mediators == ["pk_scale"]
    with pytest.raises(pydantic.ValidationError):
        MediationHypothesis(kind="mediation", id="h2", x="channel", x_coding={"public": 2},
                            m="pk_strategic", y="attitude")


def test_equivalence_bounds_must_straddle_zero():
    data = _tilburg_data()["analysis"]
    data["equivalence_bounds"] = [0.1, 0.3]
    with pytest.raises(pydantic.ValidationError, match="lower < 0 < upper"):
        AnalysisPlan.model_validate(data)


def test_simulation_rates_must_add_up():
    data = _tilburg_data()["simulation"]
    SimulationModel.model_validate(data)
    with pytest.raises(pydantic.ValidationError, match="must not exceed 1"):
        SimulationModel.model_validate({**data, "manipulation_correct_rate": 0.98, "dont_remember_rate": 0.05})
