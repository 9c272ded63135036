"""Conditional process analysis (Hayes' PROCESS) on the vectorised bootstrap: ``process``.

One function, :func:`process`, fits moderation, mediation and moderated
mediation models (PROCESS models 1-8, 14, 15, 58, 59, or any combination of
moderated paths) with a continuous, dichotomous or multicategorical X, HC0-HC4
standard errors, conditional and Johnson-Neyman probing, and bootstrap
intervals computed without a Python loop over resamples. It returns a
:class:`ProcessResult`.

Modules: ``spec`` (which paths each moderator moderates; model presets),
``coding`` (X codes, moderator values), ``design`` (the equations and their
terms), ``ols`` (regressions, HC covariances, F tests), ``effects`` (effects
as functions of coefficients), ``probing`` (conditional effects,
Johnson-Neyman), ``bootstrap`` (all equations on all resamples), ``indirect``
(bootstrap tables), ``result`` and ``summary`` (the results object and its
text), ``engine`` (``process`` itself).

>>> import numpy as np, pandas as pd
>>> rng = np.random.default_rng(2)
>>> data = pd.DataFrame({"x": rng.normal(size=120), "w": rng.normal(size=120)})
>>> data["y"] = 0.3 * data["x"] + 0.4 * data["x"] * data["w"] + rng.normal(size=120)
>>> result = process(data, 1, x="x", w="w", y="y")
>>> result.conditional_effects.columns.tolist()
['w', 'effect', 'se', 't', 'p', 'ci_low', 'ci_high']
"""

from analysis.process.engine import process
from analysis.process.result import ProcessResult

__all__ = ["ProcessResult", "process"]
