"""Shared helpers for the rule-engine acceptance tests (expected values come from the legal reference)."""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any, Callable, Iterable

import pytest
import yaml

from bot.ltr.knowledge import FILES, KNOWLEDGE_DIR


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A copy of the knowledge files to break on purpose (load_knowledge_from(kb_copy))."""
    for name in FILES:
        shutil.copy(KNOWLEDGE_DIR / name, tmp_path / name)
    return tmp_path


@pytest.fixture
def edit_kb(kb_copy: Path) -> Callable[[str, Callable[[Any], Any]], None]:
    """edit_kb("routes.yml", change): applies `change` to that file's data in the copy."""

    def _edit(name: str, change: Callable[[Any], Any]) -> None:
        data = yaml.safe_load((kb_copy / name).read_text(encoding="utf-8"))
        change(data)
        (kb_copy / name).write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")

    return _edit


def mention_pattern(needle: str) -> re.Pattern:
    """Case-insensitive pattern for a legal reference; "s.5" must not match "s.53", nor "reg 11" "reg 111"."""
    pattern = re.escape(needle)
    if needle and needle[-1].isdigit():
        pattern += r"(?!\d)"
    if needle and needle[0].isdigit():
        pattern = r"(?<!\d)" + pattern
    return re.compile(pattern, re.IGNORECASE)


def _item_texts(items: Iterable[dict[str, Any]]) -> list[str]:
    out = []
    for item in items:
        out.append(str(item.get("text", "")))
        out.append(str(item.get("ref", "")))
    return out


def output_texts(result: dict[str, Any]) -> list[str]:
    """Everything a user is told: obligations, routes, warnings, assumptions, missing facts, the answer."""
    texts = [str(result.get("answer") or "")]
    for key in ("obligations", "routes", "warnings"):
        texts += _item_texts(result.get(key) or [])
    texts += [str(s) for s in result.get("assumptions") or []]
    texts += [str(s) for s in result.get("missing") or []]
    return texts


def trace_texts(result: dict[str, Any]) -> list[str]:
    return _item_texts(result.get("trace") or [])


def missing_mentions(texts: list[str], needles: Iterable[str]) -> list[str]:
    return [n for n in needles if not any(mention_pattern(n).search(t) for t in texts)]


class _Text:
    """Bundle of the helpers above, handed to tests as the `ltr_text` fixture (no `import conftest`)."""

    output = staticmethod(output_texts)
    trace = staticmethod(trace_texts)
    missing = staticmethod(missing_mentions)


@pytest.fixture
def ltr_text() -> type[_Text]:
    return _Text
