"""Statistics for between-subjects experiments, on any pandas DataFrame.

Every public function takes ``data`` plus column names and returns a DataFrame
with fixed, documented columns (or a results object for multi-step models).
``analysis`` imports nothing from ``study`` or ``questionnaires``.

Names are loaded on first use (matplotlib, for one, only when a figure is
made); the few functions that share their module's name (``anova``,
``reliability``, ``mediation``, ``apa``) are bound when the package is imported.

>>> import analysis
>>> "mediation" in dir(analysis)
True
"""

from importlib import import_module

# public name -> module that defines it (the package's API, in one place)
_API = {
    # descriptives.py
    "describe": "descriptives",
    # reliability.py
    "reliability": "reliability",
    "ReliabilityResult": "reliability",
    # anova.py
    "anova": "anova",
    "welch_anova": "anova",
    # groups.py
    "compare_groups": "groups",
    "GroupComparison": "groups",
    # posthoc.py
    "tukey_hsd": "posthoc",
    "games_howell": "posthoc",
    # assumptions.py
    "check_assumptions": "assumptions",
    # correlation.py
    "correlate": "correlation",
    # agreement.py
    "cohen_kappa": "agreement",
    "krippendorff_alpha": "agreement",
    # crosstab.py
    "crosstab_test": "crosstab",
    "motives_by_condition": "crosstab",
    # mediation.py (+ _bootstrap.py)
    "mediation": "mediation",
    "MediationResult": "mediation",
    # power.py
    "power_mediation": "power",
    "power_ttest": "power",
    "power_anova": "power",
    "sample_size": "power",
    "sensitivity": "power",
    # apa.py
    "format_p": "apa",
    "apa": "apa",
    "ci_label": "apa",
    # figures.py (house style in style.py)
    "figures": None,
}

__all__ = sorted(_API)


def __getattr__(name):
    if name not in _API:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}")
    module_name = _API[name]
    if module_name is None:  # a submodule exposed as such
        return import_module(f"{__name__}.{name}")
    return getattr(import_module(f"{__name__}.{module_name}"), name)


def __dir__():
    return sorted(set(globals()) | set(_API))



def _bind_same_named_functions():
    """Bind functions that share their module's name (``anova`` in ``anova.py``).

    Importing such a submodule binds the module to the package attribute, which
    would hide the lazily loaded function of the same name; binding the function
    eagerly keeps ``analysis.anova(...)`` the function whatever was imported.
    """
    for name, module_name in _API.items():
        if name == module_name:
            globals()[name] = getattr(import_module(f"{__name__}.{module_name}"), name)


_bind_same_named_functions()
