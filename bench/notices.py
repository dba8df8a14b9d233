"""Real notices as a check (issue 18 item 6): read each release's title and description only, screen the service
("light touch or not", or ask), and compare with the buyer's own main CPV code mapped through the engine's lists.

Run: `.venv/bin/python -m bench.notices [path/to/ocds-release-package.json]` (default: ../shared/data/ocds/ next
to the repository). Prints a table, the figures and each disagreement. Not a test; tests/ltr/test_notices.py
asserts the targets (at most 40% asked, at most 5% of the decided ones disagreeing).
"""
from __future__ import annotations

import html
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Optional

from bot.ltr.classification import profile
from bot.ltr.cpv_catalogue import normalise
from bot.ltr.knowledge import load_knowledge
from bot.text.services import Screening, screen

REPO = Path(__file__).resolve().parent.parent


def default_dir() -> Path:
    """../shared/data/ocds beside the repository (or beside a folder holding it, as for a git worktree)."""
    for folder in REPO.parents:
        if (folder / "shared" / "data" / "ocds").is_dir():
            return folder / "shared" / "data" / "ocds"
    return REPO.parent / "shared" / "data" / "ocds"
# Contracts Finder turns line breaks into "rn" glued to the words around them ("EducationrnrnAdditional").
_RN = re.compile(r"(?:rn)+(?=[A-Z*•\d]|$)|(?<=[.:;)])(?:rn)+")


@dataclass(frozen=True)
class Row:
    ocid: str
    title: str
    buyer_cpv: str
    buyer_lt: bool
    reading: Screening
    from_title: bool

    @property
    def outcome(self) -> str:
        if self.reading.light_touch is None:
            return "asked"
        return "agrees" if self.reading.light_touch == self.buyer_lt else "disagrees"


def clean(text: Optional[str]) -> str:
    return re.sub(r"\s+", " ", _RN.sub(" ", html.unescape(text or ""))).strip()


def _first_sentence(text: str) -> str:
    return re.split(r"(?<=[a-z)])[.!?]\s+(?=[A-Z])", text, maxsplit=1)[0]


def releases(folder: Path) -> Iterator[dict[str, Any]]:
    for path in sorted(folder.glob("*.json")):
        yield from json.loads(path.read_text(encoding="utf-8")).get("releases", [])


def read_notice(release: dict[str, Any]) -> Optional[Row]:
    """One release screened from its title and description; None when the buyer gave no valid main CPV code."""
    tender = release.get("tender") or {}
    code = normalise(str((tender.get("classification") or {}).get("id") or ""))
    if code is None:
        return None
    kb = load_knowledge()
    title, description = clean(tender.get("title")), clean(tender.get("description"))
    reading = screen(title)
    from_title = reading.light_touch is not None
    if not from_title:  # the description's first sentence says what is bought; the rest is context
        reading = screen(f"{title}. {_first_sentence(description)}")
    return Row(release.get("ocid", ""), title, code, profile(code, kb).light_touch, reading, from_title)


def check(folder: Path) -> list[Row]:
    return [row for row in (read_notice(r) for r in releases(folder)) if row is not None]


def figures(rows: list[Row]) -> dict[str, float]:
    n = len(rows)
    asked = sum(r.outcome == "asked" for r in rows)
    agree = sum(r.outcome == "agrees" for r in rows)
    disagree = sum(r.outcome == "disagrees" for r in rows)
    decided = agree + disagree
    return {"notices": n, "asked": asked, "agrees": agree, "disagrees": disagree,
            "asked_share": asked / n if n else 0.0, "disagree_share": disagree / decided if decided else 0.0}


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else default_dir()
    if not folder.is_dir():
        print(f"No notices at {folder}")
        return 1
    rows = check(folder)
    print(f"{'outcome':<10} {'buyer CPV':<9} {'LT?':<4} {'read as':<34} title")
    for r in rows:
        lt = "-" if r.reading.light_touch is None else ("yes" if r.reading.light_touch else "no")
        print(f"{r.outcome:<10} {r.buyer_cpv:<9} {'yes' if r.buyer_lt else 'no':<4} "
              f"{(r.reading.by + ' ' + lt)[:34]:<34} {r.title[:70]}")
    f = figures(rows)
    print(f"\n{f['notices']} notices: asked {f['asked']} ({f['asked_share']:.0%}), agrees {f['agrees']}, "
          f"disagrees {f['disagrees']} ({f['disagree_share']:.1%} of the decided)")
    print("\nDisagreements:")
    for r in rows:
        if r.outcome == "disagrees":
            print(f"- {r.ocid} \"{r.title}\": buyer CPV {r.buyer_cpv} ({'light touch' if r.buyer_lt else 'not light touch'}); "
                  f"read as {r.reading.by} from \"{r.reading.words}\""
                  f"{' (for ' + r.reading.client + ')' if r.reading.client else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
