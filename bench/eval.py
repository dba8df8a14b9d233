"""`make eval`: the assistant scored on the evaluation sets in ../shared/eval (a measurement, not a test).

    python -m bench.eval EVAL_DIR [SECTIONS] [score.py options...] [--smoke]

Starts the action server and Rasa on free loopback ports with a fresh tracker store and LTR_TODAY set to
the sets' "today" (2026-11-26), runs EVAL_DIR/score.py against them, prints its report and stops.
`--smoke`: the first item of each set only (the tests check that it runs; figures mean nothing).
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import yaml
from pathlib import Path

from bot.server import supervisor

EVAL_TODAY = "2026-11-26"


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    eval_dir, rest = Path(argv[0]), [a for a in argv[1:] if a != "--smoke"]
    score = eval_dir / "score.py"
    if not score.is_file():
        print(f"The evaluation sets are not here: {score} does not exist.", file=sys.stderr)
        return 2
    if "--smoke" in argv:
        firsts = [yaml.safe_load((eval_dir / f"{s}.yaml").read_text())[0]["id"] for s in ("oneshot", "multiturn", "faq")]
        rest += ["--only", ",".join(firsts)]
    with tempfile.TemporaryDirectory(prefix="lta-eval-") as tmp:
        print("Starting the assistant for the evaluation (about 30 s)...", flush=True)
        running = supervisor.start(Path(tmp), extra_env={"LTR_TODAY": EVAL_TODAY})
        try:
            env = {**os.environ, "LTA_REST_TOKEN": running.rest_token}  # score.py sends it as a bearer token
            return subprocess.call([sys.executable, str(score), *rest, "--url", running.url], env=env)
        finally:
            running.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
