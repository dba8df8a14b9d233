"""One quiz question from one scenario: the options, the right answer, the working, the deciding rule and a hint,
all computed from the engine's Assessment on the day the quiz is taken (never typed in the bank)."""
from __future__ import annotations

import dataclasses
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Optional

from bot.ltr import Assessment, Case, assess, load_knowledge
from bot.ltr.classification import profile
from bot.ltr.knowledge import applies_to
from bot.ltr.model import Item
from bot.ltr.threshold import pick, standard_kind
from bot.render.text import ranked_routes

from .bank import KINDS, QuizError, Scenario, long_date

NONE_OPEN = "none"
# The topic a question tests, from its kind; a scenario's own topic stands where it is the finer one (an
# exemption or PSR scenario's "which rules" question, a mixed contract's "light touch or not").
KIND_TOPIC = {"regime": "regimes", "psr_or_act": "psr", "light_touch": "light-touch", "above_threshold": "thresholds",
              "value": "value", "aim": "routes", "route": "routes", "must_do": "duties"}
FINER_TOPICS = {"regime": ("exemptions", "psr"), "light_touch": ("mixed",)}
YES_NO = [("Yes", "yes"), ("No", "no")]

# The trace steps that show the working for each kind, and (in order of precedence) the one that decided it.
# An entry is an id or a family: "T-PSR" matches T-PSR and every T-PSR-… id (bot/ltr/ARCHITECTURE.md).
_REGIME_STEPS = ("T-LIGHT-TOUCH", "T-NOT-LIGHT-TOUCH", "T-EXEMPT-SERVICE", "T-EXEMPT", "T-OUT-OF-SCOPE", "T-PSR",
                 "T-ACT-APPLIES", "T-PCR-SAVED")
_REGIME_DECIDING = ("T-EXEMPT", "T-OUT-OF-SCOPE", "T-PSR-APPLIES", "T-PSR-MIXED-APPLIES", "T-ACT-APPLIES", "T-PCR-SAVED")
WORKING = {
    "regime": (_REGIME_STEPS, _REGIME_DECIDING),
    "psr_or_act": (_REGIME_STEPS, _REGIME_DECIDING),
    "light_touch": (("T-LIGHT-TOUCH", "T-NOT-LIGHT-TOUCH", "T-EXEMPT-SERVICE", "T-MAIN", "T-S10"),
                    ("T-S10", "T-MAIN", "T-EXEMPT-SERVICE", "T-LIGHT-TOUCH", "T-NOT-LIGHT-TOUCH")),
    "above_threshold": (("T-VALUE", "T-VAT", "T-THRESHOLD", "T-ABOVE", "T-BELOW", "T-S5", "T-PART6"),
                        ("T-S5", "T-VALUE-TREATED-ABOVE", "T-ABOVE", "T-BELOW")),
    "value": (("T-VALUE", "T-VAT"), ("T-VALUE-NO-TOTAL-MONTHLY", "T-VAT-ADDED", "T-VAT-REMOVED", "T-VALUE")),
}


@dataclass(frozen=True)
class Question:
    scenario: Scenario
    kind: str
    story: str
    text: str
    options: list[tuple[str, str]]  # (label, value)
    correct: str
    working: list[str]  # the steps that lead to the answer, in the engine's words
    rule: Item  # the deciding step: its text and the law's reference
    link: Optional[str]  # the reference's page on legislation.gov.uk (or GOV.UK, NHS England), from the knowledge
    hint: str

    @property
    def topic(self) -> str:
        """What this question tests (a light touch question on a thresholds scenario tests light touch)."""
        own = self.scenario.topic
        return own if own == KIND_TOPIC.get(self.kind) or own in FINER_TOPICS.get(self.kind, ()) else KIND_TOPIC[self.kind]

    @property
    def correct_label(self) -> str:
        return next(label for label, v in self.options if v == self.correct)

    def value_of(self, given: str) -> Optional[str]:
        """The option an answer names: its value, or its label typed (any case); yes/no for two-way questions."""
        text = str(given).strip()
        for label, v in self.options:
            if text == v or text.lower() == label.lower():
                return v
        return None


def _family(item_id: str, prefixes: tuple[str, ...]) -> bool:
    return any(item_id == p or item_id.startswith(p + "-") for p in prefixes)


def _gbp(x: float) -> str:
    return f"£{x:,.0f}"


