"""A trainee's quiz results for a trainer: a self-contained HTML page, or CSV (one row per question).

Every string is escaped (HTML) or quoted (CSV): scenario titles and answers come from YAML and the officer.
Spreadsheet formulas are neutralised in CSV cells. The caller passes the time (this module never reads the clock).
"""
from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from bot.quiz.report import COLUMNS, rows, summaries

from .record import _CSS, _e, timestamp

HEADINGS = {"trainee": "Trainee", "quiz": "Quiz", "n": "No.", "scenario": "Scenario", "topic": "Topic", "level": "Level", "question": "Question",
            "given": "Answers given", "answer": "Right answer", "result": "Result", "hint": "Hint used", "tries": "Tries",
            "rule": "Deciding rule (legal reference)"}
_EXTRA_CSS = ".right{color:#00703c;font-weight:bold}.wrong{color:#d4351c;font-weight:bold}.skipped{color:#484949}" \
             "td,th{font-size:.95em}table.results th{width:auto}"


def report_filename(generated_at: datetime, fmt: str) -> str:
    return f"quiz-results-{generated_at:%Y-%m-%d-%H%M}.{fmt}"


def render_csv(states: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([HEADINGS[c] for c in COLUMNS])
    for row in rows(states):
        w.writerow([_cell(row[c]) for c in COLUMNS])
    return out.getvalue()


def _cell(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def render_html(states: list[dict[str, Any]], generated_at: datetime) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Quiz results</title><style>{_CSS}{_EXTRA_CSS}</style></head><body><main>",
        "<h1>Quiz results</h1>",
        f'<p class="meta">Report made {_e(timestamp(generated_at))}. Answers were worked out by the Light Touch '
        "Assistant's rules on the day of each quiz.</p>",
    ]
    names = list(dict.fromkeys(str(st.get("name") or "") for st in states if st.get("name")))
    parts.append(f"<p><strong>Trainee:</strong> {_e(', '.join(names)) if names else 'name not given'}</p>")
    if not states:
        parts.append("<p>No quiz has been taken in this conversation.</p>")
    for s in summaries(states):
        parts.append(f"<h2>Quiz {s['quiz']}: {_e(s['right'])} right out of {_e(s['answered'])} answered</h2>")
        parts.append(f'<p class="meta">Taken {_e(s["date"])}; level {_e(s["level"])}; topic {_e(s["topic"])}; '
                     f'{_e(s["status"])} ({_e(s["answered"])} of {_e(s["planned"])} questions).</p>')
        if s["topics"]:
            parts.append("<table><caption>By topic</caption><tr><th scope=\"col\">Topic</th><th scope=\"col\">Right</th></tr>")
            parts += [f"<tr><td>{_e(label)}</td><td>{_e(right)} of {_e(n)}</td></tr>" for label, right, n in s["topics"]]
            parts.append("</table>")
            revisit = [label for label, right, n in s["topics"] if right < n]
            if revisit:
                parts.append("<p><strong>Topics to revisit:</strong> " + _e("; ".join(revisit)) + "</p>")
    quiz_rows = rows(states)
    if quiz_rows:
        cols = [c for c in COLUMNS if c not in ("rule", "trainee")] + ["rule"]  # the trainee is named above
        parts.append('<h2>Every question</h2><table class="results"><tr>' +
                     "".join(f'<th scope="col">{_e(HEADINGS[c])}</th>' for c in cols) + "</tr>")
        for r in quiz_rows:
            cells = "".join(f'<td class="{_e(r[c])}">{_e(r[c])}</td>' if c == "result" else f"<td>{_e(r[c])}</td>" for c in cols)
            parts.append(f"<tr>{cells}</tr>")
        parts.append("</table>")
    parts += ["</main></body></html>"]
    return "\n".join(parts)
