"""One study end to end: the study file, vignettes, assignment, survey,
export, simulation, the pipeline and the command line.

Uses ``questionnaires`` and ``analysis``. Names are loaded on first use.

>>> import study
>>> "load_study" in dir(study)
True
"""

from importlib import import_module

_API = {
    # loader.py / schema.py
    "load_study": "loader",
    "StudyFileError": "loader",
    "Study": "schema",
    "shipped_studies": "loader",
    # vignettes.py
    "render_vignette": "vignettes",
    "write_vignettes": "vignettes",
    # assignment.py (also importable as study.assignment)
    "assign_condition": "assignment",
    "active_counts": "assignment",
    # simulate.py
    "simulate": "simulate",
    # codebook.py
    "codebook": "codebook",
    # exclusions.py
    "flag_exclusions": "exclusions",
    # coding_sheets.py
    "export_coding_sheets": "coding_sheets",
    "import_coding_sheets": "coding_sheets",
    # export.py
    "export_data": "export",
    # pipeline.py
    "replicate": "pipeline",
    "analyze": "pipeline",
    # prereg.py
    "preregistration": "prereg",
}

__all__ = sorted(_API)


def __getattr__(name):
    if name not in _API:
        raise AttributeError(f"module 'study' has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_API[name]}"), name)


def __dir__():
    return sorted(set(globals()) | set(_API))


# These functions share their module's name. Importing the submodule binds the
# module to the package attribute, which would hide the lazily loaded function;
# binding the functions here, after the submodules are loaded, keeps
# ``study.simulate(...)`` and ``study.codebook(...)`` the functions.
from study.codebook import codebook  # noqa: E402
from study.simulate import simulate  # noqa: E402
