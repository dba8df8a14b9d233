"""One run of the engine: the case, the knowledge and what the steps record (trace, warnings, assumptions,
facts that would change the answer), and the classified subject-matter the steps share."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from .knowledge import Knowledge, Scope, Service
from .model import Assessment, Case, Item, Profile
from .price import working


@dataclass(frozen=True)
class PartProfile:
    """One classified part of a mixed contract."""

    profile: Profile
    value_gbp: Optional[float]
    separable: Optional[bool]
    label: str


@dataclass
class Subject:
    """The classified subject-matter of the contract."""

    label: str
    main: Optional[Profile]
    service: Optional[Service] = None
    parts: list[PartProfile] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)


class Run:
    """What one assess() call has found so far; each step reads the case and knowledge and records here."""

    def __init__(self, case: Case, as_of: date, kb: Knowledge):
        self.case, self.as_of, self.kb = case, as_of, kb
        self.trace: list[Item] = []
        self.warnings: list[Item] = []
        self.assumptions: list[str] = []
        self.missing: list[str] = []
        self.mixed_mention = False  # the text named several services that the rules treat differently
        self.question: Optional[str] = None  # the question to ask when a code cannot decide on its own

    def step(self, id_: str, text: str, ref: str) -> None:
        self.trace.append(Item(id_, text, ref))

    def warn(self, id_: str, text: str, ref: str, source: str = "") -> None:
        if all(w.id != id_ for w in self.warnings):
            self.warnings.append(Item(id_, f"{text} Check with your legal team.", ref, verified=False, source=source))

    def assume(self, text: str) -> None:
        if text not in self.assumptions:
            self.assumptions.append(text)

    def need(self, text: str) -> None:
        if text not in self.missing:
            self.missing.append(text)

    def date(self, key: str) -> date:
        return self.kb.dates[key].date

    def day(self, key: str) -> str:
        """A key date from dates.yml in words: "24 February 2025"."""
        return day(self.kb.dates[key].date)

    def result(self, **kw) -> Assessment:
        regime = kw.get("regime")
        kw.setdefault("regime_name", self.kb.regime_names[regime] if regime else "")
        category = kw.get("service_category")
        if category:
            kw.setdefault("service_category_label", next(c.label for c in self.kb.categories if c.id == category))
        return Assessment(rules_version=self.kb.rules_version, as_of=self.as_of, case=self.case, trace=self.trace,
                          warnings=self.warnings, assumptions=self.assumptions, missing=self.missing, **kw)

    def other_nation(self, nation_id: Optional[str]) -> Assessment:
        """A buyer outside England (reference §11): out of scope, saying which rules govern that nation instead,
        with the reference's unconfirmed points as caveats. Without the nation, what each nation follows."""
        nation = self.kb.nation(nation_id) if nation_id else None
        if nation is None:
            return self.out_of_scope("not_england")
        for i, caveat in enumerate(nation.caveats):
            self.warn(f"W-NATION-{nation.id.upper()}-{i + 1}", caveat, nation.ref, nation.source)
        return self.out_of_scope(f"not_england_{nation.id}", scope=nation)

    def out_of_scope(self, scope_id: str, estimated_value_gbp: Optional[float] = None, scope: Optional[Scope] = None) -> Assessment:
        """The tool does not cover this case: the answer and the JSON both say so, with no regime.

        The value is reported as given (whole-life, no VAT adjustment) unless a step has already worked it out."""
        scope = scope or self.kb.out_of_scope[scope_id]
        if estimated_value_gbp is None and self.case.value is not None and not self.case.value.unknown:
            stated = working(self.case.value, self.case.term_years)
            estimated_value_gbp = None if stated is None else round(stated.total_gbp, 2)
        item = Item(scope_id, scope.text, scope.ref, scope.verified, scope.source)
        self.step("T-OUT-OF-SCOPE", scope.text, scope.ref)
        return self.result(regime=None, light_touch=None, above_threshold=None, threshold_gbp=None,
                           estimated_value_gbp=estimated_value_gbp, out_of_scope=item,
                           answer=f"{scope.text} Check with your legal team.")


def day(d: date) -> str:
    """A date in words, as officers write it: 24 February 2025."""
    return f"{d.day} {d:%B %Y}"
