"""Decision records: one assessment as a self-contained, printable HTML file or a Markdown file
for the procurement file.

The widget posts the `ltr_assessment` payload it showed; `authoritative_assessment` re-runs the
rule engine on the recorded case so the record carries the engine's answer, not whatever a
browser sent. Every string from the assessment is escaped: it may contain the officer's own words.
The caller passes the time the record is made (this module never reads the clock).
"""
from __future__ import annotations

import html
import json
import re
from datetime import date, datetime
from typing import Any, Mapping, Optional
from urllib.parse import urlsplit

from bot.ltr.model import REGIMES
from bot.ltr.price import gbp
from bot.render.text import rules_updated

# Links in a record go to the law itself or to government guidance only (NHS England for the PSR);
# other sources (firms' briefings, blogs) stay out of the record, their references stay in it.
OFFICIAL_HOSTS = ("legislation.gov.uk", "gov.uk", "england.nhs.uk")
BUYER_LABELS = {
    "sub_central": "Sub-central authority (for example a London borough)",
    "central": "Central government authority",
    "school": "School",
    "utility": "Utility",
    "nhs_trust": "NHS trust",
    "nhs_foundation_trust": "NHS foundation trust",
    "icb": "Integrated care board",
    "nhs_england": "NHS England",
}
VAT_LABELS = {"included": "Including VAT", "excluded": "Excluding VAT", "exempt": "Exempt from VAT", "unknown": "Not known"}
EVENT_LABELS = {
    "tender_notice": "Tender notice",
    "transparency_notice": "Transparency notice",
    "below_threshold_tender_notice": "Below-threshold tender notice",
    "pcr_contract_notice": "Contract notice under the PCR 2015",
    "pcr_pin": "Prior information notice under the PCR 2015",
    "pcr_negotiated_contact": "First contact with suppliers (PCR 2015 negotiated procedure)",
    "contracts_finder_advert": "Contracts Finder advert",
    "psr_notice": "Provider Selection Regime notice",
    "contract_awarded": "Contract already awarded",
}
DISCLAIMER = (
    "This record was produced by the Light Touch Assistant. It is guidance to support a decision, "
    "not legal advice. Check with your legal team before relying on it."
)
MAX_TEXT = 10_000
MAX_ITEMS = 200
MAX_FACTS = 30
MAX_DETAIL = 300
# What the officer adds to the record in the widget before downloading it; a labelled blank when not given.
DETAILS = (
    ("contract_name", "Contract name"),
    ("contract_reference", "Contract reference"),
    ("officer", "Officer"),
    ("decision_date", "Date of decision"),
    ("decision", "Decision taken"),
    ("approver", "Approved by"),
)
# Trace steps that make up the figure compared with the threshold ("the working").
WORKING_STEPS = ("T-VALUE", "T-VAT", "T-THRESHOLD", "T-ABOVE", "T-BELOW")


class RecordError(ValueError):
    """The data is not an assessment this assistant produces."""


# ---- checking what the browser sent ------------------------------------------------------------


def _text(value: Any, name: str, optional: bool = True) -> str:
    if value is None and optional:
        return ""
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise RecordError(f"{name} must be text")
    text = str(value)
    if len(text) > MAX_TEXT:
        raise RecordError(f"{name} is too long")
    return text


def _number(value: Any, name: str) -> Optional[float]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RecordError(f"{name} must be a number")
    return float(value)


def _flag(value: Any, name: str) -> Optional[bool]:
    if value is None or isinstance(value, bool):
        return value
    raise RecordError(f"{name} must be true, false or null")


def _items(value: Any, name: str) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        raise RecordError(f"{name} must be a list")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise RecordError(f"{name}[{i}] must be an object")
        out.append(
            {
                "id": _text(item.get("id"), f"{name}[{i}].id"),
                "text": _text(item.get("text"), f"{name}[{i}].text"),
                "ref": _text(item.get("ref"), f"{name}[{i}].ref"),
                "verified": item.get("verified") is not False,
                "source": _text(item.get("source"), f"{name}[{i}].source"),
            }
        )
    return out


