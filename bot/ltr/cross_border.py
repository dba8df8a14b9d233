"""Step: certain cross-border interest (reference §6.3): a test only for PCR procurements begun before 2021."""
from __future__ import annotations

from datetime import date

from .run import Run


def cross_border(run: Run, regime: str, commenced: date) -> str:
    if regime == "PCR2015" and commenced < run.date("treaty_end"):
        year = run.date("treaty_end").year
        run.step("T-CROSS-BORDER-TEST", f"Before {year}, a contract of certain cross-border interest had to respect the EU Treaty "
                 "principles of transparency and equal treatment, even outside the detailed rules.", "Case C-507/03 Commission v Ireland")
        if run.case.cross_border_interest == "unknown":
            run.need(f"whether the contract was of certain cross-border interest (it mattered before {year})")
        return "assess"
    run.step("T-CROSS-BORDER-NOT-A-TEST", "Cross-border interest is not a legal test for this procurement; the thresholds decide.",
             "PA 2023 ss.89-90" if regime != "PCR2015" else run.kb.dates["treaty_end"].ref)
    return "not_a_test"
