"""The package namespace: what ``import analysis`` binds and loads, in a fresh interpreter each."""

import inspect
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import analysis

REPO = Path(__file__).resolve().parents[2]
SAME_NAMED = ("anova", "apa", "mediation", "meta_analysis", "process", "reliability")


def run_fresh(code: str) -> str:
    """Run ``code`` in a new interpreter (nothing imported yet) and return what it printed."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_every_public_name_is_bound():
    assert analysis.__all__ == sorted(analysis.__all__)
    for name in analysis.__all__:
        value = getattr(analysis, name)
        assert inspect.ismodule(value) if name == "figures" else callable(value), name


MODULES_FIRST = "import " + ", ".join(f"analysis.{name}" for name in SAME_NAMED)


@pytest.mark.parametrize("first", ["import analysis", MODULES_FIRST])
def test_names_shared_with_their_module_are_the_functions(first):
    printed = run_fresh(f"""
        {first}
        {MODULES_FIRST}
        print(*(type(getattr(analysis, name)).__name__ for name in {SAME_NAMED!r}))
    """)
    assert printed == " ".join(["function"] * len(SAME_NAMED))


def test_import_leaves_statsmodels_and_pingouin_unloaded():
    printed = run_fresh("""
        import sys
        import analysis
        print(analysis.figures.__name__, *(name in sys.modules for name in ("statsmodels", "pingouin")))
    """)
    assert printed == "analysis.figures False False"
