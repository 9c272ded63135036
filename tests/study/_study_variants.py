"""Helpers for tests that break a shipped study file on purpose."""

from __future__ import annotations

from pathlib import Path

from study.design.loader import shipped_studies


def shipped_text(name: str = "tilburg") -> str:
    return shipped_studies()[name].read_text(encoding="utf-8")


def variant(tmp_path: Path, old: str, new: str, name: str = "tilburg") -> tuple[Path, str]:
    """Write a copy of a shipped study with ``old`` replaced by ``new`` (exactly once)."""
    text = shipped_text(name)
    assert text.count(old) == 1, f"test setup: {old!r} occurs {text.count(old)} times"
    changed = text.replace(old, new)
    path = tmp_path / "study.yaml"
    path.write_text(changed, encoding="utf-8")
    return path, changed


def line_number(text: str, needle: str, start: int = 0) -> int:
    """1-based line of the first occurrence of ``needle`` (after character ``start``)."""
    index = text.index(needle, start)
    return text.count("\n", 0, index) + 1
