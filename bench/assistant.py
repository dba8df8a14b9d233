"""Benchmark: the running assistant under load, against a stock `rasa init` bot under the same load.

    python -m bench.assistant [--skip-training] [--users 20] [--json artifacts/bench-assistant.json]

Measures, for this assistant (action server + Rasa, REST, SQLite tracker store) and for a stock
`rasa init` bot trained in a temporary folder (REST, its default in-memory tracker store):
training time (fresh training cache), start-up time, turn latency p50/p95 with 1 user and with
N concurrent users (each turn is one REST call, custom actions included), throughput (turns/s with N
users) and the RSS of each process after the load. Ratios are assistant / stock. Both servers run
side by side and are loaded in alternating rounds (`--rounds`, 2), so background load on a shared
machine falls on both alike; each figure pools the turns of its rounds.

Then a bounded soak of the assistant alone: `--soak-users` (20) users holding conversations for
`--soak-seconds` (180) s. It must have 0 errors (every turn a 200 with a reply that is neither the
"can't work that out" nor the "not saved" apology) and RSS growth under 10 % (from after the
warm-up to the end); it reports database bytes per turn (var/rasa.db plus its write-ahead log).
`--soak-only` skips the comparison. Not a test: the numbers depend on the machine; run it by
`make bench`. REST calls carry the assistant's bearer token (LTA_REST_TOKEN).

`--smoke` runs every step once at toy size, so tests can check that the benchmark still runs (the
end-to-end tests do): no training, models/assistant.tar.gz also stands in for the stock bot (no
`rasa init` training), 2 users, one round, a 2-second soak. Its figures mean nothing.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Optional

import aiohttp

from bot.server import supervisor

ROOT = Path(__file__).resolve().parents[1]
TODAY = "2026-11-26"

# Conversations as officers have them: one-shot, guided, FAQ, corrections, follow-ups.
ASSISTANT_SCRIPTS = [
    ["hello", "does LTR apply to a £700k home care contract starting next April?", "what must we still do?",
     "actually it's £500k", "thanks"],
    ["I need to check a contract", "supported living", "about £150k a year", "3 years plus 2", "next June",
     "what would change the answer?"],
    ["what is the light touch threshold?", "is a refuge contract light touch?", "I don't know", "not sure",
     "start again"],
]
# The moodbot's own intents (greet, mood_*, affirm, deny, bot_challenge, goodbye).
STOCK_SCRIPTS = [
    ["hi", "I am sad", "yes", "bye"],
    ["hello", "I am feeling great", "goodbye"],
    ["hey", "are you a bot?", "not good", "no", "bye"],
]


def pct(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def rss_mb(pid: Optional[int]) -> Optional[float]:
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


APOLOGIES = ("I can't work that out right now", "I could not save that message")


async def _conversation(session: aiohttp.ClientSession, url: str, script: list[str], latencies: list[float]) -> None:
    sender = f"bench-{uuid.uuid4().hex[:12]}"
    for message in script:
        t = time.perf_counter()
        async with session.post(url, json={"sender": sender, "message": message}) as r:
            body = await r.json()
            if r.status != 200 or not body:
                raise RuntimeError(f"no reply to {message!r} (HTTP {r.status})")
            text = " ".join(str(m.get("text") or "") for m in body)
            if any(a in text for a in APOLOGIES):
                raise RuntimeError(f"an apology instead of an answer to {message!r}: {text[:60]!r}")
        latencies.append((time.perf_counter() - t) * 1000)


def _session(token: str, total: float = 120) -> aiohttp.ClientSession:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=total), headers=headers)


async def load(url: str, scripts: list[list[str]], users: int, conversations_per_user: int,
               token: str = "") -> dict[str, float]:
    """`users` concurrent users, each holding `conversations_per_user` conversations in a row."""
    latencies: list[float] = []
    async with _session(token) as session:
        await _conversation(session, url, scripts[0], [])  # warm-up, not measured

        async def user(n: int) -> None:
            for k in range(conversations_per_user):
                await _conversation(session, url, scripts[(n + k) % len(scripts)], latencies)

        start = time.perf_counter()
        await asyncio.gather(*(user(n) for n in range(users)))
        wall = time.perf_counter() - start
    return summary(latencies, wall)


def summary(latencies: list[float], wall: float) -> dict:
    return {"turns": len(latencies), "p50_ms": statistics.median(latencies), "p95_ms": pct(latencies, 0.95),
            "throughput_turns_per_s": len(latencies) / wall, "_latencies": latencies, "_wall": wall}


def pooled(runs: list[dict]) -> dict:
    """One summary of several runs: percentiles of all their turns, throughput over their summed time."""
    return {k: v for k, v in summary([x for r in runs for x in r["_latencies"]], sum(r["_wall"] for r in runs)).items()
            if not k.startswith("_")}


def timed_train(cmd: list[str], cwd: Path, cache: Path, out: Path) -> float:
    env = {**os.environ, **supervisor.QUIET_ENV, "RASA_CACHE_DIRECTORY": str(cache)}
    start = time.perf_counter()
    subprocess.run(cmd + ["--out", str(out)], cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def db_bytes(workdir: Path) -> int:
    return sum(p.stat().st_size for p in workdir.glob("rasa.db*") if p.is_file())


async def soak(url: str, token: str, users: int, seconds: float) -> dict:
    """`users` users holding conversations until `seconds` have passed; counts errors, never raises."""
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.monotonic() + seconds
    async with _session(token, total=60) as session:
        async def user(n: int) -> None:
            k = 0
            while time.monotonic() < deadline:
                try:
                    await _conversation(session, url, ASSISTANT_SCRIPTS[(n + k) % len(ASSISTANT_SCRIPTS)], latencies)
                except Exception as e:  # counted, and the user carries on
                    errors.append(f"{type(e).__name__}: {e}")
                k += 1

        await asyncio.gather(*(user(n) for n in range(users)))
    return {"turns": len(latencies), "errors": len(errors), "first_errors": errors[:5],
            "p50_ms": statistics.median(latencies) if latencies else None,
            "p95_ms": pct(latencies, 0.95) if latencies else None}


def bench_soak(a: "supervisor.Assistant", users: int, seconds: float) -> dict:
    url = f"{a.url}/webhooks/rest/webhook"
    asyncio.run(load(url, ASSISTANT_SCRIPTS, users=users, conversations_per_user=1, token=a.rest_token))  # warm-up
    rss_before, bytes_before = rss_mb(a.pids["rasa"]), db_bytes(a.workdir)
    print(f"Soak: {users} users for {seconds:.0f} s...", flush=True)
    result = asyncio.run(soak(url, a.rest_token, users, seconds))
    rss_after, bytes_after = rss_mb(a.pids["rasa"]), db_bytes(a.workdir)
    result.update({
        "users": users, "seconds": seconds, "rss_mb_before": rss_before, "rss_mb_after": rss_after,
        "rss_growth_pct": (rss_after - rss_before) / rss_before * 100 if rss_before and rss_after else None,
        "db_bytes_per_turn": (bytes_after - bytes_before) / result["turns"] if result["turns"] else None,
    })
    result["passed"] = result["errors"] == 0 and (result["rss_growth_pct"] or 0) < 10
    return result


def bench_frozen_actions(a: "supervisor.Assistant") -> float:
    """Seconds until the officer hears back while the action server is frozen (SIGSTOP); must be <= 2."""
    import signal

    url = f"{a.url}/webhooks/rest/webhook"
    headers = {"Authorization": f"Bearer {a.rest_token}"}

    async def say(sender: str, text: str) -> list:
        async with aiohttp.ClientSession(headers=headers, timeout=aiohttp.ClientTimeout(total=60)) as s:
            async with s.post(url, json={"sender": sender, "message": text}) as r:
                return await r.json()

    sender = f"bench-frozen-{uuid.uuid4().hex[:8]}"
    asyncio.run(say(sender, "I need to check a home care contract"))
    pid = a.pids["actions"]
    os.killpg(pid, signal.SIGSTOP)
    try:
        t = time.perf_counter()
        asyncio.run(say(sender, "£900k in total"))
        return time.perf_counter() - t
    finally:
        os.killpg(pid, signal.SIGCONT)


def report_soak(r: dict) -> None:
    print(f"\nSoak, {r['users']} users x {r['seconds']:.0f} s: {r['turns']} turns, {r['errors']} errors, "
          f"p50 {r['p50_ms'] or 0:.0f} ms, p95 {r['p95_ms'] or 0:.0f} ms")
    print(f"  RSS of Rasa {r['rss_mb_before'] or 0:.0f} -> {r['rss_mb_after'] or 0:.0f} MB "
          f"({r['rss_growth_pct'] or 0:+.1f} %, must stay under 10 %); "
          f"database {r['db_bytes_per_turn'] or 0:,.0f} bytes per turn")
    if r.get("frozen_actions_reply_s") is not None:
        print(f"  Reply with the action server frozen: {r['frozen_actions_reply_s']:.2f} s (must be 2 s or less)")
    for e in r["first_errors"]:
        print(f"  error: {e}")
    print("  PASSED" if r["passed"] else "  FAILED: errors, or RSS grew by 10 % or more")


def measure_interleaved(targets: dict[str, tuple[str, list[list[str]], str]], users: int, rounds: int = 2,
                        conversations: int = 6) -> dict:
    """Each target (name -> url, scripts, token) loaded in turn, `rounds` times, the order alternating
    (a, b, then b, a), so background load on a shared machine falls on both alike. Pooled per target."""
    names = list(targets)
    runs: dict[str, dict[str, list[dict]]] = {n: {"one_user": [], f"{users}_users": []} for n in names}
    for n in range(rounds):
        for name in (names if n % 2 == 0 else names[::-1]):
            url, scripts, token = targets[name]
            print(f"  {name}: round {n + 1} of {rounds}", flush=True)
            runs[name]["one_user"].append(asyncio.run(load(url, scripts, 1, conversations, token=token)))
            runs[name][f"{users}_users"].append(asyncio.run(load(url, scripts, users, max(1, conversations // 3),
                                                                 token=token)))
    return {name: {key: pooled(v) for key, v in r.items()} for name, r in runs.items()}


def bench_assistant(tmp: Path, users: int, skip_training: bool, soak_users: int = 20, soak_seconds: float = 180,
                    compare: bool = True, rounds: int = 2, smoke: bool = False) -> tuple[dict, dict]:
    """The assistant, and (with `compare`) the stock bot measured in the same run, interleaved. `smoke`:
    the assistant's model stands in for the stock bot and each user holds one conversation."""
    out: dict = {}
    stock: dict = {}
    if not skip_training:
        print("Training the assistant with an empty training cache...", flush=True)
        out["training_s"] = timed_train([supervisor._bin("rasa"), "train", "--fixed-model-name", "bench"], ROOT,
                                        tmp / "cache-assistant", tmp / "assistant-model")
        model = tmp / "assistant-model" / "bench.tar.gz"
    else:
        subprocess.run([str(ROOT / "scripts" / "train")], check=True, cwd=ROOT)
        model = supervisor.DEFAULT_MODEL
    print("Starting the assistant...", flush=True)
    # All simulated officers come from one address: the per-address rate limit (600 then 50 a second, for one
    # office's officers) would answer the soak's ~65 turns a second with 429s. The stock bot has no limiter, and
    # what is measured here is throughput; tests/e2e/test_capacity.py tests the limits themselves.
    a = supervisor.start(tmp / "assistant", model=model, extra_env={"LTR_TODAY": TODAY, "LTA_RATE_ADDRESS": "100000/0.001"})
    try:
        out["startup_s"] = dict(a.startup_seconds)
        if compare:
            proc, stock_url, stock = start_stock(tmp, a if smoke else None)
            try:
                measured = measure_interleaved({
                    "assistant": (f"{a.url}/webhooks/rest/webhook", ASSISTANT_SCRIPTS, a.rest_token),
                    "stock": (stock_url, STOCK_SCRIPTS, a.rest_token if smoke else ""),
                }, users, rounds, conversations=1 if smoke else 6)
                out.update(measured["assistant"])
                stock.update(measured["stock"])
                out["rss_mb"] = {k: rss_mb(pid) for k, pid in a.pids.items() if pid is not None}
                stock["rss_mb"] = {"rasa": rss_mb(proc.pid)}
            finally:
                supervisor.stop_process(proc)
        if soak_seconds > 0:
            out["soak"] = bench_soak(a, soak_users, soak_seconds)
            out["soak"]["frozen_actions_reply_s"] = seconds = bench_frozen_actions(a)
            out["soak"]["passed"] = out["soak"]["passed"] and seconds <= 2
    finally:
        a.stop()
    return out, stock


