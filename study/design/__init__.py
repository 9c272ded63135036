"""The study design: the study file and what follows from it directly.

- ``schema``: the study file as a pydantic model (:class:`~study.design.schema.Study`);
- ``loader``: :func:`~study.design.loader.load_study`, ``shipped_studies()`` and
  :class:`~study.design.loader.StudyFileError` (every problem as ``file:line: field: message``);
- ``crosscheck``: the rules across fields and against the questionnaire library;
- ``assignment`` and ``assignment_schemes``: which condition the next participant gets
  (pure, seeded functions) and who fills a condition
  (:func:`~study.design.assignment.active_counts`, the one rule the survey's database uses);
- ``validity``: the data-quality flags' definitions (rule, source, options) and
  :func:`~study.design.validity.passes_declared_checks`, the one rule for a valid complete;
- ``vignettes`` and ``posts``, ``templates/``: the social-media thread each condition shows;
- ``studies/``: the shipped studies (``tilburg``, ``webcare-2x2``, ``tone-of-reply``).

May import: ``questionnaires``, ``analysis`` (PROCESS's model definitions, with which
``crosscheck`` checks the roles of a process hypothesis) and ``study.errors``. Everything else
in ``study`` builds on this package; it imports none of it.
"""
