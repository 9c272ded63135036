"""One study end to end, in sub-packages by concern.

==================  ==================================================================
``study.design``    the study file (schema, loading, cross-checks), shipped studies,
                    vignettes, assignment to conditions
``study.dataset``   the canonical data set: codebook, simulation, mapping of foreign
                    data, exclusion flags
``study.coding``    human coding sheets for the free-text reasons
``study.survey``    the web survey: server, database, export of the survey's data
``study.pipeline``  the preregistered analysis, step by step
``study.report``    the report, the output folder of a run, the preregistration
``study.commands``  the ``replylab`` command (``study.cli``), one module per subcommand
==================  ==================================================================

Imports run one way: ``cli``/``commands`` -> ``survey``, ``pipeline`` -> ``report``
-> ``coding``, ``dataset`` -> ``design`` -> ``errors``; the package uses
``questionnaires`` and ``analysis``, which never import it.

The public names below load on first use (``lazy_loader``), so that the command
line starts fast; this is the project's one lazy import.

>>> import study
>>> "load_study" in dir(study)
True
"""

import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submod_attrs={
        "design.loader": ["load_study", "StudyFileError", "shipped_studies"],
        "design.schema": ["Study"],
        "design.vignettes": ["render_vignette", "write_vignettes"],
        "design.assignment": ["assign_condition", "active_counts"],
        "dataset.simulation": ["simulate"],
        "dataset.codebook": ["codebook"],
        "dataset.exclusions": ["flag_exclusions"],
        "coding.export_sheets": ["export_coding_sheets"],
        "coding.import_sheets": ["import_coding_sheets"],
        "survey.export": ["export_data"],
        "pipeline.run": ["replicate", "analyze"],
        "report.prereg": ["preregistration"],
    },
)
