"""The web survey: server, database and the export of the survey's data.

- the server: ``app`` (``create_app(study, db_url)``, what ``replylab serve`` runs;
  ``asgi`` for worker processes), ``context`` (what every route shares, the errors
  routes raise), ``participant_routes``, ``admin_routes``, ``health_routes``
  (``/healthz`` for monitoring), ``flow`` (the page
  sequence), ``forms``, ``sessions``, ``limits``, ``rendering`` and ``templates/``,
  ``stats`` (the researcher's dashboard);
- the database: ``db`` (:class:`~study.survey.db.SurveyDatabase`, SQLite and
  PostgreSQL behind one class), ``db_queries``, ``db_async`` (participants'
  requests from the event loop), ``statements`` (their statements, compiled
  once), ``engine``, ``tables``;
- the export: ``export`` (:func:`~study.survey.export.export_data`), ``frames``
  (database to canonical tables), ``spss``;
- for tests and benchmarks: ``bot`` (a participant walking the survey over HTTP),
  ``server_process`` (``replylab serve`` in a child process).

May import: ``questionnaires``, ``study.design``, ``study.dataset`` and
``study.errors``. Only the command line imports this package.
"""
