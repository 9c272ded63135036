"""Did a replication replicate? Verdicts for an original finding and its replication.

- ``criteria``: :func:`replication_tests`, six published criteria side by side for an
  original estimate and its replication (significance in the same direction, the
  original inside the replication's interval, the replication inside the original's
  prediction interval, small telescopes, the replication Bayes factor, the sceptical
  p-value), each with its statistic and a verdict;
- ``claims``: :func:`claim_tests`, for findings reported as a direction only or as
  "no relation" (one-sided test; equivalence test and Bayes factor for an absence);
- ``bayes``: the replication Bayes factor and the sceptical p-value themselves.

>>> from analysis.replication import replication_tests
>>> table = replication_tests(0.5, 0.3, original_se=0.1, replication_se=0.1)
>>> table["criterion"].tolist()[0]
'significance'
"""

from analysis.replication.bayes import replication_bayes_factor, sceptical_p, sceptical_z
from analysis.replication.claims import claim_tests
from analysis.replication.criteria import (
    REPLICATION_COLUMNS,
    VERDICTS,
    replication_tests,
    small_telescopes_effect,
)

__all__ = [
    "REPLICATION_COLUMNS",
    "VERDICTS",
    "claim_tests",
    "replication_bayes_factor",
    "replication_tests",
    "sceptical_p",
    "sceptical_z",
    "small_telescopes_effect",
]