def start_stock(tmp: Path, stand_in: Optional["supervisor.Assistant"] = None) -> tuple[subprocess.Popen, str, dict]:
    """A stock `rasa init` bot, trained and started: (process, REST URL, timings). With `stand_in` (the smoke
    run), a second Rasa serving that assistant's model, endpoints and credentials; nothing is trained."""
    out: dict = {}
    project = tmp / "stock"
    env = {**os.environ, **supervisor.QUIET_ENV, "RASA_CACHE_DIRECTORY": str(tmp / "cache-stock")}
    if stand_in is None:
        project.mkdir()
        # `rasa init --no-prompt` writes the moodbot project and trains it: timed as the stock training time
        # (copying the project's few files takes milliseconds).
        print("Creating and training a stock `rasa init` bot with an empty training cache...", flush=True)
        start = time.perf_counter()
        subprocess.run([supervisor._bin("rasa"), "init", "--no-prompt", "--init-dir", str(project)], cwd=tmp, env=env,
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out["training_s"] = time.perf_counter() - start
        serve = ["--model", str(project / "models"), "--credentials", str(project / "credentials.yml")]
    else:
        env = {**stand_in.env, "RASA_CACHE_DIRECTORY": str(tmp / "cache-stock")}
        serve = ["--model", str(stand_in.model), "--endpoints", str(stand_in.endpoints), "--credentials",
                 str(stand_in.credentials)]
        project = supervisor.ROOT
    port = supervisor.free_port()
    log = open(tmp / "stock.log", "wb")
    proc = subprocess.Popen(
        [supervisor._bin("rasa"), "run", *serve, "--interface", "127.0.0.1", "--port", str(port)],
        cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        out["startup_s"] = {"rasa": supervisor.wait_for(f"http://127.0.0.1:{port}/", 300, proc)}
    except BaseException:
        supervisor.stop_process(proc)
        raise
    return proc, f"http://127.0.0.1:{port}/webhooks/rest/webhook", out


def report(ours: dict, stock: dict, users: int) -> None:
    def row(label: str, a: Optional[float], b: Optional[float], unit: str) -> None:
        ratio = f"{a / b:5.2f}" if a is not None and b else "  n/a"
        fa = f"{a:8.1f}" if a is not None else "     n/a"
        fb = f"{b:8.1f}" if b is not None else "     n/a"
        print(f"{label:34} {fa} {fb}   {ratio}  {unit}")

    print(f"\n{'':34} {'assistant':>8} {'stock':>8}   ratio (assistant / stock)")
    row("training (fresh cache)", ours.get("training_s"), stock.get("training_s"), "s")
    row("start-up, Rasa", ours["startup_s"].get("rasa"), stock["startup_s"].get("rasa"), "s")
    row("start-up, action server", ours["startup_s"].get("actions"), None, "s")
    for key, label in (("one_user", "1 user"), (f"{users}_users", f"{users} users")):
        row(f"{label}: turn latency p50", ours[key]["p50_ms"], stock[key]["p50_ms"], "ms")
        row(f"{label}: turn latency p95", ours[key]["p95_ms"], stock[key]["p95_ms"], "ms")
        row(f"{label}: throughput", ours[key]["throughput_turns_per_s"], stock[key]["throughput_turns_per_s"], "turns/s")
    row("RSS after load, Rasa", ours["rss_mb"].get("rasa"), stock["rss_mb"].get("rasa"), "MB")
    row("RSS after load, action server", ours["rss_mb"].get("actions"), None, "MB")
    print(f"\nTurns measured: assistant {ours['one_user']['turns']} + {ours[f'{users}_users']['turns']}, "
          f"stock {stock['one_user']['turns']} + {stock[f'{users}_users']['turns']}, in alternating rounds "
          f"(both servers running throughout; load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores).")


def main(argv: Optional[list[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--users", type=int, default=20)
    p.add_argument("--skip-training", action="store_true", help="use models/assistant.tar.gz; do not time training")
    p.add_argument("--json", type=Path, default=ROOT / "artifacts" / "bench-assistant.json")
    p.add_argument("--rounds", type=int, default=2, help="alternating rounds of the comparison")
    p.add_argument("--soak-users", type=int, default=20)
    p.add_argument("--soak-seconds", type=float, default=180, help="0 skips the soak")
    p.add_argument("--soak-only", action="store_true", help="only the soak (no training, no stock bot)")
    p.add_argument("--smoke", action="store_true", help="every step once at toy size (tests); figures mean nothing")
    args = p.parse_args(argv)
    if args.smoke:
        args.skip_training, args.users, args.rounds, args.soak_users = True, 2, 1, 2
        args.soak_seconds = min(args.soak_seconds, 2)
    with tempfile.TemporaryDirectory(prefix="lta-bench-") as d:
        tmp = Path(d)
        ours, stock = bench_assistant(tmp, args.users, args.skip_training or args.soak_only, args.soak_users,
                                      args.soak_seconds, compare=not args.soak_only, rounds=args.rounds,
                                      smoke=args.smoke)
    if stock:
        report(ours, stock, args.users)
    if "soak" in ours:
        report_soak(ours["soak"])
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"assistant": ours, "stock": stock, "users": args.users}, indent=2))
    print(f"Raw figures: {args.json.relative_to(ROOT) if args.json.is_relative_to(ROOT) else args.json}")
    return 0 if ours.get("soak", {}).get("passed", True) else 1


if __name__ == "__main__":
    sys.exit(main())
