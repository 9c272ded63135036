"""The structure the documentation describes is the structure of the code.

The import graph is read from the source (every ``import`` statement, also those
inside functions, and the names ``study/__init__.py`` loads lazily) and checked:

- it has no cycle;
- ``analysis`` and ``questionnaires`` import nothing of the other replylab packages;
- each sub-package of ``study`` imports only what its ``__init__`` docstring
  allows ("May import: ...") and what docs/architecture.md allows, and every
  sub-package is in that document.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("study", "analysis", "questionnaires")
ARCHITECTURE = REPO / "docs" / "architecture.md"
#: Sub-packages of study that sit on top and may import any of the others.
TOP = ("study.commands", "study.cli")


def _modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            parts = path.relative_to(REPO).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


MODULES = _modules()


def _resolve(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(name: str, path: Path) -> set[str]:
    """The project modules ``name`` imports, anywhere in its source."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {_resolve(alias.name) for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package
                for _ in range(node.level - 1):
                    anchor = anchor.rpartition(".")[0]
                base = f"{anchor}.{base}".rstrip(".")
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in MODULES else _resolve(base))
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "attach":
            for mapping in node.keywords:  # lazy_loader.attach(__name__, submod_attrs={...})
                if isinstance(mapping.value, ast.Dict):
                    found |= {_resolve(f"{name}.{key.value}") for key in mapping.value.keys}
    return {module for module in found if module and module != name}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _owner(module: str) -> str:
    """``study.design`` for ``study.design.loader``; the package itself for analysis/questionnaires."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "study" and len(parts) > 1 else parts[0]


def _cycles() -> list[list[str]]:
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while not component or component[-1] != node:
                component.append(stack.pop())
                on_stack.discard(component[-1])
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in GRAPH:
        if node not in index:
            visit(node)
    return cycles


def test_the_graph_is_read():
    # guards the checks below against a reader that silently finds nothing
    assert len(MODULES) > 80
    assert "study.design.loader" in GRAPH["study.pipeline.run"]
    assert "study.survey.app" in GRAPH["study.commands.serve"]  # an import inside a function
    assert "study.design.loader" in GRAPH["study"]  # the lazily loaded public names


def test_no_module_imports_a_module_that_imports_it_back():
    assert _cycles() == []


@pytest.mark.parametrize("package", ["analysis", "questionnaires"])
def test_analysis_and_questionnaires_import_no_other_replylab_package(package):
    outside = {(module, target) for module, targets in GRAPH.items() if _owner(module) == package
               for target in targets if _owner(target) != package}
    assert outside == set()


def _allowed_by_docstrings() -> dict[str, set[str]]:
    allowed = {}
    for name, path in MODULES.items():
        if name.count(".") == 1 and name.startswith("study.") and path.name == "__init__.py" \
                and name not in TOP:
            docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
            match = re.search(r"May import:(.*?)\.(?:\s|$)", docstring, re.DOTALL)
            assert match, f"{path}: the docstring does not say what the package may import (May import: ...)"
            allowed[name] = set(re.findall(r"``([\w.]+)``", match.group(1)))
    return allowed


def _allowed_by_architecture_doc() -> dict[str, set[str]]:
    allowed = {}
    for line in ARCHITECTURE.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and re.fullmatch(r"`study\.\w+`", cells[0]) and cells[0].strip("`") not in TOP:
            allowed[cells[0].strip("`")] = set(re.findall(r"`([\w.]+)`", cells[-1]))
    return allowed


def _study_packages() -> set[str]:
    return {_owner(name) for name in MODULES if name.startswith("study.")} - set(TOP) - {"study.errors"}


@pytest.mark.parametrize("source", ["docstrings", "docs/architecture.md"])
def test_study_packages_import_only_what_they_declare(source):
    allowed = _allowed_by_docstrings() if source == "docstrings" else _allowed_by_architecture_doc()
    assert set(allowed) == _study_packages(), f"{source} must describe every sub-package of study"
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if _owner(module) in allowed
        for target in targets
        if _owner(target) != _owner(module) and _owner(target) not in allowed[_owner(module)]
    )
    assert wrong == [], f"imports that {source} does not allow"