@lru_cache(maxsize=1)
def _sources() -> tuple[dict[str, str], dict[str, str]]:
    """Reference -> official source, from every cited entry of the knowledge; and instrument -> its page."""
    kb = load_knowledge()
    pairs: list[tuple[str, str]] = []
    pairs += [(t.ref, t.source) for t in kb.thresholds]
    pairs += [(d.ref, d.source) for d in kb.dates.values()]
    pairs += [(p.ref, p.source) for p in kb.parameters.values()]
    pairs += [(o.ref, o.source) for o in kb.obligations]
    pairs += [(ref, r.source) for r in kb.routes for ref in (r.ref_pa, r.ref_pcr, r.ref_psr) if ref]
    pairs += [(f.ref, f.source) for f in kb.faq]
    exact = {ref: src for ref, src in pairs if src}
    # An instrument's page is the one its own references point into most often ("PA 2023 s.51" -> ukpga/2023/54).
    votes: dict[str, Counter] = {}
    for ref, src in pairs:
        page = re.match(r"^(https://(?:www\.)?legislation\.gov\.uk/(?:ukpga|uksi)/\d{4}/\d+)", src or "")
        if page:
            votes.setdefault(_instrument(ref), Counter())[page.group(1)] += 1
    return exact, {k: c.most_common(1)[0][0] for k, c in votes.items()}


def _instrument(ref: str) -> str:
    """'PA 2023 s.9(1)' -> 'PA 2023'; 'SI 2024/716 reg 5' -> 'SI 2024/716'."""
    m = re.match(r"^(SI \d{4}/\d+|[A-Z][A-Za-z ()]*? \d{4})\b", ref.strip())
    return m.group(1) if m else ref


def link_for(ref: str) -> Optional[str]:
    exact, instruments = _sources()
    return exact.get(ref) or instruments.get(_instrument(ref))


def assessment(sc: Scenario, today: date) -> Assessment:
    return assess(Case.from_dict(sc.case_on(today)), today)


def _cpv(a: Assessment) -> str:
    kb = load_knowledge()
    case = a.case or Case()
    codes = list(case.cpv)
    for sid in [case.service] + [p.service for p in case.parts]:
        s = kb.service(sid) if sid else None
        if s is not None and getattr(s, "cpv", None):
            codes.append(str(s.cpv))
    return ", ".join(dict.fromkeys(codes)) or "its CPV code"


def _hint(kind: str, a: Assessment) -> str:
    kb = load_knowledge()
    case = a.case or Case()
    start = long_date(case.commenced) if case.commenced else "the start"
    if kind == "regime":
        return (f"Compare when the procurement began ({start}) with {long_date(kb.dates['act_start'].date)}, and ask "
                "whether the service is exempt or NHS health care.")
    if kind == "psr_or_act":
        return (f"The PSR covers the health care services on its list, bought for the NHS in England, in procurements "
                f"begun from {long_date(kb.dates['psr_start'].date)}. This service's CPV code: {_cpv(a)}.")
    if kind == "light_touch":
        hint = f"Look the CPV code ({_cpv(a)}) up in the light touch schedule."
        if case.parts:  # only a mixed contract has parts to weigh
            hint += " In a mix, which part is worth more, and could another part be bought on its own over its own threshold?"
        return hint
    if kind == "above_threshold":
        return "Work out the whole-life value first, with VAT where it is charged; then find the threshold for this kind of contract."
    if kind == "value":
        return "The price over the full term, every extension option, any one-off costs and all lots; then check VAT."
    if kind in ("aim", "route"):
        return "Some routes are open only to light touch contracts, or only above or below the threshold."
    return "Duties depend on the rules that apply, whether it is light touch and whether it is above the threshold."


def _light_touch_ref(step: Item, a: Assessment) -> Item:
    """A classification step that cites only the PSR's schedule (a service listed there too), with the light touch
    category's own reference instead, as the engine cites it for a code (bot/ltr/classification.py `profile`)."""
    if not step.ref.startswith("PSR"):
        return step
    code = re.search(r"\((\d{8})\)", step.ref)
    prof = profile(code.group(1), load_knowledge()) if code else None
    if prof is None or not prof.category_ref:
        return step
    return dataclasses.replace(step, ref=f"{prof.category_ref} ({code.group(1)})")


def _working(kind: str, a: Assessment) -> tuple[list[str], Optional[Item]]:
    shown, deciding = WORKING[kind]
    steps = [t for t in a.trace if _family(t.id, shown)]
    for family in deciding:
        found = [t for t in a.trace if _family(t.id, (family,))]
        if kind == "light_touch":  # decided by the light touch lists, not the PSR's schedule (a different question)
            found = [t for t in found if not t.ref.startswith("PSR")] or [_light_touch_ref(t, a) for t in found]
        if found:
            return [t.text for t in steps], found[-1]
    return [t.text for t in steps], None


