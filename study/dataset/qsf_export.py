"""A replylab study as a Qualtrics survey file (``.qsf``), for labs that must field it in Qualtrics.

The survey, in the order of its flow:

1. embedded data from the link (``PROLIFIC_PID``, ``STUDY_ID``, ``SESSION_ID``);
2. a block with the welcome text and the consent question (export tag ``consent``); a
   branch ends the survey with the study's decline text for whoever does not agree;
3. a randomizer that presents one of its elements to each participant, evenly: one
   embedded-data element per condition, setting one field per factor (``channel`` =
   ``public``), so the condition is in the data under the factors' own names;
4. one block per condition, shown by a branch on those fields: the vignette's intro and the
   condition's thread as HTML in a descriptive-text question;
5. one block per questionnaire page, one question per item: export tag = item id,
   recode values = replylab's values (likert and semantic-differential points ``1..k``;
   a single choice's options numbered ``1..k`` with the option value as the choice's
   variable name, since Qualtrics recodes to numbers only), forced response for required
   items, number validation for number items; the attention and manipulation checks are
   items of the questionnaire and come with it;
6. the debrief, then the end of the survey, redirecting to the completion URL (with the
   completion code) when the study has one.

``replylab import EXPORT.csv --survey study.qsf`` reads the Qualtrics export of that
survey back into the canonical table with the study's ids (the round trip). Ids in the
file (survey, blocks) are derived from the study id, so the same study gives the same file.

>>> from study import load_study
>>> survey = qsf_document(load_study("tilburg"), lang="en")
>>> survey["SurveyEntry"]["SurveyLanguage"], len(question_elements(survey))
('EN', 26)
"""

from __future__ import annotations

import hashlib
import html
import json
import string
from pathlib import Path

from markdown_it import MarkdownIt

from study.design.schema import Study
from study.design.vignettes import render_vignette
from study.errors import UserError

__all__ = ["qsf_document", "write_qsf", "question_elements"]

# the survey's own "no" button (study.survey.rendering UI_TEXT "consent_no"); "yes" is the study's
_DECLINE = {"nl": "Ik doe niet mee", "en": "I do not want to take part"}
_LINK_FIELDS = ("PROLIFIC_PID", "STUDY_ID", "SESSION_ID")
_ALPHABET = string.ascii_letters + string.digits


def _qualtrics_id(prefix: str, *parts: str) -> str:
    """A Qualtrics-style id (``BL_`` + 15 letters and digits) derived from the parts."""
    digest = int(hashlib.sha256(":".join(parts).encode("utf-8")).hexdigest(), 16)
    letters = []
    for _ in range(15):
        digest, index = divmod(digest, len(_ALPHABET))
        letters.append(_ALPHABET[index])
    return f"{prefix}_{''.join(letters)}"


def _markdown(text: str) -> str:
    return MarkdownIt("commonmark", {"html": False}).render(text or "").strip()


def _choices(labels: list[str]) -> dict:
    keys = [str(i) for i in range(1, len(labels) + 1)]
    return {"Choices": {k: {"Display": label} for k, label in zip(keys, labels)},
            "ChoiceOrder": keys, "RecodeValues": {k: k for k in keys}}


def _question(qid: str, tag: str, text: str, kind: str, selector: str, *, required: bool = False,
              extra: dict | None = None, sub_selector: str | None = None) -> dict:
    plain = html.unescape(" ".join(text.replace("<", " <").split()))
    payload = {
        "QuestionText": text, "DefaultChoices": False, "DataExportTag": tag, "QuestionType": kind,
        "Selector": selector, **({"SubSelector": sub_selector} if sub_selector else {}),
        "Configuration": {"QuestionDescriptionOption": "UseText"},
        "QuestionDescription": plain[:100],
        **(extra or {}),
        "Validation": {"Settings": {"ForceResponse": "ON" if required else "OFF", "ForceResponseType": "ON",
                                    "Type": "None"}},
        "GradingData": [], "Language": [], "NextChoiceId": 1 + len((extra or {}).get("Choices", {})),
        "NextAnswerId": 1, "QuestionID": qid, "DataVisibility": {"Private": False, "Hidden": False},
    }
    if kind == "DB":
        payload.pop("Validation")
        payload["Validation"] = {"Settings": {"Type": "None"}}
        payload["ChoiceOrder"] = []
    return {"Element": "SQ", "PrimaryAttribute": qid, "SecondaryAttribute": plain[:100], "TertiaryAttribute": None,
            "Payload": payload}


