"""Power: analytic (two groups, one-way ANOVA) and Monte Carlo (indirect effect of model 4,
index of moderated mediation of models 7, 8, 14 and 15).

The analytic functions solve for whichever of effect size, sample size and power
is left out (noncentral t and F, as G*Power does). ``power_mediation`` simulates
many studies per design cell and tests each one's indirect effect, with the
bootstrap vectorised across the simulated data sets; ``power_moderated_mediation``
does the same for the index of moderated mediation, on ``analysis.process``'s
equations and kernel.

>>> round(power_ttest(d=0.5, n_per_group=64), 3)
0.801
>>> sample_size(d=0.5)
64
"""

from __future__ import annotations

# analytic (power_analytic.py) and Monte Carlo (power_montecarlo.py) power, importable here
from analysis.power_analytic import (  # noqa: F401
    ALTERNATIVES,
    power_anova,
    power_ttest,
    sample_size,
    sensitivity,
)
from analysis.power_montecarlo import (  # noqa: F401
    METHODS,
    mediation_power_cells,
    paths_from_standardized,
    power_mediation,
    run_power_cell,
)
from analysis.power_moderated import (  # noqa: F401
    MODERATED_MODELS,
    PATHS,
    W_DISTRIBUTIONS,
    moderated_mediation_decisions,
    moderated_mediation_datasets,
    moderated_mediation_power_cells,
    power_moderated_mediation,
    run_moderated_power_cell,
)

__all__ = [
    "ALTERNATIVES", "METHODS", "MODERATED_MODELS", "PATHS", "W_DISTRIBUTIONS", "mediation_power_cells",
    "moderated_mediation_datasets", "moderated_mediation_decisions", "moderated_mediation_power_cells",
    "paths_from_standardized", "power_anova", "power_mediation", "power_moderated_mediation", "power_ttest",
    "run_moderated_power_cell", "run_power_cell", "sample_size", "sensitivity",
]