def _threshold_options(a: Assessment, today: date) -> list[tuple[str, str]]:
    kb = load_knowledge()
    case = a.case or Case()
    used = next((t for t in kb.thresholds if t.id == a.threshold_id), None)
    if used is None:
        raise QuizError("no threshold applies")
    if used.kind.startswith("light_touch"):
        other_kind = standard_kind(kb, case.buyer, used.regime, case.utilities, case.concession)
    else:
        other_kind = "light_touch"
    other = pick(kb, used.regime, other_kind, case.commenced or today)
    rows = [used] + ([other] if other is not None and other.amount_gbp != used.amount_gbp else [])
    options = []
    for t in sorted(rows, key=lambda t: t.amount_gbp):
        name = t.kind.replace("_", " ").replace("standard sub central", "standard").replace("standard central", "standard")
        for side in ("above", "below"):
            options.append((f"{side.capitalize()} the {_gbp(t.amount_gbp)} threshold ({name})", f"{side}:{t.id}"))
    return options


def _value_options(sc: Scenario, a: Assessment) -> list[tuple[str, str]]:
    """The right figure and tempting wrong ones: the slips officers make (no extensions, one year, one lot, VAT)."""
    est = a.estimated_value_gbp
    assert est is not None
    v = (a.case or Case()).value
    vat = load_knowledge().number("vat_rate")
    wrong: list[float] = []
    if v is not None:
        rec = v.recurring
        if rec and v.years:
            per_year = {"year": 1, "month": 12, "week": 52}[rec[1]]
            wrong += [rec[0] * per_year * v.years * v.lots, rec[0] * per_year * v.lots]
        if v.lots > 1:
            wrong.append(est / v.lots)
        if v.one_off_gbp:
            wrong.append(est - v.one_off_gbp)
    ids = {t.id for t in a.trace}
    wrong += [est / (1 + vat)] if "T-VAT-ADDED" in ids else [est * (1 + vat)] if "T-VAT-REMOVED" in ids else []
    wrong += [est * (1 + vat), est / 2]
    figures = [est] + [w for w in dict.fromkeys(round(w) for w in wrong) if abs(w - est) >= 1][:3]
    options = [(_gbp(x), f"gbp:{round(x)}") for x in figures]
    return sorted(options, key=lambda o: (sum(map(ord, o[1] + sc.id)) % 5, o[1]))


def _closed_routes(sc: Scenario, a: Assessment, exclude: set[str]) -> list[tuple[str, str]]:
    """Routes closed whatever the other facts (one closed only for a missing fact would be unfair): tempting ones
    first, the same regime's routes for the other side of the threshold or the other kind of contract."""
    kb = load_knowledge()
    lt, above, regime = bool(a.light_touch), a.above_threshold, a.regime or "none"
    closed = [r for r in kb.routes if not applies_to(r.applies, regime, lt, above) and r.id not in exclude]
    closed.sort(key=lambda r: (not any(x.startswith(f"{regime}/") for x in r.applies), r.id))
    pool = _for_level(sc, regime, closed, lambda r: r.applies)[:4]
    offset = sum(map(ord, sc.id)) % max(len(pool) - 1, 1)  # a stable choice per scenario
    return [(r.label, r.id) for r in pool[offset:offset + 2]]


def _for_level(sc: Scenario, regime: str, items: list, applies) -> list:
    """At easy level the wrong options come from the case's own rules (no PSR process for a council contract
    under the Act); at other levels any tempting one will do."""
    if sc.level != "easy":
        return items
    own = [i for i in items if any(x.startswith(f"{regime}/") for x in applies(i))]
    return own if len(own) >= 2 else items


def option_text(text: str) -> str:
    """A duty as an option: without an aside that answers the question for the trainee ("within 120 days (not 30)")."""
    return re.sub(r"\s*\(not [^)]*\)", "", text).strip()


def _similar(right: str, pool: list, text, n: int = 2) -> list:
    """The n wrong options nearest in length to the right one, so that length does not give the answer away."""
    return sorted(pool, key=lambda o: (abs(len(text(o)) - len(right)), o.id))[:n]


