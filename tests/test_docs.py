"""The documentation stays complete: a command, an option or a public name that
the docs do not mention fails a test (datasette's tests/test_docs.py habit).

- ``docs/cli.md`` is what ``docs/generate_cli_reference.py`` produces from the
  real parser now, and names every subcommand and every option string;
- every public name (``__all__``) of ``analysis``, ``questionnaires`` and ``study``
  appears as code in README.md or docs/*.md;
- the README's Quick start is one ``sh`` block of exactly two commands;
- every ``replylab ...`` command line in a shell block of the docs parses with
  the real parser, and every relative link points to a file that exists;
- the Python examples of README.md and docs/api.md run.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import io
import re
import sys
import shlex
from pathlib import Path

import pytest

from study.cli import build_parser

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
DOCS = REPO / "docs"
CLI_MD = DOCS / "cli.md"
GENERATOR = DOCS / "generate_cli_reference.py"
API_PACKAGES = ("analysis", "questionnaires", "study")

FENCE = re.compile(r"^[ \t]*```([\w-]*)[^\n]*\n(.*?)^[ \t]*```", re.MULTILINE | re.DOTALL)  # also indented
INLINE_CODE = re.compile(r"`([^`\n]+)`")


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _command_parsers() -> list[tuple[str, argparse.ArgumentParser]]:
    """('replylab code auto', parser) for every command and nested action."""
    found = []

    def walk(path: str, parser: argparse.ArgumentParser) -> None:
        for name, child in _subparsers(parser).items():
            found.append((f"{path} {name}", child))
            walk(f"{path} {name}", child)

    walk("replylab", build_parser())
    return found


def _options() -> list[tuple[str, str]]:
    return [
        (path, option)
        for path, parser in _command_parsers()
        for action in parser._actions
        for option in action.option_strings
    ]


def _doc_files() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def _code_text(markdown: str) -> str:
    """Everything in fenced blocks and inline code spans of a Markdown text."""
    blocks = [body for _, body in FENCE.findall(markdown)]
    spans = INLINE_CODE.findall(FENCE.sub("", markdown))
    return "\n".join(blocks + spans)


def _section(markdown: str, title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\s*$(.*?)(?=^## |\Z)", markdown, re.MULTILINE | re.DOTALL)
    if match is None:
        pytest.fail(f"README.md has no '## {title}' section")
    return match.group(1)


def _generator():
    spec = importlib.util.spec_from_file_location("generate_cli_reference", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the command-line reference -------------------------------------------------------


# argparse's help layout changes between Python versions; the reference is generated
# on the project's CI Python. Other versions still check every command and option below.
@pytest.mark.skipif(sys.version_info[:2] != (3, 11),
                    reason="docs/cli.md is generated with Python 3.11's argparse layout")
def test_cli_reference_matches_the_parser():
    expected = _generator().cli_reference()
    assert CLI_MD.read_text(encoding="utf-8") == expected, (
        "docs/cli.md is out of date with the parser: run python docs/generate_cli_reference.py"
    )


@pytest.mark.parametrize("command", [path for path, _ in _command_parsers()])
def test_every_command_has_a_section_in_cli_md(command):
    headings = re.findall(r"^#+ (.+)$", CLI_MD.read_text(encoding="utf-8"), re.MULTILINE)
    assert command in headings, f"docs/cli.md has no section for '{command}'"


@pytest.mark.parametrize(("command", "option"), _options())
def test_every_option_is_in_cli_md(command, option):
    section = CLI_MD.read_text(encoding="utf-8").split(f"# {command}\n", 1)
    assert len(section) == 2, f"docs/cli.md has no section for '{command}'"
    own_text = re.split(r"^#+ ", section[1], maxsplit=1, flags=re.MULTILINE)[0]
    assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", own_text), (
        f"docs/cli.md does not document '{command} {option}'"
    )


def test_every_top_level_command_is_mentioned_in_the_readme():
    code = _code_text(README.read_text(encoding="utf-8"))
    missing = [
        path for path, _ in _command_parsers()
        if path.count(" ") == 1 and not re.search(rf"{re.escape(path)}\b", code)
    ]
    assert not missing, f"README.md never shows these commands: {missing}"


# --- the public Python API ------------------------------------------------------------


def _public_names() -> list[tuple[str, str]]:
    return [
        (package, name)
        for package in API_PACKAGES
        for name in sorted(importlib.import_module(package).__all__)
    ]


@pytest.mark.parametrize(("package", "name"), _public_names())
def test_every_public_name_is_documented(package, name):
    code = "\n".join(_code_text(path.read_text(encoding="utf-8")) for path in _doc_files())
    assert re.search(rf"(?<![\w]){re.escape(name)}\b", code), (
        f"{package}.{name} is public (in {package}/__init__.py's __all__) but no code in "
        "README.md or docs/*.md mentions it; document it (a usage line or a table row)"
    )


# --- the README -----------------------------------------------------------------------


def test_quick_start_is_two_commands_in_one_sh_block():
    section = _section(README.read_text(encoding="utf-8"), "Quick start")
    blocks = FENCE.findall(section)
    assert len(blocks) == 1, f"Quick start must hold exactly one code block, found {len(blocks)}"
    language, body = blocks[0]
    assert language == "sh", f"Quick start's block must be fenced as sh, not {language!r}"
    commands = [line for line in body.splitlines() if line.strip() and not line.strip().startswith("#")]
    assert len(commands) == 2, f"Quick start must have exactly two commands, found {commands}"


def _documented_command_lines() -> list[tuple[str, str]]:
    lines = []
    for path in _doc_files():
        if path == CLI_MD:  # generated from the parser itself
            continue
        for language, body in FENCE.findall(path.read_text(encoding="utf-8")):
            if language not in ("sh", "bash", "console", "shell"):
                continue
            for line in body.splitlines():
                for part in re.split(r"&&|\|\||;", line.split(" #", 1)[0]):
                    words = shlex.split(part)
                    while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
                        words.pop(0)  # environment assignments such as TOKEN=...
                    if words[:1] == ["replylab"]:
                        lines.append((path.name, " ".join(words)))
    return lines


@pytest.mark.parametrize(("document", "command_line"), _documented_command_lines())
def test_documented_command_lines_parse(document, command_line):
    parser = build_parser()
    errors = io.StringIO()
    with contextlib.redirect_stderr(errors), contextlib.redirect_stdout(io.StringIO()):
        try:
            parser.parse_args(shlex.split(command_line)[1:])
        except SystemExit as exit_:
            if exit_.code != 0:  # --help and --version exit 0
                pytest.fail(f"{document}: '{command_line}' does not parse: {errors.getvalue().strip()}")


def test_documented_command_lines_are_found():
    # guards the test above against a regex that silently matches nothing
    assert len(_documented_command_lines()) >= 10


@pytest.mark.parametrize("document", [path.name for path in _doc_files()])
def test_relative_links_point_to_existing_files(document):
    path = README if document == README.name else DOCS / document
    text = FENCE.sub("", path.read_text(encoding="utf-8"))
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        if not (path.parent / target.split("#", 1)[0]).exists():
            broken.append(target)
    assert not broken, f"{document} links to missing files: {broken}"


# --- the Python examples run ----------------------------------------------------------


def _python_blocks() -> list:
    blocks = []
    for path in (README, DOCS / "api.md"):  # self-contained examples (others show fragments)
        found = [body for language, body in FENCE.findall(path.read_text(encoding="utf-8"))
                 if language == "python"]
        blocks += [pytest.param(path.name, index, body, id=f"{path.name}-{index}")
                   for index, body in enumerate(found)]
    return blocks


@pytest.mark.parametrize(("document", "index", "code"), _python_blocks())
def test_python_examples_run(document, index, code, tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)  # examples may write files (figures)
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, f"{document} python block {index}", "exec"), {})


# --- the file formats -----------------------------------------------------------------


def _format_fields() -> list:
    from questionnaires import Item, Option, Page, Questionnaire, Scale
    from questionnaires import library_names
    from study.design.schema import Study

    fields = [pytest.param("study-file.md", name, id=f"Study.{name}") for name in Study.model_fields]
    for model in (Questionnaire, Item, Option, Scale, Page):
        fields += [pytest.param("questionnaires.md", name, id=f"{model.__name__}.{name}")
                   for name in model.model_fields]
    fields += [pytest.param("questionnaires.md", name, id=f"library.{name}") for name in library_names()]
    return fields


@pytest.mark.parametrize(("document", "name"), _format_fields())
def test_every_file_format_field_is_documented(document, name):
    code = _code_text((DOCS / document).read_text(encoding="utf-8"))
    assert re.search(rf"(?<![\w]){re.escape(name)}\b", code), (
        f"docs/{document} does not mention {name!r} (a field of the file format or a shipped "
        "module); document it"
    )


@pytest.mark.parametrize("path", sorted([*(p for p in REPO.glob("benchmarks/*.py") if not p.name.startswith("_")),
                                  *REPO.glob("notebooks/*.ipynb")]),
                         ids=lambda path: path.name)
def test_every_benchmark_and_notebook_is_in_the_readme(path):
    code = _code_text(README.read_text(encoding="utf-8"))
    name = path.name if path.suffix == ".py" else path.stem
    assert name in code, f"README.md does not mention {path.relative_to(REPO)}"
