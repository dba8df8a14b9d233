"""Where a turn's time goes: Rasa and the action server under cProfile, with N users on REST.

    python -m bench.profile [--users 20] [--conversations 3] [--out artifacts/profile]

Starts the action server and Rasa as bot.server.supervisor does, each under cProfile (`python -m
cProfile`), loads them with bench.assistant's conversations, stops them, and prints per turn the
milliseconds spent in each stage of Rasa's turn (reading the conversation, NLU, policies, actions,
saving) and in the action server's hot spots. The .prof files stay in --out for `python -m pstats`.
cProfile's own overhead inflates every figure by a similar factor: compare stages, not absolutes.
Not part of `make bench` (it takes minutes and slows the servers); run it by hand. `--smoke`: one user, one
conversation (the tests check that it runs; figures mean nothing).

    python -m bench.profile --startup 3 [--model M ...]

Start-up instead (no cProfile): Rasa started `--startup` times each way, alternating, as `rasa run` and as
`python -m bot.server.speedups run` (TensorFlow deferred); for each, the seconds from the process start to
Rasa's first 200 on `/` (the model loaded), its RSS then, and whether TensorFlow's library is in the process
(/proc/PID/maps). `--model` again compares models too (e.g. an older one with DIET).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import pstats
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

from bench.assistant import ASSISTANT_SCRIPTS, TODAY, load, rss_mb
from bot.server import supervisor

ROOT = Path(__file__).resolve().parents[1]

# (label, file fragment, function name): cumulative time of these functions, per turn.
RASA_STAGES = [
    ("whole turn (MessageProcessor.handle_message)", "rasa/core/processor.py", "handle_message"),
    ("read the conversation (tracker store)", "bot/server/store.py", "retrieve"),
    ("  rebuild it from stored JSON", "rasa/core/tracker_store.py", "deserialise_tracker"),
    ("NLU (parse_message)", "rasa/core/processor.py", "parse_message"),
    ("  intent classifier (bot/server/intents.py)", "bot/server/intents.py", "process"),
    ("policies (predict next action)", "rasa/core/processor.py", "_predict_next_with_tracker"),
    ("  RulePolicy", "rasa/core/policies/rule_policy.py", "predict_action_probabilities"),
    ("actions (excluding the wait for the action server)", "rasa/core/processor.py", "_run_action"),
    ("  check the action server's reply", "bot/server/speedups.py", "_validate_action_result"),
    ("save the turn (tracker store)", "bot/server/store.py", "save"),
]
ACTION_STAGES = [
    ("whole action call (rasa_sdk webhook)", "rasa_sdk/endpoint.py", "webhook"),
    ("dialogue turn", "bot/assistant/dialogue.py", "turn"),
    ("  reading the message", "bot/text/reader.py", "read_message"),
    ("  FAQ answer", "bot/assistant/faq.py", "faq_reply"),
    ("    FAQ ranking", "bot/assistant/faq.py", "rank_topics"),
]


def cumulative(stats: pstats.Stats, fragment: str, name: str) -> float:
    return sum(v[3] for (f, _, n), v in stats.stats.items() if fragment in f and n == name)  # type: ignore[attr-defined]


def report(prof: Path, stages: list[tuple[str, str, str]], turns: int, warm_up: Optional[tuple[str, str]] = None) -> None:
    stats = pstats.Stats(str(prof))
    skip = cumulative(stats, *warm_up) if warm_up else 0.0
    for label, fragment, name in stages:
        seconds = cumulative(stats, fragment, name)
        if name == "rank_topics":
            seconds -= skip  # building the index (once, at start-up) is not a turn's work
        print(f"  {label:52} {seconds / turns * 1000:7.1f} ms")


# How Rasa is started: as `rasa run` does, or through bot.server.speedups (TensorFlow deferred).
LAUNCHERS = {"rasa run": lambda py: [supervisor._bin("rasa")], "speedups": lambda py: [py, "-m", "bot.server.speedups"]}


def tensorflow_mapped(pid: int) -> bool:
    """TensorFlow's shared library is loaded in the process (it is once `import tensorflow` has run)."""
    try:
        return "libtensorflow" in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


