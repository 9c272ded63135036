"""The codebook's own wording, in English and Dutch: labels and notes of the fixed columns, headings.

Item, scale and level labels come from the study file; this module holds the
rest, so that a codebook in Dutch is Dutch throughout. Other languages fall
back to English. Values and machine words (column names, blocks, types, motive
ids) stay as they are in the data.

>>> codebook_text("nl", "label.status")
'Status van de deelname'
>>> codebook_text("de", "label.status")
'Status of the participation'
>>> codebook_text("nl", "note.attention", correct=5)
'Aandachtscheck: het gevraagde antwoord is 5.'
"""

from __future__ import annotations

TEXT = {
    "en": {
        "label.participant_id": "Participant identifier",
        "note.participant_id": "Unique per participant (the survey's session or the simulator's sim-NNNNN).",
        "label.condition": "Condition",
        "note.condition": "The factor levels joined by '-' in factor order.",
        "label.lang": "Language of the materials",
        "label.status": "Status of the participation",
        "label.started_at": "Start (ISO 8601, UTC)",
        "label.completed_at": "Completion (ISO 8601, UTC)",
        "note.completed_at": "Missing when the participant did not complete.",
        "note.as_presented": "Answer as presented (before reverse keying).",
        "note.attention": "Attention check: the instructed answer is {correct}.",
        "note.manipulation": "Manipulation check of {factor!r}: expected {expected}",
        "note.expected": "{value} after {level}",
        "note.free_text": "Free text in the participant's language.",
        "note.scale": "{scoring} of {items} after reverse keying; missing when fewer than {min_valid} "
                      "items are answered.",
        "scoring.mean": "Mean",
        "scoring.sum": "Sum",
        "label.reason_true_motives": "Motives behind a simulated reason",
        "note.reason_true_motives": "Simulated data only: the motive ids that generated the free-text "
                                    "reason, joined by ';'.",
        "label.attention_passed": "Passed the attention check",
        "note.attention_passed": "False when the answer differs from the instructed one or is missing.",
        "label.manipulation_passed": "Passed every manipulation check",
        "note.manipulation_passed": "False when any manipulation-check answer differs from the expected "
                                    "option for the participant's level, or is missing.",
        "label.exclude": "Excluded from the analysis",
        "note.exclude": "True when a rule named in analysis.exclude_on ({checks}) fired, applied in that "
                        "order; a flag that is empty (<NA>) does not exclude.",
        "note.flag": "{rule} Reads: {reads}. Empty (<NA>) when it cannot be judged: {unknown}. Option(s) "
                     "in the study file's quality block: {options}.",
        "note.flag_no_options": "{rule} Reads: {reads}. Empty (<NA>) when it cannot be judged: {unknown}.",
        "unknown.default": "the prolific_pid column is absent (a row without an id is not flagged)",
        "reads.rating_items": "the likert and semantic-differential items of each page and scale",
        "unknown.paradata": "the column is absent (imported data) or empty because the participant's "
                            "browser ran no JavaScript",
        "unknown.text": "no free-text answer long enough to judge, or the columns are absent",
        "unknown.straightlining": "a rating item of every page and scale long enough is unanswered, or "
                                  "no such page or scale is in the data",
        "label.focus_lost_count": "Times the survey page lost focus",
        "note.focus_lost_count": "Summed over pages; recorded by the survey's JavaScript, empty (<NA>) "
                                 "without it, never 0 then.",
        "label.focus_lost_seconds": "Seconds away from the survey page",
        "note.focus_lost_seconds": "Summed over pages; recorded by the survey's JavaScript, empty (<NA>) "
                                   "without it.",
        "label.paste_count": "Paste events in free-text fields",
        "note.paste_count": "Summed over pages; recorded by the survey's JavaScript, empty (<NA>) without it.",
        "label.typing_seconds": "Seconds of typing in free-text fields",
        "note.typing_seconds": "Summed over pages; recorded by the survey's JavaScript, empty (<NA>) "
                               "without it.",
        "none": "none",
        "label.code": "Reason mentions motive {motive}",
        "value.absent": "absent",
        "value.present": "present",
        "label.code_confidence": "Confidence of the coding",
        "label.code_source": "Source of the coding",
        "value.auto": "automatic coder",
        "value.human": "human coder",
        "label.pk_strategic": "Strategic motives named (persuasion knowledge)",
        "label.pk_any": "Any strategic motive named",
        "note.pk_any": "1 when pk_strategic > 0.",
        "value.no": "no",
        "value.yes": "yes",
        "label.prolific_pid": "Prolific participant id",
        "label.study_id": "Prolific study id",
        "label.session_id": "Prolific session id",
        "label.duplicate": "Repeat participation of the same Prolific id",
        "label.duration_seconds": "Duration in seconds",
        "note.duration_seconds": "completed_at minus started_at.",
        "label.withdrawal_code": "Withdrawal code",
        "note.withdrawal_code": "The participant's own code, shown at the end of the survey; a participant "
                                "who asks to have their answers removed quotes it. Remove this column "
                                "before sharing the data.",
        "md.title": "Codebook: {title}",
        "md.study": "Study `{study}`",
        "md.hash": ", study file sha256 `{hash}`",
        "md.rows": ". Labels in `{language}`. One row per participant.",
        "md.header": "| column | label | block | type | values | scales | reverse |",
        "md.value_labels": "Value labels",
        "md.notes": "Notes",
    },
    "nl": {
        "label.participant_id": "Deelnemer-id",
        "note.participant_id": "Uniek per deelnemer (de sessie in de vragenlijst, of sim-NNNNN bij de simulator).",
        "label.condition": "Conditie",
        "note.condition": "De niveaus van de factoren, in de volgorde van de factoren en verbonden met '-'.",
        "label.lang": "Taal van het materiaal",
        "label.status": "Status van de deelname",
        "label.started_at": "Begin (ISO 8601, UTC)",
        "label.completed_at": "Afronding (ISO 8601, UTC)",
        "note.completed_at": "Leeg als de deelnemer niet heeft afgerond.",
        "note.as_presented": "Antwoord zoals getoond (vóór het omgekeerd scoren).",
        "note.attention": "Aandachtscheck: het gevraagde antwoord is {correct}.",
        "note.manipulation": "Manipulatiecheck van {factor!r}: verwacht {expected}",
        "note.expected": "{value} bij {level}",
        "note.free_text": "Vrije tekst in de taal van de deelnemer.",
        "note.scale": "{scoring} van {items} na omgekeerd scoren; leeg als minder dan {min_valid} "
                      "items beantwoord zijn.",
        "scoring.mean": "Gemiddelde",
        "scoring.sum": "Som",
        "label.reason_true_motives": "Motieven achter een gesimuleerde reden",
        "note.reason_true_motives": "Alleen bij gesimuleerde data: de id's van de motieven waaruit de "
                                    "vrije-tekstreden is gemaakt, verbonden met ';'.",
        "label.attention_passed": "Aandachtscheck gehaald",
        "note.attention_passed": "False als het antwoord afwijkt van het gevraagde of ontbreekt.",
        "label.manipulation_passed": "Alle manipulatiechecks gehaald",
        "note.manipulation_passed": "False als een antwoord op een manipulatiecheck afwijkt van de optie "
                                    "die bij het niveau van de deelnemer hoort, of ontbreekt.",
        "label.exclude": "Uitgesloten van de analyse",
        "note.exclude": "True als een regel uit analysis.exclude_on ({checks}) van toepassing is, in die "
                        "volgorde toegepast; een lege vlag (<NA>) sluit niet uit.",
        "note.flag": "{rule} Leest: {reads}. Leeg (<NA>) als het niet te beoordelen is: {unknown}. "
                     "Instelling(en) in het blok quality van het studiebestand: {options}.",
        "note.flag_no_options": "{rule} Leest: {reads}. Leeg (<NA>) als het niet te beoordelen is: {unknown}.",
        "unknown.default": "de kolom prolific_pid ontbreekt (een rij zonder id krijgt de vlag niet)",
        "reads.rating_items": "de likert- en semantische-differentiaalvragen van elke pagina en schaal",
        "unknown.paradata": "de kolom ontbreekt (geïmporteerde data) of is leeg omdat de browser van de "
                            "deelnemer geen JavaScript uitvoerde",
        "unknown.text": "geen open antwoord dat lang genoeg is om te beoordelen, of de kolommen ontbreken",
        "unknown.straightlining": "op elke pagina of schaal die lang genoeg is, is een beoordelingsvraag "
                                  "niet beantwoord, of zo'n pagina of schaal staat niet in de data",
        "label.focus_lost_count": "Aantal keer dat de vragenlijstpagina de focus verloor",
        "note.focus_lost_count": "Opgeteld over de pagina's; vastgelegd door het JavaScript van de "
                                 "vragenlijst, leeg (<NA>) zonder JavaScript, dan nooit 0.",
        "label.focus_lost_seconds": "Seconden weg van de vragenlijstpagina",
        "note.focus_lost_seconds": "Opgeteld over de pagina's; vastgelegd door het JavaScript van de "
                                   "vragenlijst, leeg (<NA>) zonder JavaScript.",
        "label.paste_count": "Keren geplakt in open vragen",
        "note.paste_count": "Opgeteld over de pagina's; vastgelegd door het JavaScript van de vragenlijst, "
                            "leeg (<NA>) zonder JavaScript.",
        "label.typing_seconds": "Seconden typen in open vragen",
        "note.typing_seconds": "Opgeteld over de pagina's; vastgelegd door het JavaScript van de "
                               "vragenlijst, leeg (<NA>) zonder JavaScript.",
        "none": "geen",
        "label.code": "Reden noemt motief {motive}",
        "value.absent": "afwezig",
        "value.present": "aanwezig",
        "label.code_confidence": "Zekerheid van de codering",
        "label.code_source": "Bron van de codering",
        "value.auto": "automatische codeur",
        "value.human": "menselijke codeur",
        "label.pk_strategic": "Genoemde strategische motieven (overtuigingskennis)",
        "label.pk_any": "Minstens één strategisch motief genoemd",
        "note.pk_any": "1 als pk_strategic > 0.",
        "value.no": "nee",
        "value.yes": "ja",
        "label.prolific_pid": "Prolific-deelnemer-id",
        "label.study_id": "Prolific-studie-id",
        "label.session_id": "Prolific-sessie-id",
        "label.duplicate": "Herhaalde deelname met hetzelfde Prolific-id",
        "label.duration_seconds": "Duur in seconden",
        "note.duration_seconds": "completed_at min started_at.",
        "label.withdrawal_code": "Intrekcode",
        "note.withdrawal_code": "De eigen code van de deelnemer, getoond aan het eind van de vragenlijst; wie "
                                "vraagt om verwijdering van de antwoorden noemt deze code. Verwijder deze "
                                "kolom voordat je de data deelt.",
        "md.title": "Codeboek: {title}",
        "md.study": "Studie `{study}`",
        "md.hash": ", sha256 van het studiebestand `{hash}`",
        "md.rows": ". Labels in het `{language}`. Eén rij per deelnemer.",
        "md.header": "| kolom | label | blok | type | waarden | schalen | omgekeerd gescoord |",
        "md.value_labels": "Waardelabels",
        "md.notes": "Toelichting",
    },
}


def codebook_text(lang: str, key: str, **fields) -> str:
    """The codebook's text ``key`` in ``lang`` (English when there is no such language), filled in."""
    return TEXT.get(lang, TEXT["en"])[key].format(**fields)
