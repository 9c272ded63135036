"""Items, scales and questionnaires as data (YAML), and their scoring.

Depends on nothing else in replylab. Names are loaded on first use.

>>> import questionnaires
>>> "score" in dir(questionnaires)
True
"""

from importlib import import_module

_API = {
    # models.py
    "Item": "models",
    "Option": "models",
    "Scale": "models",
    "Page": "models",
    "Questionnaire": "models",
    # loader.py
    "load_questionnaire": "loader",
    "combine": "loader",
    "library_names": "loader",
    "QuestionnaireFileError": "loader",
    # answers.py
    "validate_answer": "answers",
    "AnswerError": "answers",
    # scoring.py
    "score": "scoring",
    "ScoringError": "scoring",
    # coding/ (free-text motives)
    "load_motive_codebook": "coding",
    "auto_code": "coding",
}

__all__ = sorted(_API)


def __getattr__(name):
    if name not in _API:
        raise AttributeError(f"module 'questionnaires' has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_API[name]}"), name)


def __dir__():
    return sorted(set(globals()) | set(_API))
