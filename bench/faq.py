"""FAQ answers scored on ../shared/eval/faq.yaml, the way ../shared/eval/score.py scores them (a measurement,
not a test): each phrasing goes to `faq_reply` on its own; the reply text plus button titles must contain
one of `must_contain_any` and none of `must_not_contain` (case-insensitive). "Today" is the set's 2026-11-26.

    .venv/bin/python -m bench.faq [-v] [--eval PATH] [--smoke]

`--smoke`: the first topic only (the tests check that it runs; figures mean nothing).
"""
from __future__ import annotations

import argparse
import collections
import statistics
import sys
from datetime import date
from pathlib import Path

import yaml

from bot.assistant.faq import faq_reply

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EVAL = ROOT.parent / "shared" / "eval" / "faq.yaml"
TODAY = date(2026, 11, 26)
STYLES = ("formal", "terse", "typo", "context")


def reply_text(question: str) -> tuple[str, bool]:
    r = faq_reply(question, as_of=TODAY)
    return "\n".join([r.text, *(b.get("title", "") for b in r.buttons)]), r.confident


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    ap.add_argument("-v", "--verbose", action="store_true", help="print each miss with the reply")
    ap.add_argument("--smoke", action="store_true", help="the first topic only (tests)")
    args = ap.parse_args(argv)
    if not args.eval.exists():
        print(f"No evaluation set at {args.eval}: the shared workspace (../shared) is absent, nothing measured.")
        return 2
    topics = yaml.safe_load(args.eval.read_text(encoding="utf-8"))[:1 if args.smoke else None]
    right: collections.Counter[str] = collections.Counter()
    total: collections.Counter[str] = collections.Counter()
    unsure: collections.Counter[str] = collections.Counter()
    forbidden_hits = 0
    sizes: list[int] = []
    for t in topics:
        for style, question in t["phrasings"].items():
            text, confident = reply_text(question)
            sizes.append(len(text))
            low = text.lower()
            has = any(s.lower() in low for s in t["must_contain_any"])
            bad = [s for s in t.get("must_not_contain") or [] if s.lower() in low]
            forbidden_hits += bool(bad)
            total[style] += 1
            unsure[style] += not confident
            if has and not bad:
                right[style] += 1
            elif args.verbose:
                why = f"contains forbidden {bad}" if bad else "lacks every expected phrase"
                print(f"MISS {t['id']} {style}: {question}\n  ({why}; confident={confident})\n  "
                      + text.replace("\n", "\n  ")[:600] + "\n")
    print(f"{'style':<9} {'right':>7} {'not sure':>9}")
    for style in STYLES:
        if total[style]:
            print(f"{style:<9} {right[style]:>3}/{total[style]:<3} {unsure[style]:>9}")
    n, r = sum(total.values()), sum(right.values())
    print(f"{'all':<9} {r:>3}/{n:<3} {sum(unsure.values()):>9}")
    print(f"must_not_contain hits: {forbidden_hits}")
    print(f"reply size: median {statistics.median(sizes):.0f} characters, longest {max(sizes)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
