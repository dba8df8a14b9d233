"""The `ltr` command: assess a planned procurement from a JSON case file or from flags.

    ltr assess case.json [--json] [--as-of YYYY-MM-DD]
    ltr assess - < case.json
    ltr assess --service "home care" --value "£3m a year for 4 years plus 2" --start 2026-04-01
    ltr purge --older-than 90d [--db var/rasa.db]   removes conversations idle for longer than that
    ltr quiz-report [--db var/rasa.db] [--sender ID] [--format html|csv] [--out FILE]   a trainee's quiz results
    ltr screen FILE [--as-of DATE] [--buyer TYPE] [--out FILE.csv|.xlsx|.json] [--records DIR] [--map "Heading=field"]
        screens a pipeline, contract register (CSV, XLSX) or OCDS notices: exit 0 when every row was answered,
        1 when some rows need input, 2 when the file cannot be read

Bad input gets one line on stderr naming the field, and exit code 2. Never a traceback.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from datetime import date
from typing import Any, NoReturn, Optional, Sequence

from bot.ltr import Case, CaseError, KnowledgeError, assess
from bot.ltr.model import AIMS, BUYERS
from bot.screen.columns import FIELDS
from bot.render.text import render_assessment

EXIT_BAD_INPUT = 2
# A minus sign on an amount ("£-5k", "-£500k"): refused, never read as the positive figure.
_NEGATIVE = re.compile(r"^\s*[-\u2212]\s*£?\s*\d|£\s*[-\u2212]\s*\d")  # not "£80k - £100k", a range


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        _fail("arguments", message)


def _fail(field: str, message: str) -> NoReturn:
    print(f"ltr: {field}: {message}", file=sys.stderr)
    raise SystemExit(EXIT_BAD_INPUT)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="ltr", description="Which procurement rules apply to a planned contract, and what follows.")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)
    a = sub.add_parser("assess", help="assess a case")
    a.add_argument("case_file", nargs="?", help="a case as a JSON file, or - for standard input")
    a.add_argument("--json", action="store_true", help="print the assessment as JSON")
    a.add_argument("--as-of", help="the date to apply the rules on (default: today)")
    a.add_argument("--service", help='what you are buying, e.g. "home care"')
    a.add_argument("--cpv", action="append", help="a CPV code (repeatable)")
    a.add_argument("--value", help='the value, e.g. "£700k" or "£3m a year for 4 years plus 2"')
    a.add_argument("--vat", choices=["included", "excluded", "exempt", "unknown"])
    a.add_argument("--start", help="when the procurement commenced or will commence (YYYY-MM-DD)")
    a.add_argument("--event", help="what started it, e.g. tender_notice, pcr_contract_notice, contract_awarded")
    a.add_argument("--buyer", help="sub_central (default), central, school, utility, nhs_trust, nhs_foundation_trust, icb, nhs_england")
    a.add_argument("--term-years", type=float, help="maximum term in years, including extensions")
    a.add_argument("--user-choice", action="store_true", help="a person has chosen their provider")
    a.add_argument("--aim", action="append", choices=AIMS, help="a route you have in mind (repeatable): the answer says "
                   "whether it is open, and why")
    a.add_argument("--cross-border", choices=["yes", "no", "unknown"])
    a.add_argument("--concession", action="store_true")
    a.add_argument("--utilities", action="store_true")
    pg = sub.add_parser("purge", help="remove old conversations from the conversation store")
    pg.add_argument("--older-than", required=True, help="idle for longer than this: 90d, 12h, 30m")
    pg.add_argument("--db", default=os.path.join("var", "rasa.db"),
                    help="the SQLite store (default var/rasa.db); DATABASE_URL, when set, names another database")
    qr = sub.add_parser("quiz-report", help="a trainee's quiz results from a stored conversation (HTML or CSV)")
    qr.add_argument("--db", default=os.path.join("var", "rasa.db"), help="the SQLite store (default var/rasa.db)")
    qr.add_argument("--sender", help="the conversation (default: the one with the latest quiz)")
    qr.add_argument("--format", choices=["html", "csv"], default="html")
    qr.add_argument("--out", help="write to this file (default: standard output)")
    sc = sub.add_parser("screen", help="screen every row of a pipeline, contract register or OCDS notices")
    sc.add_argument("file", help="a CSV, XLSX or OCDS JSON file, or - for standard input")
    sc.add_argument("--as-of", help="the date to apply the rules on (default: today)")
    sc.add_argument("--buyer", default="sub_central", choices=BUYERS, help="the buyer type for rows that don't say")
    sc.add_argument("--out", help="write the screening to FILE.csv, FILE.xlsx or FILE.json (- : JSON on standard output)")
    sc.add_argument("--records", help="write one decision record per row (HTML and Markdown) into this folder")
    sc.add_argument("--map", action="append", default=[], metavar="HEADING=FIELD",
                    help="use a column for a field, overriding the guess (repeatable); fields: " + ", ".join(FIELDS) + ", ignore")
    return p


def _stored_events(db: str, sender: Optional[str]) -> tuple[str, list[dict]]:
    """A conversation's events as Rasa stored them, read straight from SQLite (no Rasa needed)."""
    import sqlite3

    if not os.path.isfile(db):
        _fail("db", f"{db} does not exist")
    try:
        c = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=3)
        try:
            if sender is None:
                latest = None
                for sid, data in c.execute("SELECT sender_id, data FROM events WHERE type_name = 'slot' ORDER BY id"):
                    event = json.loads(data)
                    if event.get("name") == "quiz" and isinstance(event.get("value"), dict):
                        latest = sid
                if latest is None:
                    _fail("sender", f"no conversation in {db} has taken a quiz")
                sender = latest
            rows = c.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,)).fetchall()
        finally:
            c.close()
    except sqlite3.Error as e:
        _fail("db", f"cannot read {db}: {e}")
    if not rows:
        _fail("sender", f"no conversation '{sender}' in {db}")
    return sender, [json.loads(r[0]) for r in rows]


