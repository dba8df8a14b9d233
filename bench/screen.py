"""Benchmark: `ltr screen` on a generated 10,000-row pipeline (rows per second, peak memory). Not a test.

The rows vary as council pipelines do: many services, values written in a dozen ways ("c.£120k pa",
"£1.2m", "450,000", "TBC"), terms ("2+1+1", "36 months"), VAT and dates in several forms, and a few
duplicates. The whole command runs in a child process (reading, screening, writing CSV), so its peak
memory is the process's own. Target: 10,000 rows in at most 60 s, peak memory under 500 MB.

Run with `make bench` (or `python -m bench.screen [ROWS]`).
"""
from __future__ import annotations

import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time

SERVICES = ["Home care for older people", "Supported living - learning disabilities", "Carers' support service",
            "Residential care placements", "Independent advocacy", "Day opportunities", "Meals on wheels",
            "Telecare alarm monitoring", "Telecare equipment supply", "Housing related support for young people",
            "Case management system (software licence and support)", "Cleaning of council offices",
            "Grounds maintenance", "Agency social workers", "Safeguarding training for staff", "Library management",
            "Substance misuse treatment service", "Extra care housing support", "Youth club sessions",
            "Counsel for care proceedings", "Domestic abuse refuge", "Floating support", "Stop smoking service",
            "Respite care for carers", "Parks cafe concession"]
VALUES = ["c.£{k}k pa", "£{k},000", "{k}000", "£{m}m", "TBC", "£{k}k", "approx £{k}k per annum", "{k},000 ex VAT"]
TERMS = ["3", "2+1+1", "36 months", "5 years", "3 + 2", "1", "TBC", "4"]
VATS = ["Inc VAT", "ex VAT", "VAT exempt", "", "Inc"]
DATES = ["01/04/2027", "Q2 27/28", "Sep-27", "2027-06-01", "Jan 2028", "TBC", "1 October 2027", "Contracts Finder advert 15/01/2025"]
ROUTES = ["Open tender", "Framework", "Direct award", "Quotes", ""]


def make(path: str, n: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Ref", "Contract title", "Est. annual value (£)", "Term (yrs)", "Extensions", "Inc/Ex VAT",
                    "Tender notice date", "Route to market", "Lead officer"])
        for i in range(n):
            k = rnd.choice([8, 25, 45, 60, 90, 120, 150, 200, 250, 400, 650, 900])
            v = rnd.choice(VALUES).format(k=k, m=round(k / 100, 1))
            w.writerow([f"P{i:05d}", rnd.choice(SERVICES), v, rnd.choice(TERMS), rnd.choice(["", "+1", "1+1", "None"]),
                        rnd.choice(VATS), rnd.choice(DATES), rnd.choice(ROUTES), "A Officer"])


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        src, out = os.path.join(tmp, "pipeline.csv"), os.path.join(tmp, "screened.csv")
        make(src, n)
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "bot.cli", "screen", src, "--as-of", "2026-12-07", "--out", out],
                              capture_output=True, text=True)
        seconds = time.perf_counter() - t0
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if proc.returncode not in (0, 1):
            print(f"bench.screen: failed ({proc.returncode}): {proc.stderr.strip()}")
            raise SystemExit(1)
        with open(out, encoding="utf-8-sig") as f:
            written = sum(1 for _ in csv.reader(f)) - 1
    print(f"bench.screen: {written:,} rows screened in {seconds:.1f} s = {written / seconds:,.0f} rows/s "
          f"(target: 10,000 rows in 60 s or less)")
    print(f"bench.screen: peak memory {peak_mb:,.0f} MB (target: under 500 MB)")
    print("bench.screen: " + proc.stdout.strip().splitlines()[-3])


if __name__ == "__main__":
    main()