def _strings(value: Any, name: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        raise RecordError(f"{name} must be a list")
    return [_text(v, f"{name}[{i}]") for i, v in enumerate(value)]


def _item(value: Any, name: str) -> Optional[dict]:
    if value is None:
        return None
    return _items([value], name)[0]


def checked_understood(value: Any) -> list[dict]:
    """The "What I understood" facts the chat showed (label, text, source), or RecordError."""
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_FACTS:
        raise RecordError("understood must be a list")
    out = []
    for i, fact in enumerate(value):
        if not isinstance(fact, Mapping):
            raise RecordError(f"understood[{i}] must be an object")
        out.append({k: _text(fact.get(k), f"understood[{i}].{k}") for k in ("label", "text", "source")})
    return out


def fact_table(a: Mapping[str, Any], understood: list[dict]) -> list[tuple[str, str, str]]:
    """The case as the chat showed it, each fact with where it came from (you said, you didn't know,
    assumed, default); else as the engine read it."""
    if understood:
        return [(f["label"], f["text"], f["source"]) for f in understood]
    return [(k, v, "") for k, v in case_facts(a["case"])]


def working(a: Mapping[str, Any]) -> list[dict]:
    """The steps from the figure given to the comparison with the threshold."""
    return [t for t in a["trace"] if t["id"].startswith(WORKING_STEPS)]


def record_title(a: Mapping[str, Any], details: Mapping[str, str]) -> str:
    if details.get("contract_name"):
        return f"Decision record: {details['contract_name']}"
    service = a["case"].get("service")
    return f"Decision record: {service_label(str(service))}" if service else "Decision record"


def references(a: Mapping[str, Any]) -> list[tuple[str, Optional[str]]]:
    """Each legal reference once, with a link to the instrument it names where the item has one."""
    seen: dict[str, Optional[str]] = {}
    for key in ("trace", "obligations", "routes", "routes_not_open", "warnings"):
        for item in a[key]:
            if item["ref"]:
                link = _source_link(item["source"])
                if item["ref"] not in seen or (seen[item["ref"]] is None and link):
                    seen[item["ref"]] = link
    return list(seen.items())


def checked_details(value: Any) -> dict[str, str]:
    """The record's details as the officer typed them (contract name, officer...), or RecordError."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise RecordError("details must be an object")
    out = {}
    for key, label in DETAILS:
        text = " ".join(_text(value.get(key), key).split())
        if len(text) > MAX_DETAIL:
            raise RecordError(f"{label} is too long")
        if text:
            out[key] = text
    return out


def checked_assessment(data: Any) -> dict:
    """A clean copy of an `Assessment.to_dict()`-shaped mapping, or RecordError."""
    if not isinstance(data, Mapping):
        raise RecordError("the assessment must be an object")
    regime = data.get("regime")
    if regime is not None and regime not in REGIMES:
        raise RecordError("unknown regime")
    as_of = _text(data.get("as_of"), "as_of", optional=False)
    try:
        date.fromisoformat(as_of)
    except ValueError:
        raise RecordError("as_of must be a date") from None
    case = data.get("case")
    if case is not None and not isinstance(case, Mapping):
        raise RecordError("case must be an object")
    candidates = data.get("candidates") or []
    if not isinstance(candidates, list):
        raise RecordError("candidates must be a list")
    return {
        "status": _text(data.get("status"), "status") or "complete",
        "answer": _text(data.get("answer"), "answer", optional=False),
        "regime": regime,
        "regime_name": _text(data.get("regime_name"), "regime_name"),
        "out_of_scope": _item(data.get("out_of_scope"), "out_of_scope"),
        "vat_basis": _text(data.get("vat_basis"), "vat_basis"),
        "light_touch": _flag(data.get("light_touch"), "light_touch"),
        "above_threshold": _flag(data.get("above_threshold"), "above_threshold"),
        "threshold_gbp": _number(data.get("threshold_gbp"), "threshold_gbp"),
        "estimated_value_gbp": _number(data.get("estimated_value_gbp"), "estimated_value_gbp"),
        "service_category": _text(data.get("service_category"), "service_category"),
        "service_category_label": _text(data.get("service_category_label"), "service_category_label"),
        "cross_border_interest": _text(data.get("cross_border_interest"), "cross_border_interest"),
        "obligations": _items(data.get("obligations"), "obligations"),
        "routes": _items(data.get("routes"), "routes"),
        "routes_not_open": _items(data.get("routes_not_open"), "routes_not_open"),
        "warnings": _items(data.get("warnings"), "warnings"),
        "trace": _items(data.get("trace"), "trace"),
        "assumptions": _strings(data.get("assumptions"), "assumptions"),
        "missing": _strings(data.get("missing"), "missing"),
        "candidates": [
            {"label": _text(c.get("label"), "candidates.label"), "cpv": _text(c.get("cpv"), "candidates.cpv")}
            for c in candidates
            if isinstance(c, Mapping)
        ],
        "rules_version": _text(data.get("rules_version"), "rules_version", optional=False),
        "as_of": as_of,
        "case": dict(case) if case else {},
    }


def authoritative_assessment(data: Any) -> tuple[dict, str]:
    """Re-runs the rule engine on the recorded case and date.

    Returns the assessment to record and a provenance note. When the engine gives the same rules
    version, its own answer is recorded; otherwise (rules changed since, or the case cannot be
    re-read) the answer shown in the chat is recorded and the note says so.
    """
    shown = checked_assessment(data)
    try:
        from bot.ltr import Case, assess  # imported here: the renderer works without the engine

        fresh = assess(Case.from_dict(shown["case"]), as_of=date.fromisoformat(shown["as_of"])).to_dict()
    except Exception:  # the engine is the authority only when it can re-read the case
        return shown, "Recorded as shown in the chat: the assistant could not work this case out again."
    if fresh.get("rules_version") != shown["rules_version"]:
        return shown, (
            f"Recorded as shown in the chat (rules last updated {rules_updated(shown['rules_version'])}). The rules "
            f"have changed since (last updated {rules_updated(str(fresh.get('rules_version')))}): ask again for a "
            "current answer."
        )
    return checked_assessment(fresh), "The answer was worked out again from the rules when this record was made."


# ---- shared wording ----------------------------------------------------------------------------


def money(value: Optional[float]) -> str:
    return "Not known" if value is None else gbp(value)


def long_date(iso: str) -> str:
    try:
        d = date.fromisoformat(str(iso)[:10])
    except ValueError:
        return str(iso)
    return f"{d.day} {d.strftime('%B %Y')}"


def timestamp(moment: datetime) -> str:
    zone = moment.strftime("%Z") or "UTC"
    return f"{moment.day} {moment.strftime('%B %Y at %H:%M')} {zone}"


def yes_no(value: Optional[bool]) -> str:
    return "Not known" if value is None else ("Yes" if value else "No")


def _years(value: Any) -> str:
    number = float(value)
    shown = f"{number:g}"
    return f"{shown} year" if number == 1 else f"{shown} years"


def value_text(value: Any) -> str:
    """The value as the officer gave it (the engine's working is in "How the answer was reached")."""
    if not isinstance(value, Mapping) or not value:
        return "Not given"
    if value.get("unknown"):
        return "Not known"
    per = " per lot" if int(value.get("lots") or 1) > 1 else ""
    term = f" for {_years(value['years'])}" if value.get("years") else ""
    if value.get("total_gbp") is not None:
        text = f"{money(value['total_gbp'])}{per} in total" + (f" over {_years(value['years'])}" if value.get("years") else "")
    else:
        recurring = next(((value[k], period) for k, period in (("annual_gbp", "year"), ("monthly_gbp", "month"),
                                                                  ("weekly_gbp", "week")) if value.get(k) is not None), None)
        if recurring is None:
            return "Not given"
        text = f"{money(recurring[0])} a {recurring[1]}{per}" + (", no end date" if value.get("open_ended") else term)
    ext = float(value.get("extension_years") or 0)
    if ext:
        priced = f" priced at {money(value['extension_gbp'])}" if value.get("extension_gbp") is not None else ""
        text += f", plus {_years(ext)} of extensions{priced}"
    if value.get("one_off_gbp") is not None:
        text += f", plus {money(value['one_off_gbp'])} one-off"
    if per:
        text += f", {int(value['lots'])} lots"
    return text


def case_facts(case: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What the officer told us, as (label, plain text) rows; only facts that were given."""
    rows: list[tuple[str, str]] = []
    if case.get("service"):
        rows.append(("Service", service_label(str(case["service"]))))
    if case.get("cpv"):
        rows.append(("CPV codes", ", ".join(str(c) for c in case["cpv"])))
    for i, part in enumerate(case.get("parts") or [], start=1):
        if isinstance(part, Mapping):
            bits = [str(part.get("service") or ", ".join(part.get("cpv") or []) or "Part")]
            if part.get("value_gbp") is not None:
                bits.append(money(float(part["value_gbp"])))
            if part.get("separable") is not None:
                bits.append("separable" if part["separable"] else "not separable")
            rows.append((f"Part {i}", ", ".join(bits)))
    rows.append(("Value given", value_text(case.get("value"))))
    rows.append(("VAT", VAT_LABELS.get(str(case.get("vat") or "unknown"), str(case.get("vat")))))
    if case.get("commenced"):
        rows.append(("Procurement starts (or started)", long_date(str(case["commenced"]))))
    if case.get("commencement_event"):
        event = str(case["commencement_event"])
        rows.append(("Starting step", EVENT_LABELS.get(event, event)))
    buyer = str(case.get("buyer") or "sub_central")
    rows.append(("Buyer", BUYER_LABELS.get(buyer, buyer)))
    if case.get("term_years") is not None:
        rows.append(("Contract term", _years(case["term_years"])))
    rows.append(("Certain cross-border interest", {"yes": "Yes", "no": "No"}.get(str(case.get("cross_border_interest")), "Not known")))
    for key, label in (
        ("concession", "Concession contract"),
        ("utilities", "Utilities contract"),
        ("framework", "Framework agreement"),
    ):
        if case.get(key):
            rows.append((label, "Yes"))
    if case.get("user_choice") is not None:
        rows.append(("Honours an individual's choice of provider", yes_no(case["user_choice"])))
    if case.get("health_service_purpose") is not None:
        rows.append(("Bought for NHS health care purposes", yes_no(case["health_service_purpose"])))
    if case.get("exemption"):
        rows.append(("Exemption", str(case["exemption"]).replace("_", " ")))
    if case.get("england") is False:
        rows.append(("In England", "No" + (f" ({str(case['nation']).replace('_', ' ').title()})" if case.get("nation") else "")))
    return rows


def result_rows(a: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The answer's figures, each only where it is true of the case: no light touch row when the Provider
    Selection Regime applies instead (the regime row says so), and no "above the threshold" row where no
    threshold applies."""
    if a["out_of_scope"]:
        return [("Rules that apply", "Not covered by this tool")]
    basis = {"inclusive": " (including VAT)", "net": " (excluding VAT)"}.get(a["vat_basis"], "")
    rows = [("Rules that apply", a["regime_name"] or "Not decided yet")]
    if a["regime"] != "PSR":
        rows.append(("Light touch service", yes_no(a["light_touch"])))
    rows.append(("Estimated value", money(a["estimated_value_gbp"])))
    if a["threshold_gbp"] is None:
        rows.append(("Threshold", "No threshold applies"))
    else:
        rows += [("Threshold", money(a["threshold_gbp"]) + basis), ("Above the threshold", yes_no(a["above_threshold"]))]
    if a["service_category_label"]:
        rows.append(("Service category", a["service_category_label"]))
    return rows


def service_label(service: str) -> str:
    """The knowledge base's name for a service id (the assistant records ids such as 'home_care');
    free text is returned as given."""
    try:
        from bot.ltr.knowledge import load_knowledge

        entry = load_knowledge().service(service)
    except Exception:  # the record must still render without the knowledge base
        entry = None
    return entry.label if entry else service


def record_filename(data: Any, generated_at: datetime, fmt: str) -> str:
    return f"decision-record-{generated_at.strftime('%Y-%m-%d-%H%M%S')}.{'html' if fmt == 'html' else 'md'}"


def _source_link(source: str) -> Optional[str]:
    """An https link to legislation.gov.uk, GOV.UK or NHS England, else None."""
    if not re.match(r"^https://[^\s<>\"']+$", source or ""):
        return None
    host = (urlsplit(source).hostname or "").lower()
    return source if any(host == h or host.endswith("." + h) for h in OFFICIAL_HOSTS) else None


# ---- HTML --------------------------------------------------------------------------------------

_CSS = """
body{font-family:arial,sans-serif;color:#0b0c0c;max-width:45em;margin:2em auto;padding:0 1em;line-height:1.4}
h1{font-size:1.8em;margin-bottom:.2em}h2{font-size:1.3em;margin-top:1.6em;border-bottom:2px solid #0b0c0c}
.meta{color:#484949}.answer{font-size:1.2em;font-weight:bold;border-left:10px solid #1d70b8;padding:.4em .8em}
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:.4em .6em .4em 0;border-bottom:1px solid #b1b4b6}
th{width:35%}.ref{color:#484949;font-size:.9em}.warn,.assume{border-left:5px solid #d4351c;padding-left:.8em}
td.blank{height:1.6em;border-bottom:1px solid #0b0c0c}.assumed{font-weight:bold}
a{color:#1d70b8}.note{background:#f3f2f1;padding:.6em .8em}
@page{size:A4;margin:18mm 16mm}
@media print{body{margin:0;max-width:none;font-size:11pt}a{color:#0b0c0c}a[href]::after{content:" (" attr(href) ")";font-size:.8em}
h2,h3{break-after:avoid}tr,li{break-inside:avoid}.appendix{break-before:page}}
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _needs_legal_caveat(item: dict) -> bool:
    """Unconfirmed items say "check with your legal team", once (caveats already say it)."""
    return not item["verified"] and "legal team" not in item["text"].lower()


def _html_items(items: list[dict]) -> str:
    out = ["<ul>"]
    for item in items:
        text = _e(item["text"])
        if _needs_legal_caveat(item):
            text = "<strong>Check with your legal team:</strong> " + text
        ref = f' <span class="ref">({_e(item["ref"])})</span>' if item["ref"] else ""
        out.append(f"<li>{text}{ref}</li>")  # the links are with the legal references
    out.append("</ul>")
    return "".join(out)


def _html_rows(rows: list[tuple[str, str]]) -> str:
    return "<table>" + "".join(f"<tr><th scope=\"row\">{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows) + "</table>"


def _html_details(details: Mapping[str, str]) -> str:
    """The record's details; a labelled blank line to fill in by hand where the officer gave none."""
    rows = []
    for key, label in DETAILS:
        cell = f"<td>{_e(details[key])}</td>" if details.get(key) else '<td class="blank"><span class="ref">Not filled in</span></td>'
        rows.append(f'<tr><th scope="row">{_e(label)}</th>{cell}</tr>')
    return "<table>" + "".join(rows) + "</table>"


def _html_facts(rows: list[tuple[str, str, str]]) -> str:
    out = ['<table><tr><th scope="col">Fact</th><th scope="col">What we used</th><th scope="col">Where it came from</th></tr>']
    for label, text, source in rows:
        where = '<span class="assumed">Assumed: check it</span>' if source == "assumed" else _e(source.capitalize())
        out.append(f'<tr><th scope="row">{_e(label)}</th><td>{_e(text)}</td><td>{where}</td></tr>')
    out.append("</table>")
    return "".join(out)


def render_record_html(data: Any, generated_at: datetime, note: str = "", understood: Any = None,
                       details: Any = None) -> str:
    a, facts, filled = checked_assessment(data), checked_understood(understood), checked_details(details)
    title = record_title(a, filled)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body><main>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="meta">Record made {_e(timestamp(generated_at))}. Rules applied as of '
        f'{_e(long_date(a["as_of"]))}. Rules last updated {_e(rules_updated(a["rules_version"]))}.</p>',
        "<h2>Record details</h2>", _html_details(filled),
        "<h2>Answer</h2>", f'<p class="answer">{_e(a["answer"])}</p>', _html_rows(result_rows(a)),
        "<h2>Facts the answer rests on</h2>", _html_facts(fact_table(a, facts)),
    ]
    if a["assumptions"]:
        parts += ["<h2>Assumptions</h2>", '<div class="assume"><p>The answer assumes the following. Check each one: '
                  "if it is wrong, the answer may change.</p><ul>", *(f"<li>{_e(s)}</li>" for s in a["assumptions"]),
                  "</ul></div>"]
    steps = working(a)
    if steps:
        parts += ["<h2>The working</h2><ol>", *(f"<li>{_e(t['text'])}</li>" for t in steps), "</ol>"]
    if a["warnings"]:
        parts += ["<h2>Caveats</h2>", '<div class="warn">', _html_items(a["warnings"]), "</div>"]
    if a["obligations"]:
        parts += ["<h2>What must still be done</h2>", _html_items(a["obligations"])]
    if a["routes"]:
        parts += ["<h2>Flexibility and innovation routes</h2>", _html_items(a["routes"])]
    if a["routes_not_open"]:
        parts += ["<h2>Routes not open, and why</h2>", _html_items(a["routes_not_open"])]
    if a["missing"]:
        parts += ["<h2>What would change the answer</h2><ul>", *(f"<li>{_e(s)}</li>" for s in a["missing"]), "</ul>"]
    if a["candidates"]:
        parts += ["<h2>Possible service categories</h2><ul>"]
        parts += [f"<li>{_e(c['label'])}{' (CPV ' + _e(c['cpv']) + ')' if c['cpv'] else ''}</li>" for c in a["candidates"]]
        parts += ["</ul>"]
    refs = references(a)
    if refs:
        parts += ["<h2>Legal references</h2><ul>"]
        parts += [f'<li>{_e(r)}' + (f' <a href="{_e(link)}">{_e(link)}</a>' if link else "") + "</li>" for r, link in refs]
        parts += ["</ul>"]
    parts += [f"<h2>About this record</h2><p>{_e(DISCLAIMER)}</p>"]
    if note:
        parts.append(f'<p class="note">{_e(note)}</p>')
    if a["trace"]:
        parts += ['<section class="appendix"><h2>Appendix A: every step of the answer</h2><ol>']
        for step in a["trace"]:
            ref = f' <span class="ref">({_e(step["ref"])})</span>' if step["ref"] else ""
            parts.append(f"<li>{_e(step['text'])}{ref}</li>")
        parts += ["</ol></section>"]
    machine = json.dumps(a, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")
    parts += [
        "<h2>Appendix B: machine-readable copy</h2>",
        "<p>This file also holds the answer as data (JSON), for systems that read it; it is not shown or printed.</p>",
        f'<script type="application/json" id="lta-assessment">{machine}</script>',
        "</main></body></html>",
    ]
    return "\n".join(parts)


# ---- Markdown ----------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def _md(text: Any) -> str:
    """Escape text so Markdown shows it literally (and no renderer can turn it into HTML)."""
    flat = " ".join(str(text).split())
    return _MD_SPECIAL.sub(r"\\\1", html.escape(flat, quote=False))


def _md_items(items: list[dict]) -> list[str]:
    lines = []
    for item in items:
        text = _md(item["text"])
        if _needs_legal_caveat(item):
            text = "**Check with your legal team:** " + text
        ref = f" ({_md(item['ref'])})" if item["ref"] else ""
        lines.append(f"- {text}{ref}")  # the links are with the legal references
    return lines


def render_record_markdown(data: Any, generated_at: datetime, note: str = "", understood: Any = None,
                           details: Any = None) -> str:
    a, facts, filled = checked_assessment(data), checked_understood(understood), checked_details(details)
    blank = r"\_" * 24
    lines = [
        f"# {_md(record_title(a, filled))}",
        "",
        f"Record made {timestamp(generated_at)}. Rules applied as of {long_date(a['as_of'])}. "
        f"Rules last updated {rules_updated(a['rules_version'])}.",
        "",
        "## Record details",
        "",
        *(f"- {label}: {_md(filled[key]) if filled.get(key) else blank}" for key, label in DETAILS),
        "",
        "## Answer",
        "",
        f"**{_md(a['answer'])}**",
        "",
        *(f"- {k}: {_md(v)}" for k, v in result_rows(a)),
        "",
        "## Facts the answer rests on",
        "",
    ]
    for label, text, source in fact_table(a, facts):
        where = " (**assumed: check it**)" if source == "assumed" else (f" ({_md(source)})" if source else "")
        lines.append(f"- {_md(label)}: {_md(text)}{where}")
    lines.append("")
    refs = [f"- {_md(r)}" + (f" <{link}>" if link else "") for r, link in references(a)]
    sections = [
        ("Assumptions", ["The answer assumes the following. Check each one: if it is wrong, the answer may change.", ""]
         + [f"- **Assumption:** {_md(s)}" for s in a["assumptions"]] if a["assumptions"] else []),
        ("The working", [f"{i}. {_md(t['text'])}" for i, t in enumerate(working(a), 1)]),
        ("Caveats", _md_items(a["warnings"])),
        ("What must still be done", _md_items(a["obligations"])),
        ("Flexibility and innovation routes", _md_items(a["routes"])),
        ("Routes not open, and why", _md_items(a["routes_not_open"])),
        ("What would change the answer", [f"- {_md(s)}" for s in a["missing"]]),
        ("Possible service categories", [f"- {_md(c['label'])}" for c in a["candidates"]]),
        ("Legal references", refs),
        ("About this record", [DISCLAIMER] + ([f"", _md(note)] if note else [])),
        (
            "Appendix A: every step of the answer",
            [f"{i}. {_md(s['text'])}" + (f" ({_md(s['ref'])})" if s["ref"] else "") for i, s in enumerate(a["trace"], 1)],
        ),
    ]
    for heading, body in sections:
        if body:
            lines += [f"## {heading}", "", *body, ""]
    lines += ["## Appendix B: machine-readable copy", "", "```json"]
    lines += [json.dumps(a, ensure_ascii=False, indent=2, sort_keys=True).replace("```", "` ` `"), "```", ""]
    return "\n".join(lines)