def _quiz_report(args: argparse.Namespace) -> int:
    from datetime import datetime, timezone

    from bot.quiz.report import quiz_states
    from bot.render.quiz_report import render_csv, render_html

    _, events = _stored_events(args.db, args.sender)
    states = quiz_states(events)
    out = render_csv(states) if args.format == "csv" else render_html(states, datetime.now(timezone.utc))
    if args.out:
        with open(args.out, "w", encoding="utf-8", newline="") as f:
            f.write(out)
        n = len(states)
        print(f"Wrote {args.out}: {sum(len(s['results']) for s in states)} answers from {n} {'quiz' if n == 1 else 'quizzes'}.")
    else:
        sys.stdout.write(out)
    return 0


def _purge(args: argparse.Namespace) -> int:
    from bot.server.store import SQLConversationStore, parse_age  # imported here: Rasa is slow to load

    try:
        age = parse_age(args.older_than)
    except ValueError as e:
        _fail("older_than", str(e))
    if not os.environ.get("DATABASE_URL") and not os.path.isfile(args.db):
        _fail("db", f"{args.db} does not exist")
    removed = SQLConversationStore(db=args.db, retention_days=0).purge(age)
    print(f"Removed {removed} conversation{'' if removed == 1 else 's'} idle for longer than {args.older_than}.")
    return 0


def _case_from_args(args: argparse.Namespace) -> dict[str, Any]:
    if args.case_file:
        try:
            raw = sys.stdin.read() if args.case_file == "-" else open(args.case_file, encoding="utf-8").read()
        except OSError as e:
            _fail("case_file", f"cannot read {args.case_file}: {e.strerror}")
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as e:
            _fail("case_file", f"not valid JSON (line {e.lineno}, column {e.colno})")
        if not isinstance(data, dict):
            _fail("case", "must be a JSON object")
        return data
    data: dict[str, Any] = {}
    if args.service:
        data["service"] = args.service
    if args.cpv:
        data["cpv"] = args.cpv
    if args.value:
        from bot.text.value_reader import parse_value_phrase  # free-text parsing lives outside the rule module

        if _NEGATIVE.search(args.value):
            _fail("value", f"'{args.value}' is negative; a contract value cannot be")

        try:
            parsed = parse_value_phrase(args.value)
        except ValueError as e:
            _fail("value", str(e))
        vat = parsed.pop("vat", None)
        data["value"] = parsed
        if vat and not args.vat:
            data["vat"] = vat
    for flag, key in (("vat", "vat"), ("start", "commenced"), ("event", "commencement_event"), ("buyer", "buyer"),
                      ("term_years", "term_years"), ("cross_border", "cross_border_interest")):
        if getattr(args, flag) is not None:
            data[key] = getattr(args, flag)
    if args.aim:
        data["aims"] = args.aim
    for flag in ("user_choice", "concession", "utilities"):
        if getattr(args, flag):
            data[flag] = True
    if not data:
        _fail("case", "give a case file, or at least --service (see ltr assess --help)")
    return data