def _item_question(qid: str, item, lang: str) -> dict:
    text = html.escape(item.text[lang])
    if item.type in ("likert", "semantic_differential"):
        labels = list(item.labels[lang]) if getattr(item, "labels", None) else [str(i) for i in range(1, item.points + 1)]
        if not getattr(item, "labels", None) and item.anchors:
            left, right = item.anchors[lang]
            labels[0], labels[-1] = f"1 = {left}", f"{item.points} = {right}"
        return _question(qid, item.id, text, "MC", "SAHR", required=item.required, sub_selector="TX",
                         extra=_choices(labels))
    if item.type == "single_choice":
        extra = _choices([option.label[lang] for option in item.options])
        extra["VariableNaming"] = {str(i): option.value for i, option in enumerate(item.options, start=1)}
        return _question(qid, item.id, text, "MC", "SAVR", required=item.required, sub_selector="TX", extra=extra)
    if item.type == "number":
        element = _question(qid, item.id, text, "TE", "SL", required=item.required)
        number = {"Min": "" if item.min is None else str(item.min), "Max": "" if item.max is None else str(item.max),
                  "NumDecimals": ""}
        element["Payload"]["Validation"]["Settings"].update({"Type": "ContentType", "ContentType": "ValidNumber",
                                                             "ValidNumber": number})
        return element
    element = _question(qid, item.id, text, "TE", "ML", required=item.required)
    if getattr(item, "min_length", None):
        element["Payload"]["Validation"]["Settings"].update({"Type": "MinChar", "MinChars": str(item.min_length)})
    return element


def _block(block_id: str, description: str, qids: list[str]) -> dict:
    return {"Type": "Standard", "SubType": "", "Description": description, "ID": block_id,
            "BlockElements": [{"Type": "Question", "QuestionID": qid} for qid in qids],
            "Options": {"BlockLocking": "false", "RandomizeQuestions": "false", "BlockVisibility": "Expanded"}}


def _embedded_field(field: str, value: str | None = None) -> dict:
    entry = {"Description": field, "Type": "Recipient" if value is None else "Custom", "Field": field,
             "VariableType": "String", "DataVisibility": [], "AnalyzeText": False}
    if value is not None:
        entry["Value"] = value
    return entry


def _condition_logic(study: Study, condition: str) -> dict:
    levels = dict(zip(study.factor_names, condition.split("-")))
    expressions = {}
    for index, (field, level) in enumerate(levels.items()):
        expression = {"LogicType": "EmbeddedField", "LeftOperand": field, "Operator": "EqualTo",
                      "RightOperand": level, "Type": "Expression",
                      "Description": f"If {field} Is Equal to {level}"}
        if index:
            expression["Conjuction"] = "And"
        expressions[str(index)] = expression
    return {"0": {**expressions, "Type": "If"}, "Type": "BooleanExpression"}


