"""What the extractor components share: building entity dicts, skipping button payloads, and a
fingerprint of the parser sources so Rasa's training cache notices when they change.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Iterable, Optional

_BOT = Path(__file__).resolve().parent.parent


def entity(name: str, value: Any, start: int, end: int, text: str) -> dict[str, Any]:
    """A Rasa entity dict (the extractor name is added by `EntityExtractorMixin.add_extractor_name`)."""
    return {"entity": name, "value": value, "start": start, "end": end, "text": text[start:end] if end > start else ""}


def readable_text(message_text: Optional[str]) -> Optional[str]:
    """The text to read, or None for empty messages and button payloads ("/inform{...}"), which
    Rasa's RegexMessageHandler decodes itself."""
    if not message_text or message_text.lstrip().startswith("/"):
        return None
    return message_text


def source_fingerprint(*relative_paths: str, root: Path = _BOT) -> str:
    """A hash of the named files (relative to the `bot` package) and of every parser in `bot/text`.

    Rasa fingerprints a component by its class source only (not the module-level helpers it calls,
    nor data files), so each component adds this to `fingerprint_addon`.
    """
    paths: list[Path] = sorted((root / "text").glob("*.py")) + [root / "nlu" / "_common.py"]
    paths += [root / p for p in relative_paths]
    digest = hashlib.sha256()
    for path in _unique(paths):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
    return digest.hexdigest()


def _unique(paths: Iterable[Path]) -> list[Path]:
    seen: set[Path] = set()
    out = []
    for p in paths:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out