def _shuffled(sc: Scenario, options: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted(options, key=lambda o: (sum(map(ord, o[1] + sc.id)) % 7, o[1]))  # the same way every time


def _route_item(a: Assessment, route_id: str) -> Item:
    return next(t for t in a.trace if t.id in (f"T-OPEN-{route_id}", f"T-NOT-OPEN-{route_id}"))


def build(sc: Scenario, kind: str, today: date) -> Question:
    """The question of this kind on this scenario, answered by the engine; QuizError if it cannot be asked."""
    a = assessment(sc, today)
    if a.status != "complete":
        raise QuizError(f"scenario {sc.id}: the engine needs more facts ({'; '.join(a.missing)})")
    kb = load_knowledge()
    working: list[str] = []
    rule: Optional[Item] = None
    if kind in WORKING:
        working, rule = _working(kind, a)
    if kind == "regime":
        options = [(kb.regime_names[r], r) for r in ("PCR2015", "PA2023", "PSR", "none")]
        correct = a.regime or ""
    elif kind == "psr_or_act":
        if a.regime not in ("PSR", "PA2023", "PCR2015"):
            raise QuizError(f"scenario {sc.id}: 'psr_or_act' needs the PSR, the Act or PCR to apply")
        options = [(kb.regime_names[r], r) for r in ("PSR", "PA2023", "PCR2015")]
        correct = a.regime
    elif kind == "light_touch":
        if a.regime in (None, "none", "PSR"):
            raise QuizError(f"scenario {sc.id}: 'light_touch' needs PCR or the Act to apply")
        options, correct = YES_NO, "yes" if a.light_touch else "no"
    elif kind == "above_threshold":
        if a.above_threshold is None:
            raise QuizError(f"scenario {sc.id}: no threshold applies, so 'above_threshold' cannot be asked")
        options = _threshold_options(a, today)
        correct = f"{'above' if a.above_threshold else 'below'}:{a.threshold_id}"
    elif kind == "value":
        if a.estimated_value_gbp is None or a.regime in (None, "none"):
            raise QuizError(f"scenario {sc.id}: no whole-life value to compare, so 'value' cannot be asked")
        options, correct = _value_options(sc, a), f"gbp:{round(a.estimated_value_gbp)}"
    elif kind == "route":
        outright = [r for r in ranked_routes(a) if not r.condition]  # a route open only if a fact holds is no answer
        if not outright:
            raise QuizError(f"scenario {sc.id}: no routes are open, so 'route' cannot be asked")
        right = outright[0]
        options = _shuffled(sc, [(right.label or kb.route(right.id).label, right.id)] + _closed_routes(sc, a, {right.id}))
        correct, rule = right.id, _route_item(a, right.id)
        working = [rule.text]
    elif kind == "aim":
        aims = set((a.case or Case()).aims)
        fitting = [r for r in kb.routes if aims & set(r.aims)]
        if not fitting:
            raise QuizError(f"scenario {sc.id}: 'aim' needs the case to name an aim a route answers")
        open_ids = {r.id for r in a.routes if not r.condition}
        right_route = next((r for r in fitting if r.id in open_ids), None)
        shown = right_route or fitting[0]
        options = _shuffled(sc, [(shown.label, shown.id)] + _closed_routes(sc, a, {shown.id}))
        options.append(("None of these is open here", NONE_OPEN))
        correct = right_route.id if right_route else NONE_OPEN
        rule = _route_item(a, shown.id)
        working = [rule.text]
    elif kind == "must_do":
        if not a.obligations:
            raise QuizError(f"scenario {sc.id}: no duties apply, so 'must_do' cannot be asked")
        taught = sc.trace[len("T-DUTY-"):] if sc.trace.startswith("T-DUTY-") else None
        duty = next((o for o in a.obligations if o.id == taught), a.obligations[0])
        lt, above, regime = bool(a.light_touch), a.above_threshold, a.regime or "none"
        applying = {o.id for o in a.obligations}
        closed = [o for o in kb.obligations if o.id not in applying and not applies_to(o.applies, regime, lt, above)]
        closed.sort(key=lambda o: (not any(x.startswith(f"{regime}/") for x in o.applies), o.priority, o.id))
        own = next(o for o in kb.obligations if o.id == duty.id)  # the duty's words without "This applies because …"
        right_text = option_text(own.text)
        wrong = _similar(right_text, _for_level(sc, regime, closed, lambda o: o.applies)[:8], lambda o: option_text(o.text))
        options = _shuffled(sc, [(right_text, own.id)] + [(option_text(o.text), o.id) for o in wrong])
        correct = duty.id
        rule = next(t for t in a.trace if t.id == f"T-DUTY-{duty.id}")
        working = [rule.text]
    else:
        raise QuizError(f"unknown question kind '{kind}'")
    if rule is None:
        raise QuizError(f"scenario {sc.id}: the engine's trace shows no rule deciding '{kind}'")
    return Question(sc, kind, sc.story_on(today), KINDS[kind], options, correct, working, rule, link_for(rule.ref),
                    _hint(kind, a))