def qsf_document(study: Study, *, lang: str | None = None) -> dict:
    """The ``.qsf`` of ``study`` in ``lang`` (default: its first language), as a dict; see the module docstring.

    Raises
    ------
    UserError
        A language the study does not have, or a study without texts or vignettes
        (``purpose: analysis``): there is nothing to field.
    """
    lang = lang or study.languages[0]
    if lang not in study.languages:
        raise UserError(f"--lang {lang}: the study {study.id!r} is in {', '.join(study.languages)}.")
    missing = [name for name in ("texts", "vignette") if getattr(study, name) is None]
    if missing:
        raise UserError(f"study {study.id!r} has no {' and no '.join(missing)} (purpose: analysis): there is no "
                        "survey to field; add them to the study file first.")
    survey_id = _qualtrics_id("SV", study.id)
    elements, blocks, qid = [], [], 0

    def next_qid() -> str:
        nonlocal qid
        qid += 1
        return f"QID{qid}"

    texts = study.texts
    welcome, consent = next_qid(), next_qid()
    agree, decline = texts.consent_button_text(lang), _DECLINE.get(lang, _DECLINE["en"])
    elements.append(_question(welcome, "welcome", _markdown(texts.welcome[lang]), "DB", "TB"))
    elements.append(_question(consent, "consent", _markdown(texts.consent[lang]), "MC", "SAVR", required=True,
                              sub_selector="TX", extra=_choices([agree, decline])))
    start_block = _qualtrics_id("BL", study.id, "consent")
    blocks.append(_block(start_block, "Welcome and consent", [welcome, consent]))
    condition_blocks = {}
    for condition in study.condition_names:
        number = next_qid()
        thread = render_vignette(study, condition, lang, standalone=False, intro=True)
        elements.append(_question(number, f"vignette_{condition.replace('-', '_')}", thread, "DB", "TB"))
        condition_blocks[condition] = _qualtrics_id("BL", study.id, "condition", condition)
        blocks.append(_block(condition_blocks[condition], f"Condition {condition}", [number]))
    questionnaire = study.questionnaire
    page_blocks = []
    for page in questionnaire.pages:
        numbers = []
        for item_id in page.items:
            number = next_qid()
            elements.append(_item_question(number, questionnaire.item(item_id), lang))
            numbers.append(number)
        page_blocks.append(_qualtrics_id("BL", study.id, "page", page.id))
        blocks.append(_block(page_blocks[-1], f"Page {page.id}", numbers))
    debrief = next_qid()
    elements.append(_question(debrief, "debrief", _markdown(texts.debrief[lang]), "DB", "TB"))
    debrief_block = _qualtrics_id("BL", study.id, "debrief")
    blocks.append(_block(debrief_block, "Debrief", [debrief]))

    flow_ids = iter(range(2, 10_000))

    def flow_id() -> str:
        return f"FL_{next(flow_ids)}"

    redirect = None
    if study.completion is not None and study.completion.redirect_url:
        redirect = study.completion.redirect_url.replace("{code}", study.completion.code)
    flow = [
        {"Type": "EmbeddedData", "FlowID": flow_id(), "EmbeddedData": [_embedded_field(f) for f in _LINK_FIELDS]},
        {"Type": "Standard", "ID": start_block, "FlowID": flow_id(), "Autofill": []},
        {"Type": "Branch", "FlowID": flow_id(), "Description": "Did not consent",
         "BranchLogic": {"0": {"0": {"LogicType": "Question", "QuestionID": consent, "QuestionIsInLoop": "no",
                                     "ChoiceLocator": f"q://{consent}/SelectableChoice/1", "Operator": "NotSelected",
                                     "QuestionIDFromLocator": consent,
                                     "LeftOperand": f"q://{consent}/SelectableChoice/1", "Type": "Expression",
                                     "Description": f"If consent {agree} Is Not Selected"}, "Type": "If"},
                         "Type": "BooleanExpression"},
         "Flow": [{"Type": "EndSurvey", "FlowID": flow_id(), "EndingType": "Advanced",
                   "Options": {"Advanced": "true", "SurveyTermination": "DisplayMessage",
                               "EOSMessage": _markdown(texts.decline[lang])}}]},
        {"Type": "BlockRandomizer", "FlowID": flow_id(), "SubSet": 1, "EvenPresentation": True,
         "Flow": [{"Type": "EmbeddedData", "FlowID": flow_id(),
                   "EmbeddedData": [_embedded_field(field, level) for field, level in
                                    zip(study.factor_names, condition.split("-"))]}
                  for condition in study.condition_names]},
    ]
    for condition in study.condition_names:
        flow.append({"Type": "Branch", "FlowID": flow_id(), "Description": f"Condition {condition}",
                     "BranchLogic": _condition_logic(study, condition),
                     "Flow": [{"Type": "Block", "ID": condition_blocks[condition], "FlowID": flow_id(),
                               "Autofill": []}]})
    flow += [{"Type": "Block", "ID": block, "FlowID": flow_id(), "Autofill": []} for block in page_blocks]
    flow.append({"Type": "Block", "ID": debrief_block, "FlowID": flow_id(), "Autofill": []})
    ending = {"Advanced": "true", "SurveyTermination": "Redirect", "EOSRedirectURL": redirect} if redirect else \
        {"Advanced": "true", "SurveyTermination": "DefaultMessage"}
    flow.append({"Type": "EndSurvey", "FlowID": flow_id(), "EndingType": "Advanced", "Options": ending})
    count = next(flow_ids) - 1

    def element(kind: str, primary: str, payload, secondary=None, tertiary=None) -> dict:
        return {"SurveyID": survey_id, "Element": kind, "PrimaryAttribute": primary,
                "SecondaryAttribute": secondary, "TertiaryAttribute": tertiary, "Payload": payload}

    trash = {"Type": "Trash", "Description": "Trash / Unused Questions",
             "ID": _qualtrics_id("BL", study.id, "trash"), "BlockElements": []}
    options = {"BackButton": "false", "SaveAndContinue": "true", "SurveyProtection": "PublicSurvey",
               "BallotBoxStuffingPrevention": "false", "NoIndex": "Yes", "SecureResponseFiles": "true",
               "SurveyExpiration": "None", "SurveyTermination": "Redirect" if redirect else "DefaultMessage",
               "Header": "", "Footer": "", "ProgressBarDisplay": "None", "PartialData": "+1 week",
               "ValidationMessage": None, "PreviousButton": " \u2190 ", "NextButton": " \u2192 ",
               "SurveyTitle": study.title[lang], "EOSMessage": None, "ShowExportTags": "false",
               "CollectGeoLocation": "false", "PasswordProtection": "No", "AnonymizeResponse": "No",
               "RefererCheck": "No", "EOSRedirectURL": redirect or "", "EmailThankYou": "false"}
    body = [
        element("BL", "Survey Blocks", [blocks[0], trash, *blocks[1:]]),
        element("FL", "Survey Flow", {"Type": "Root", "FlowID": "FL_1", "Flow": flow,
                                      "Properties": {"Count": count, "RemovedFieldsets": []}}),
        element("SO", "Survey Options", options),
        element("PROJ", "CORE", {"ProjectCategory": "CORE", "SchemaVersion": "1.1.0"}, tertiary="1.1.0"),
        element("STAT", "Survey Statistics", {"MobileCompatible": True, "ID": "Survey Statistics"}),
        element("QC", "Survey Question Count", None, secondary=str(qid)),
        element("RS", _qualtrics_id("RS", study.id), None, secondary="Default Response Set"),
    ]
    questions = [{"SurveyID": survey_id, **e} for e in elements]
    return {"SurveyEntry": {"SurveyID": survey_id, "SurveyName": study.title[lang], "SurveyDescription": None,
                            "SurveyOwnerID": "", "SurveyBrandID": "", "DivisionID": None,
                            "SurveyLanguage": lang.upper(),
                            "SurveyActiveResponseSet": _qualtrics_id("RS", study.id), "SurveyStatus": "Inactive",
                            "SurveyStartDate": "0000-00-00 00:00:00", "SurveyExpirationDate": "0000-00-00 00:00:00",
                            "SurveyCreationDate": "0000-00-00 00:00:00", "CreatorID": "",
                            "LastModified": "0000-00-00 00:00:00", "LastAccessed": "0000-00-00 00:00:00",
                            "LastActivated": "0000-00-00 00:00:00", "Deleted": None},
            "SurveyElements": body[:2] + questions + body[2:]}


def question_elements(document: dict) -> list[dict]:
    """The question elements (``SQ``) of a ``.qsf`` document, in the file's order."""
    return [e for e in document["SurveyElements"] if e["Element"] == "SQ"]


def write_qsf(study: Study, out, *, lang: str | None = None) -> Path:
    """Write :func:`qsf_document` to ``out`` (UTF-8 JSON, as Qualtrics writes it); returns the path.

    Raises
    ------
    UserError
        As :func:`qsf_document`, or a path that cannot be written.
    """
    out = Path(out)
    document = qsf_document(study, lang=lang)
    try:
        out.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    except OSError as error:
        raise UserError(f"--out {out}: cannot write ({error.strerror}).") from None
    return out
