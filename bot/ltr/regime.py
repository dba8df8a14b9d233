"""Step: PCR 2015 saved, or the Procurement Act 2023 (SI 2024/716 reg 5; reference §1.1), and whether the
commencement date sits close to a change in the rules."""
from __future__ import annotations

from datetime import date, timedelta

from .run import Run, Subject, day


NEAR_DATE = timedelta(days=31)  # a tool policy, not law: dates this close to a change in the rules are confirmed


def regime_for(run: Run, commenced: date, light_touch_service: bool) -> str:
    case = run.case
    act = run.date("act_start")
    event = case.commencement_event
    saving_ref = "SI 2024/716 reg 5"
    if commenced >= act:
        if event and event.startswith("pcr_") or event == "contracts_finder_advert":
            run.warn("W-LATE-PCR-EVENT", f"A PCR notice or advert on or after {run.day('act_start')} does not keep PCR 2015 in force.", saving_ref)
        run.step("T-ACT-APPLIES", f"The procurement commenced on {day(commenced)}, on or after {run.day('act_start')}: the Procurement Act 2023 applies.",
                 "SI 2024/716 reg 2(2)")
        return "PA2023"
    if event in run.kb.ids("act_only_events"):
        run.warn("W-DATE-EVENT", f"A notice under the Procurement Act cannot be dated before {run.day('act_start')}; check the date.", "SI 2024/716 reg 2(2)")
        run.step("T-ACT-APPLIES-ACT-NOTICE", "An Act notice was used, so the Procurement Act 2023 applies.", "SI 2024/716 reg 2(2)")
        return "PA2023"
    if event in run.kb.ids("pcr_saving_events"):
        run.step("T-PCR-SAVED", f"A PCR saving event ({event.replace('_', ' ')}) happened before {run.day('act_start')}: PCR 2015 applies "
                 "to this procurement and the resulting contract for its whole life.", saving_ref)
        return "PCR2015"
    if event == "pcr_pin":
        # For a light touch service the PIN is read as the light touch PIN of reg 75(1)(b); otherwise as reg 26(9).
        if not light_touch_service and commenced < run.date("pcr_pin_26_9_cutoff") and case.buyer not in run.kb.ids("central_buyers_PCR2015"):
            run.step("T-PCR-SAVED-PIN", f"A sub-central authority's PIN call for competition submitted before {run.day('pcr_pin_26_9_cutoff')}: PCR 2015 applies.",
                     "SI 2024/716 reg 5 (reg 26(9) PIN)")
            run.warn("W-PIN-TYPE", "This assumes the PIN was a reg 26(9) call for competition. A light touch PIN under reg 75(1)(b) "
                     "is not listed as a saving event.", "SI 2024/716 reg 5(3)(c); PCR 2015 reg 75(1)(b)")
            return "PCR2015"
        run.step("T-ACT-APPLIES-LT-PIN", "A light touch PIN (PCR reg 75(1)(b)) is not a saving event, so unless the contract was awarded before "
                 f"{run.day('act_start')} the Procurement Act 2023 applies.", "SI 2024/716 reg 5(3)(c)")
        run.warn("W-PIN-GAP", "Read literally, the transitional rules do not list a light touch PIN (reg 75(1)(b)) among the events "
                 "that keep PCR 2015 in force. Guidance may soften this.", "SI 2024/716 reg 5(3)(c); PCR 2015 reg 75(1)(b)")
        run.need(f"whether the contract was awarded before {run.day('act_start')} (that would keep PCR 2015)")
        if light_touch_service and commenced < run.date("pcr_pin_26_9_cutoff") and case.buyer not in run.kb.ids("central_buyers_PCR2015"):
            run.need(f"whether the PIN was a reg 26(9) call for competition submitted before {run.day('pcr_pin_26_9_cutoff')} "
                     "(that would keep PCR 2015)")
        return "PA2023"
    run.assume("A PCR saving event (contract notice, Contracts Finder advert, supplier contact or award) happened before "
               f"{run.day('act_start')}.")
    run.need(f"what happened before {run.day('act_start')}: a contract notice, an advert, supplier contact or an award keeps PCR 2015")
    run.step("T-PCR-SAVED-ASSUMED", f"The procurement began on {day(commenced)}, before {run.day('act_start')}: PCR 2015 applies.", saving_ref)
    return "PCR2015"


def date_boundaries(run: Run, regime: str, commenced: date, subject: Subject) -> None:
    keys = ["act_start"]
    if regime == "PA2023" and not (subject.main and subject.main.light_touch):
        keys.append("act_2026_thresholds")
    if regime == "PCR2015":
        keys.append("pcr_vat_inclusive")
    if subject.main and subject.main.psr:
        keys.append("psr_start")
    for k in keys:
        d = run.date(k)
        if abs(commenced - d) <= NEAR_DATE:
            run.need(f"the exact commencement date: it is close to {day(d)}, when {run.kb.dates[k].text[0].lower()}"
                     f"{run.kb.dates[k].text[1:]}")
