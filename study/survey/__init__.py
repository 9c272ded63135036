"""The web survey: FastAPI app, database class, sessions, pages, admin, export helpers.

``create_app(study, db_url)`` builds the app that ``replylab serve`` runs;
``SurveyDatabase`` hides SQLite versus PostgreSQL. Names load on first use, so
importing a submodule (e.g. for the export) does not import the web stack.

>>> import study.survey
>>> sorted(study.survey.__all__)
['SurveyDatabase', 'SurveyDatabaseError', 'create_app']
"""

from importlib import import_module

_API = {"create_app": "app", "SurveyDatabase": "db", "SurveyDatabaseError": "db"}

__all__ = sorted(_API)


def __getattr__(name):
    if name not in _API:
        raise AttributeError(f"module 'study.survey' has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_API[name]}"), name)


def __dir__():
    return sorted(set(globals()) | set(_API))