def _as_of(args: argparse.Namespace) -> date:
    """The date the rules are applied on: --as-of, else today's date, taken once here (the rules never read the clock)."""
    if not args.as_of:
        return date.today()
    try:
        return date.fromisoformat(args.as_of)
    except ValueError:
        _fail("as_of", f"'{args.as_of}' is not a real date (use YYYY-MM-DD)")


def _screen(args: argparse.Namespace) -> int:
    from datetime import datetime, timezone

    from bot.screen import MapError, TableError, load, parse_map, screen_row, summary
    from bot.screen.output import out_kind, to_json, write, write_records

    as_of = _as_of(args)
    if args.out and args.out != "-" and out_kind(args.out) is None:
        _fail("out", f"'{args.out}' must end in .csv, .xlsx or .json")
    if args.out and out_kind(args.out) == "xlsx":
        try:
            import openpyxl  # noqa: F401
        except ImportError:
            _fail("out", "XLSX cannot be written here (openpyxl is not installed); use .csv or .json")
    try:
        overrides = parse_map(args.map)
    except MapError as e:
        _fail("map", str(e))
    try:
        data = sys.stdin.buffer.read() if args.file == "-" else open(args.file, "rb").read()
    except OSError as e:
        _fail("file", f"cannot read {args.file}: {e.strerror}")
    try:
        loaded = load(args.file, data, overrides)
    except TableError as e:
        _fail("file", f"{args.file}: {e}")
    if args.records:
        try:
            os.makedirs(args.records, exist_ok=True)
        except OSError as e:
            _fail("records", f"cannot make {args.records}: {e.strerror}")
    generated_at = datetime.now(timezone.utc)
    progress = sys.stderr.isatty() and len(loaded.rows) >= 50
    results = []
    try:
        for i, row in enumerate(loaded.rows, 1):
            result = screen_row(row, as_of, args.buyer)
            if args.records:
                write_records(args.records, result, generated_at)
            result.pop("trace", None)
            results.append(result)
            if progress and (i % 25 == 0 or i == len(loaded.rows)):
                done = i * 30 // len(loaded.rows)
                sys.stderr.write(f"\r[{'#' * done}{'.' * (30 - done)}] {i}/{len(loaded.rows)} rows")
                sys.stderr.flush()
    except KnowledgeError as e:
        print(f"ltr: the knowledge files are broken: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if progress:
        sys.stderr.write("\n")
    counts = summary(results)
    try:
        if args.out == "-":
            print(to_json(results))
        else:
            if args.out:
                try:
                    write(args.out, results)
                except OSError as e:
                    _fail("out", f"cannot write {args.out}: {e.strerror}")
            print(_screen_text(loaded, results, counts, args.out))
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 1 if counts["needs_input"] else 0


def _screen_text(loaded: Any, results: list[dict[str, Any]], counts: dict[str, Any], out: Optional[str]) -> str:
    lines = []
    if loaded.columns:
        lines.append("Columns used: " + "; ".join(f"{h} → {FIELDS[f]}" for h, f in loaded.columns.items()) + ".")
    if loaded.ignored:
        lines.append("Columns not used: " + "; ".join(loaded.ignored) + ".")
    lines += loaded.notes
    if not out:
        for r in results:
            what = r.get("answer") or ""
            if r["status"] == "needs_input":
                what = "Needs " + "; ".join(r.get("needs") or [])
            lines.append(f"{r['row']}: {what}")
    def count(d: dict[str, int]) -> str:
        return ", ".join(f"{k} {v}" for k, v in d.items())
    lines.append(f"{counts['rows']} rows: {counts['rows'] - counts['needs_input']} answered, {counts['needs_input']} need input.")
    lines.append(f"Regime: {count(counts['regime'])}. Light touch: {count(counts['light_touch'])}. "
                 f"Threshold: {count(counts['threshold'])}.")
    if out:
        lines.append(f"Wrote {out}.")
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "screen":
        return _screen(args)
    if args.command == "purge":
        return _purge(args)
    if args.command == "quiz-report":
        return _quiz_report(args)
    if args.command != "assess":
        _parser().print_help()
        return EXIT_BAD_INPUT
    as_of = _as_of(args)
    try:
        case = Case.from_dict(_case_from_args(args))
        result = assess(case, as_of)
    except CaseError as e:
        _fail(e.field, e.message)
    except KnowledgeError as e:
        print(f"ltr: the knowledge files are broken: {e}", file=sys.stderr)
        return 1
    out = json.dumps(result.to_dict(), indent=2, ensure_ascii=False) if args.json else render_assessment(result)
    try:
        print(out)
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. `ltr assess ... | head`: the reader left; that is not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