def start_once(launcher: str, model: Path, workdir: Path) -> dict:
    port = supervisor.free_port()
    endpoints = supervisor.write_endpoints(workdir / "endpoints.yml", "http://127.0.0.1:9/", workdir / "rasa.db")
    env = {**os.environ, **supervisor.QUIET_ENV, "LTA_REST_TOKEN": "startup-token-0123456789"}
    began = time.monotonic()
    proc = subprocess.Popen(
        [*LAUNCHERS[launcher](sys.executable), "run", "--model", str(model), "--endpoints", str(endpoints),
         "--credentials", str(ROOT / "credentials.yml"), "--interface", "127.0.0.1", "--port", str(port)],
        cwd=ROOT, env=env, stdout=open(workdir / "rasa.log", "ab"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        supervisor.wait_for(f"http://127.0.0.1:{port}/", 300, proc)
        seconds = time.monotonic() - began
        return {"seconds": seconds, "rss_mb": rss_mb(proc.pid) or 0.0, "tensorflow": tensorflow_mapped(proc.pid)}
    finally:
        supervisor.stop_process(proc)


def startup(models: list[Path], rounds: int) -> int:
    """Each (launcher, model) started `rounds` times, the order alternating each round; medians and ranges."""
    combos = [(launcher, model) for model in models for launcher in LAUNCHERS]
    runs: dict[tuple[str, Path], list[dict]] = {c: [] for c in combos}
    with tempfile.TemporaryDirectory(prefix="lta-startup-") as d:
        for n in range(rounds):
            for c in (combos if n % 2 == 0 else combos[::-1]):
                w = Path(d) / f"{n}-{combos.index(c)}"
                w.mkdir()
                runs[c].append(start_once(c[0], c[1], w))
                print(f"  round {n + 1}: {c[0]:9} {c[1].name}: {runs[c][-1]['seconds']:.1f} s, "
                      f"{runs[c][-1]['rss_mb']:.0f} MB", flush=True)
    print(f"\n{'how':10} {'model':26} {'start-up s (median, range)':28} {'RSS MB (median, range)':26} TensorFlow loaded")
    for (launcher, model), r in runs.items():
        s, m = [x["seconds"] for x in r], [x["rss_mb"] for x in r]
        tf = sorted({x["tensorflow"] for x in r})
        print(f"{launcher:10} {model.name:26} {statistics.median(s):5.1f} ({min(s):.1f}-{max(s):.1f}){'':14} "
              f"{statistics.median(m):5.0f} ({min(m):.0f}-{max(m):.0f}){'':12} {'/'.join(map(str, tf))}")
    print(f"({rounds} rounds; load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    return 0


def main(argv: Optional[list[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--users", type=int, default=20)
    p.add_argument("--conversations", type=int, default=3, help="per user")
    p.add_argument("--out", type=Path, default=ROOT / "artifacts" / "profile")
    p.add_argument("--smoke", action="store_true", help="one user, one conversation (tests)")
    p.add_argument("--startup", type=int, default=0, metavar="ROUNDS", help="measure start-up instead")
    p.add_argument("--model", type=Path, action="append", help="with --startup (default models/assistant.tar.gz)")
    args = p.parse_args(argv)
    if args.startup:
        return startup(args.model or [supervisor.DEFAULT_MODEL], 1 if args.smoke else args.startup)
    if args.smoke:
        args.users, args.conversations = 1, 1
    w = args.out.resolve()
    w.mkdir(parents=True, exist_ok=True)
    for old in w.glob("rasa.db*"):
        old.unlink()
    token = "profile-token-0123456789"
    # cProfile slows the action server past the 1.5 s action time limit; the profile needs answers, not apologies.
    env = {**os.environ, **supervisor.QUIET_ENV, "LTR_TODAY": TODAY, "LTA_REST_TOKEN": token,
           "LTA_ACTION_TIMEOUT_SECONDS": "30"}
    ap, rp = supervisor.free_port(), supervisor.free_port()
    endpoints = supervisor.write_endpoints(w / "endpoints.yml", f"http://127.0.0.1:{ap}", w / "rasa.db")
    py = sys.executable
    actions = subprocess.Popen(
        [py, "-m", "cProfile", "-o", str(w / "actions.prof"), "-m", "bot.server.supervisor", "--serve-actions",
         "--actions-port", str(ap)],
        cwd=ROOT, env={**env, "SANIC_HOST": "127.0.0.1"}, stdout=open(w / "actions.log", "wb"), stderr=subprocess.STDOUT)
    rasa = subprocess.Popen(
        [py, "-m", "cProfile", "-o", str(w / "rasa.prof"), supervisor._bin("rasa"), "run", "--model",
         str(supervisor.DEFAULT_MODEL), "--endpoints", str(endpoints), "--credentials", str(ROOT / "credentials.yml"),
         "--interface", "127.0.0.1", "--port", str(rp)],
        cwd=ROOT, env=env, stdout=open(w / "rasa.log", "wb"), stderr=subprocess.STDOUT)
    try:
        supervisor.wait_for(f"http://127.0.0.1:{ap}/health", 300, actions)
        supervisor.wait_for(f"http://127.0.0.1:{rp}/", 300, rasa)
        url = f"http://127.0.0.1:{rp}/webhooks/rest/webhook"
        result = asyncio.run(load(url, ASSISTANT_SCRIPTS, args.users, args.conversations, token=token))
    finally:
        for proc in (rasa, actions):  # SIGINT: each stops cleanly and cProfile writes its file
            proc.send_signal(signal.SIGINT)
        for proc in (rasa, actions):
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
    turns = result["turns"] + len(ASSISTANT_SCRIPTS[0])  # the warm-up conversation is profiled too
    print(f"{args.users} users, {result['turns']} turns measured: p95 {result['p95_ms']:.0f} ms, "
          f"{result['throughput_turns_per_s']:.1f} turns/s (under cProfile)")
    print("Rasa, per turn (CPU on its event loop, cProfile):")
    report(w / "rasa.prof", RASA_STAGES, turns)
    print("Action server, per turn:")
    report(w / "actions.prof", ACTION_STAGES, turns, warm_up=("bot/assistant/faq.py", "_indexes"))
    print(f"Profiles: {w}/rasa.prof, {w}/actions.prof (python -m pstats)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
