"""Published notices in the Open Contracting Data Standard (Contracts Finder, Find a Tender, the Central
Digital Platform) -> rows to screen: one row per release.

Reads release packages, record packages (each record's compiled release, else its latest release) and one
release per line. Facts stated as data (CPV codes, amounts, dates) are taken as data; titles and descriptions
are read as the chat reads a message. What this assumes is said in each row's notes.
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any, Iterator, Optional

from bot.ltr.knowledge import load_knowledge
from bot.text.facts import parse_buyer

from .rows import RowIn
from .tables import TableError, decode

CONTRACTS_FINDER = "ocds-b5fd17-"
# "rn" left where a line break was: "(RFI)rn This", "requirementrnThe", "respond rnPlease", "rnrn" (never inside
# a word such as "modern" or "return")
_DEBRIS = re.compile(r"(?:rn){2,}|(?<=[.,;:)!?'\"])rn|(?<=\s)rn(?=[A-Z\s]|$)|(?<=[a-z0-9])rn(?=[A-Z])|\\r\\n|\r\n|\n")
_NOT_NHS = re.compile(r"\bhousing\b|\bhomes?\b|\bgroup\b|\bpartnership\b", re.I)


def read_ocds(data: bytes) -> tuple[list[RowIn], list[str]]:
    text, _ = decode(data)
    releases = list(_releases(text))
    if not releases:
        raise TableError("no OCDS releases found (expected a release package, a record package or one release per line)")
    act_start = load_knowledge().dates["act_start"].date
    rows = [_row(r, i + 1, act_start) for i, r in enumerate(releases)]
    return rows, [f"{len(rows)} OCDS release{'s' if len(rows) != 1 else ''}."]


def _releases(text: str) -> Iterator[dict[str, Any]]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as whole:
        lines = [ln for ln in text.splitlines() if ln.strip()]
        try:
            docs = [json.loads(ln) for ln in lines]
        except json.JSONDecodeError:
            raise TableError(f"not valid JSON (line {whole.lineno}, column {whole.colno})") from None
        for d in docs:
            yield from _from_doc(d)
        return
    yield from _from_doc(doc)


def _from_doc(doc: Any) -> Iterator[dict[str, Any]]:
    if isinstance(doc, list):
        for d in doc:
            yield from _from_doc(d)
    elif not isinstance(doc, dict):
        raise TableError("not an OCDS document: expected JSON objects")
    elif isinstance(doc.get("releases"), list):
        for r in doc["releases"]:
            if isinstance(r, dict):
                yield r
    elif isinstance(doc.get("records"), list):
        for rec in doc["records"]:
            if not isinstance(rec, dict):
                continue
            if isinstance(rec.get("compiledRelease"), dict):
                yield rec["compiledRelease"]
            else:
                full = [r for r in rec.get("releases") or [] if isinstance(r, dict) and "tender" in r]
                if full:
                    yield max(full, key=lambda r: str(r.get("date") or ""))
    elif "ocid" in doc or "tender" in doc:
        yield doc
    else:
        raise TableError("not an OCDS document: no releases or records")


def _d(v: Any) -> Optional[date]:
    if not isinstance(v, str) or len(v) < 10:
        return None
    try:
        return datetime.fromisoformat(v[:10]).date()
    except ValueError:
        return None


def _clean(text: Any) -> str:
    if not isinstance(text, str):
        return ""
    return " ".join(_DEBRIS.sub(" ", text).split())[:2000]


def _gbp(v: Any) -> Optional[float]:
    if isinstance(v, dict) and isinstance(v.get("amount"), (int, float)) and not isinstance(v.get("amount"), bool):
        if v.get("currency") in (None, "GBP") and v["amount"] > 0:
            return float(v["amount"])
    return None


def _row(r: dict[str, Any], n: int, act_start: date) -> RowIn:
    tender = r.get("tender") if isinstance(r.get("tender"), dict) else {}
    awards = [a for a in r.get("awards") or [] if isinstance(a, dict) and a.get("status") in (None, "active", "pending")]
    tags = [str(t) for t in r.get("tag") or []]
    row = RowIn(ref=str(r.get("id") or r.get("ocid") or n), line=n)
    for name, heading, value in (("title", "tender.title", tender.get("title")),
                                 ("description", "tender.description", tender.get("description"))):
        t = _clean(value)
        if t:
            row.cells[name] = [(heading, t)]
    codes = []
    for c in [tender.get("classification")] + list(tender.get("additionalClassifications") or []) + \
            [i.get("classification") for i in tender.get("items") or [] if isinstance(i, dict)]:
        if isinstance(c, dict) and str(c.get("scheme", "CPV")).upper() == "CPV" and c.get("id"):
            code = re.sub(r"\D", "", str(c["id"]))[:8]
            if len(code) == 8 and code not in codes:
                codes.append(code)
    if codes:
        row.cells["cpv"] = [("tender.classification", " ".join(codes))]
    # The value: the awarded amounts when the notice has them, else the tender's estimate (its top figure).
    award_total = sum(v for v in (_gbp(a.get("value")) for a in awards) if v)
    tender_value = _gbp(tender.get("value"))
    value, source = (award_total, "awards[].value") if award_total else (tender_value, "tender.value")
    if value:
        row.facts["value"] = {"total_gbp": value}
        row.cells["total_value"] = [(source, f"£{value:,.2f}".replace(".00", ""))]
        if r.get("ocid", "").startswith(CONTRACTS_FINDER):
            row.facts["vat"] = "excluded"
            row.notes.append("Contracts Finder amounts are usually without VAT: read as excluding VAT.")
    elif any(isinstance(x, dict) and x.get("currency") not in (None, "GBP") for x in [tender.get("value")] + [a.get("value") for a in awards]):
        row.notes.append("The value is not in pounds: not used.")
    period = tender.get("contractPeriod") or next((a.get("contractPeriod") for a in awards if a.get("contractPeriod")), None)
    if isinstance(period, dict) and (period.get("startDate") or period.get("endDate")):
        row.cells["term"] = [("tender.contractPeriod", f"{str(period.get('startDate') or '?')[:10]} to {str(period.get('endDate') or '?')[:10]}")]
    _commenced(r, tender, awards, tags, row, act_start)
    method = _clean(tender.get("procurementMethodDetails"))
    if method:
        row.cells["route"] = [("tender.procurementMethodDetails", method)]
        if re.search(r"framework|dynamic purchasing", method, re.I):
            row.notes.append("A call-off from a framework or DPS: the rules that governed the framework govern the call-off.")
    buyer = r.get("buyer") if isinstance(r.get("buyer"), dict) else {}
    name = _clean(buyer.get("name"))
    if name:
        row.cells["buyer"] = [("buyer.name", name)]
        b = parse_buyer(name, answer=True)
        kind = b.value if b else None
        if kind and kind.startswith("nhs") and _NOT_NHS.search(name) and "nhs" not in name.lower():
            kind = None  # "London & Quadrant Housing Trust" is not an NHS trust
        row.facts["buyer"] = kind  # None: the default buyer type
        if not kind:
            row.notes.append(f"The buyer's type could not be told from its name ('{name}'); read with the default "
                             "buyer type. Check with your legal team.")
    row.notes.append(f"Notice: {', '.join(tags) or 'no tag'}, published {str(r.get('date') or '')[:10] or 'on an unknown date'}.")
    return row


def _commenced(r: dict[str, Any], tender: dict[str, Any], awards: list[dict[str, Any]], tags: list[str], row: RowIn,
               act_start: date) -> None:
    """The procurement started on or before the earliest date the notice gives (its advert, its deadline, the
    contract's start, an award): that date is used, and an award of a procurement advertised under PCR stays PCR."""
    tp = tender.get("tenderPeriod") or {}
    candidates = [_d(tender.get("datePublished")), _d(tp.get("startDate")), _d(tp.get("endDate")), _d(r.get("date"))]
    for x in [tender.get("contractPeriod")] + [a.get("contractPeriod") for a in awards]:
        if isinstance(x, dict):
            candidates.append(_d(x.get("startDate")))
    candidates += [_d(a.get("date")) for a in awards]
    known = [c for c in candidates if c]
    if not known:
        return
    first = min(known)
    if tags and all(t == "planning" for t in tags):
        row.notes.append("A planning notice (market engagement): the procurement has not started, and the date it "
                         "starts decides the rules.")
        return
    row.facts["commenced"] = first.isoformat()
    row.cells["start"] = [("earliest date in the notice", first.isoformat())]
    advertised = _d(tender.get("datePublished")) or _d(tp.get("startDate"))
    if first < act_start:
        if r.get("ocid", "").startswith(CONTRACTS_FINDER) and "planning" not in tags:
            row.facts["commencement_event"] = "contracts_finder_advert"
        if advertised != first:
            row.notes.append(f"The procurement started on or before {first.isoformat()}, the earliest date in the notice.")
    elif advertised is None and any(t.startswith("award") or t.startswith("contract") for t in tags):
        row.notes.append(f"The notice does not say when the procurement was advertised; {first.isoformat()} is its earliest "
                         "date. If it was advertised before 24 February 2025, PCR 2015 applies. Check with your legal team.")


__all__ = ["read_ocds"]
