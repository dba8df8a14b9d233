"""Benchmark: time of bot.ltr.assess() over a mixed set of cases (median and p99). Not a test.

Run with `make bench`. Prints one line per statistic. `--smoke`: one round (the tests check it runs).
"""
from __future__ import annotations

import argparse
import statistics
import time
from datetime import date

from bot.ltr import Case, assess, load_knowledge

AS_OF = date(2026, 11, 26)
CASES = [
    {"service": "home care", "value": {"total_gbp": 700000}, "commenced": "2026-04-01"},
    {"service": "supported living", "value": {"annual_gbp": 180000, "years": 3, "extension_years": 2}, "commenced": "2026-04-01", "vat": "exempt"},
    {"service": "substance misuse", "value": {"total_gbp": 2000000}, "commenced": "2026-04-01"},
    {"service": "software", "value": {"total_gbp": 150000}, "commenced": "2025-06-01"},
    {"service": "school meals", "value": {"total_gbp": 40000}, "buyer": "school"},
    {"service": "telecare", "value": {"total_gbp": 500000}},
    {"cpv": ["85312000"], "value": {"annual_gbp": 100000, "years": 6}, "commenced": "2023-03-01", "commencement_event": "pcr_contract_notice"},
    {"parts": [{"service": "home care", "value_gbp": 500000}, {"service": "software", "value_gbp": 300000, "separable": True}], "commenced": "2026-04-01"},
    {"service": "litigation", "value": {"total_gbp": 100000}},
    {"service": "e-learning", "value": {"unknown": True}, "commenced": "2026-02-01", "user_choice": False},
]
ROUNDS = 300


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--smoke", action="store_true", help="one round (tests); figures mean nothing")
    rounds = 1 if p.parse_args(argv).smoke else ROUNDS
    t0 = time.perf_counter()
    load_knowledge()
    load_ms = (time.perf_counter() - t0) * 1000
    cases = [Case.from_dict(c) for c in CASES]
    for c in cases:  # warm caches (term index) once, as a running server would
        assess(c, AS_OF)
    samples = []
    for _ in range(rounds):
        for c in cases:
            t = time.perf_counter_ns()
            assess(c, AS_OF)
            samples.append((time.perf_counter_ns() - t) / 1e6)
    samples.sort()
    p99 = samples[max(0, int(len(samples) * 0.99) - 1)]
    print(f"assess(): {len(samples)} calls over {len(cases)} mixed cases")
    print(f"  knowledge load (first call): {load_ms:.1f} ms")
    print(f"  median: {statistics.median(samples):.3f} ms")
    print(f"  p99:    {p99:.3f} ms")
    print(f"  max:    {samples[-1]:.3f} ms")


if __name__ == "__main__":
    main()
