"""The dialogue alone (no Rasa, no intents) on ../shared/eval: accuracy without the NLU, the size of an
answer in a plain-text channel, and the time of one turn in the action server. Part of `make bench`;
`make eval` is the real accuracy figure (NLU and servers included).

    python -m bench.dialogue [EVAL_DIR] [oneshot,multiturn] [--only D001,MT07] [--smoke] [-v]

`--smoke`: the first item of each section only (the tests check that it runs; figures mean nothing).
"""
from __future__ import annotations

import argparse
import collections
import importlib.util
import re
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import yaml

from bot.assistant.dialogue import Incoming, turn

TODAY = date(2026, 11, 26)
_RESTART = re.compile(r"^\s*(?:start\s+(?:again|over)|restart|reset|new\s+(?:case|contract))\b", re.I)


def _score_module(eval_dir: Path):
    spec = importlib.util.spec_from_file_location("score", eval_dir / "score.py")
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


TURN_SECONDS: list[float] = []
ANSWER_CHARS: list[int] = []


def send(state, text):
    intent = "start_again" if _RESTART.match(text) else None
    t = time.perf_counter()
    out = turn(state, Incoming(text, intent), TODAY)
    TURN_SECONDS.append(time.perf_counter() - t)
    if out.assessment is not None:
        ANSWER_CHARS.append(sum(len(m.text) for m in out.messages))
    a = out.assessment.to_dict() if out.assessment else None
    said = " | ".join(m.text[:160] for m in out.messages)
    return out.state, a, said


def _faq(eval_dir: Path, only: set[str], verbose: bool, limit: int | None = None) -> None:
    """Each FAQ phrasing on a fresh conversation, judged as score.py judges it (reply text and button titles)."""
    topics = [t for t in yaml.safe_load((eval_dir / "faq.yaml").read_text()) if not only or t["id"] in only][:limit]
    by_style: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    for t in topics:
        for style, question in t["phrasings"].items():
            out = turn(None, Incoming(question, "faq"), TODAY)
            reply = "\n".join([m.text for m in out.messages] + [b["title"] for m in out.messages for b in m.buttons]).lower()
            good = any(x.lower() in reply for x in t.get("must_contain_any") or []) or not t.get("must_contain_any")
            bad = [x for x in t.get("must_not_contain") or [] if x.lower() in reply]
            by_style[style][0] += good and not bad
            by_style[style][1] += 1
            if not good or bad:
                print(f"[faq] {t['id']}/{style}: {'says ' + str(bad) if bad else 'no expected phrase'} | {question[:90]}"
                      + (f"\n    said: {reply[:300]!r}" if verbose else ""))
    print("\nfaq (the FAQ intent assumed for every phrasing):")
    for style, (ok, n) in sorted(by_style.items()):
        print(f"  {style:40s} {ok:4d}/{n:<4d}")
    print(f"  TOTAL {sum(v[0] for v in by_style.values())}/{sum(v[1] for v in by_style.values())}")


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("eval_dir", nargs="?", default="../shared/eval")
    p.add_argument("sections", nargs="?", default="oneshot,multiturn,faq")
    p.add_argument("--only", default="")
    p.add_argument("--smoke", action="store_true", help="the first item of each section only (tests)")
    p.add_argument("-v", action="store_true")
    args = p.parse_args(argv)
    limit = 1 if args.smoke else None
    eval_dir = Path(args.eval_dir)
    if not (eval_dir / "score.py").is_file():
        print(f"bench.dialogue: the evaluation sets are not at {eval_dir} (shared/eval); skipped.")
        return 0
    score = _score_module(eval_dir)
    only = set(filter(None, args.only.split(",")))
    for section in args.sections.split(","):
        if section == "faq":
            _faq(eval_dir, only, args.v, limit)
            continue
        items = yaml.safe_load((eval_dir / f"{section}.yaml").read_text())
        items = [i for i in items if not only or i["id"] in only][:limit]
        by_cat = collections.defaultdict(lambda: [0, 0, 0])
        for it in items:
            state, got, log = None, None, []
            turns = [it["text"]] if section == "oneshot" else it["turns"]
            for t in turns:
                state, a, said = send(state, t)
                got = a or got
                log.append(f"  > {t}\n  < {said}")
            if section == "oneshot":
                n = 0
                while got is None and n < score.MAX_FOLLOWUPS:
                    state, got, said = send(state, it["followup"])
                    log.append(f"  > {it['followup']}\n  < {said}")
                    n += 1
            exp = it["expected"] if section == "oneshot" else it["expected_final"]
            d = score.differences(got, exp)
            c = by_cat[it.get("category", "-")]
            c[0] += not d
            c[1] += 1
            c[2] += bool(d) and got is not None
            if d:
                print(f"[{section}] {it['id']}: {'; '.join(d)}")
                if args.v:
                    print("\n".join(log))
        print(f"\n{section}:")
        for cat, (ok, n, wrong) in sorted(by_cat.items()):
            print(f"  {cat:40s} {ok:4d}/{n:<4d} wrong {wrong}")
        print(f"  TOTAL {sum(v[0] for v in by_cat.values())}/{sum(v[1] for v in by_cat.values())}, "
              f"confidently wrong {sum(v[2] for v in by_cat.values())}")
        if section == "oneshot" and ANSWER_CHARS:
            print(f"  answer size in a plain-text channel: median {statistics.median(ANSWER_CHARS):.0f} characters "
                  f"(max {max(ANSWER_CHARS)}) over {len(ANSWER_CHARS)} answers")
    lat = sorted(TURN_SECONDS)
    if lat:  # the FAQ section alone times no dialogue turns
        print(f"\ndialogue turn (reader + engine + renderer, no Rasa): p50 {lat[len(lat) // 2] * 1000:.1f} ms, "
              f"p95 {lat[int(len(lat) * 0.95)] * 1000:.1f} ms over {len(lat)} turns")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
