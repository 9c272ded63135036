"""Statistics for between-subjects experiments, on any pandas DataFrame.

Every public function takes ``data`` plus column names and returns a DataFrame
with fixed, documented columns (or a results object for multi-step models).
``analysis`` imports nothing from ``study`` or ``questionnaires``.

The functions are importable from here and from their modules (``describe``
from ``analysis.descriptives``, ...); the figures are in ``analysis.figures``.
statsmodels is imported only by the functions that use it. Where a function
shares its module's name (``anova``, ``reliability``, ``mediation``, ``apa``,
``meta_analysis``, ``process``),
``analysis.<name>`` is the function, also after ``import analysis.<name>``.

>>> import analysis
>>> analysis.mediation.__name__, analysis.figures.__name__
('mediation', 'analysis.figures')
"""

from analysis import figures
from analysis.agreement import cohen_kappa, krippendorff_alpha
from analysis.anova import anova, welch_anova
from analysis.apa import apa, ci_label, format_p
from analysis.assumptions import check_assumptions
from analysis.correlation import correlate
from analysis.crosstab import crosstab_test, motives_by_condition
from analysis.descriptives import describe
from analysis.groups import GroupComparison, compare_groups
from analysis.mediation import MediationResult, mediation
from analysis.meta_analysis import meta_analysis
from analysis.posthoc import games_howell, tukey_hsd
from analysis.process import ProcessResult, process
from analysis.power import (
    power_anova,
    power_mediation,
    power_moderated_mediation,
    power_ttest,
    sample_size,
    sensitivity,
)
from analysis.reliability import ReliabilityResult, reliability
from analysis.replication import claim_tests, replication_tests

__all__ = [
    "GroupComparison",
    "MediationResult",
    "ProcessResult",
    "ReliabilityResult",
    "anova",
    "apa",
    "check_assumptions",
    "ci_label",
    "claim_tests",
    "cohen_kappa",
    "compare_groups",
    "correlate",
    "crosstab_test",
    "describe",
    "figures",
    "format_p",
    "games_howell",
    "krippendorff_alpha",
    "mediation",
    "meta_analysis",
    "motives_by_condition",
    "power_anova",
    "power_mediation",
    "power_moderated_mediation",
    "power_ttest",
    "process",
    "reliability",
    "replication_tests",
    "sample_size",
    "sensitivity",
    "tukey_hsd",
    "welch_anova",
]
