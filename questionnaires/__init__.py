"""Items, scales and questionnaires as data (YAML), and their scoring.

Depends on nothing else in replylab. The public names are importable from here
and from their modules (``score`` from ``questionnaires.scoring``, ...); the
coding of free-text reasons into motives is in ``questionnaires.coding``.

>>> import questionnaires
>>> questionnaires.load_questionnaire("attitude").scale_ids
['attitude']
"""

from questionnaires.answers import AnswerError, validate_answer
from questionnaires.coding import auto_code, load_motive_codebook
from questionnaires.loader import QuestionnaireFileError, combine, library_names, load_questionnaire
from questionnaires.models import Item, Option, Page, Questionnaire, Scale
from questionnaires.scoring import ScoringError, score

__all__ = [
    "AnswerError",
    "Item",
    "Option",
    "Page",
    "Questionnaire",
    "QuestionnaireFileError",
    "Scale",
    "ScoringError",
    "auto_code",
    "combine",
    "library_names",
    "load_motive_codebook",
    "load_questionnaire",
    "score",
    "validate_answer",
]
