"""Benchmark: one Rasa instance against two, on PostgreSQL and Redis, in one run on the same machine.

    python -m bench.cluster [--users 20 50] [--rounds 2] [--json artifacts/bench-cluster.json]

Starts the cluster as `make run-cluster` does (bot.server.cluster: PostgreSQL, Redis, nginx, the
action server and two Rasa instances), then, for each number of users and each round, loads
- one instance: REST straight to instance r1 (r2 idle);
- two instances: REST through nginx, which spreads the conversations over r1 and r2;
in alternating order (1, 2, then 2, 1, ...), so both see the same background load. Each user holds
bench.assistant's conversations, every turn one REST call with its custom actions. It reports
throughput and p95 for each, the ratio (two / one), the RSS of every process, and the CPU each
process used per turn, from which it estimates what 4 and 8 cores would give. Not a test. `--smoke`: 2 users,
one round, one conversation, 2 race trials (tests/cluster checks that it runs; figures mean nothing).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

from bench.assistant import ASSISTANT_SCRIPTS, TODAY, load, rss_mb
from bot.server.cluster import Cluster
from bot.server.supervisor import free_port

ROOT = Path(__file__).resolve().parents[1]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants (PostgreSQL's backends, nginx's worker, Rasa's helpers)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def cpu_seconds(pid: int) -> float:
    total = 0.0
    for p in process_tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        except (OSError, ValueError, IndexError):
            continue
    return total


def tree_rss_mb(pid: int) -> float:
    return sum(rss_mb(p) or 0 for p in process_tree(pid))


def measure(url: str, users: int, token: str, pids: dict[str, int], conversations: int) -> dict:
    before = {k: cpu_seconds(p) for k, p in pids.items()}
    client = time.process_time()
    r = asyncio.run(load(url, ASSISTANT_SCRIPTS, users=users, conversations_per_user=conversations, token=token))
    r["cpu_ms_per_turn"] = {k: (cpu_seconds(p) - before[k]) * 1000 / r["turns"] for k, p in pids.items()}
    # The load client shares the machine: its CPU is what the servers could not have.
    r["client_cpu_ms_per_turn"] = (time.process_time() - client) * 1000 / r["turns"]
    return {k: v for k, v in r.items() if not k.startswith("_")}


def summarise(runs: list[dict]) -> dict:
    """Median over rounds of each figure."""
    out = {k: statistics.median(r[k] for r in runs) for k in ("throughput_turns_per_s", "p95_ms", "p50_ms")}
    out["cpu_ms_per_turn"] = {k: statistics.median(r["cpu_ms_per_turn"][k] for r in runs)
                              for k in runs[0]["cpu_ms_per_turn"]}
    out["client_cpu_ms_per_turn"] = statistics.median(r["client_cpu_ms_per_turn"] for r in runs)
    out["rounds"] = runs
    return out


def predict(cpu: dict[str, float], cores: int) -> dict:
    """Turns/s on `cores` cores (the load client elsewhere): bound by the total CPU per turn, with as
    many Rasa instances and action servers as their share of it, each process by its one event loop
    (at most 1000 / its ms per turn)."""
    rasa_ms = sum(v for k, v in cpu.items() if k.startswith("rasa-"))
    actions_ms = cpu.get("actions", 0)
    total_ms = sum(cpu.values())
    if rasa_ms <= 0 or actions_ms <= 0:
        return {}
    instances = max(1, round(cores * rasa_ms / total_ms))
    action_servers = max(1, round(cores * actions_ms / total_ms))
    turns = min(cores * 1000 / total_ms, instances * 1000 / rasa_ms, action_servers * 1000 / actions_ms)
    return {"cores": cores, "rasa_instances": instances, "action_servers": action_servers, "turns_per_s": turns}


async def _both_at_once(urls: list[str], token: str, senders: list[str]) -> None:
    import aiohttp

    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(headers=headers, timeout=aiohttp.ClientTimeout(total=120)) as session:
        async def post(url: str, sender: str) -> None:
            async with session.post(url, json={"sender": sender, "message": "hello"}) as r:
                await r.read()

        for sender in senders:
            await asyncio.gather(*(post(u, sender) for u in urls))


def lock_race(c: Cluster, trials: int) -> dict:
    """The Redis lock store of open-source Rasa is not atomic (get, then set: RasaHQ/rasa#9213). Sends the
    first message of `trials` new conversations to both instances at the same moment and counts the
    conversations whose two turns ran at the same time: both found no conversation and each started one,
    so the database holds two session starts. Then the same through nginx (one instance per sender)."""
    import sqlalchemy as sa

    direct = [f"{a.rasa_url}/webhooks/rest/webhook" for a in c.instances[:2]]
    via_nginx = [f"{c.url}/webhooks/rest/webhook"] * 2
    engine = sa.create_engine(c.database_url)
    out = {}
    for label, urls in (("both_instances_directly", direct), ("through_nginx", via_nginx)):
        prefix = f"race-{label[:4]}-{time.time_ns()}"
        senders = [f"{prefix}-{i}" for i in range(trials)]
        asyncio.run(_both_at_once(urls, c.rest_token, senders))
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT sender_id, count(*) FROM events WHERE sender_id LIKE :p AND type_name = 'session_started' "
                "GROUP BY sender_id"), {"p": prefix + "-%"}).all()
        out[label] = {"trials": trials, "ran_together": sum(1 for _, n in rows if n > 1)}
    engine.dispose()
    return out


def main(argv: Optional[list[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--users", type=int, nargs="+", default=[20, 50])
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--conversations", type=int, default=2, help="per user per measurement")
    p.add_argument("--race-trials", type=int, default=100, help="conversations for the lock race; 0 skips it")
    p.add_argument("--json", type=Path, default=ROOT / "artifacts" / "bench-cluster.json")
    p.add_argument("--smoke", action="store_true", help="every step once at toy size (tests)")
    args = p.parse_args(argv)
    if args.smoke:
        args.users, args.rounds, args.conversations, args.race_trials = [2], 1, 1, 2
    with tempfile.TemporaryDirectory(prefix="lta-bench-cluster-") as d:
        os.chmod(d, 0o755)  # as root, PostgreSQL runs as `postgres` and must reach its data folder
        print("Starting PostgreSQL, Redis, nginx, the action server and two Rasa instances...", flush=True)
        # At 50 users turns queue for the action server longer than its 1.5 s limit (the officer would be
        # told "I can't work that out right now"); the limit is about when to apologise, not throughput.
        env = {"LTR_TODAY": TODAY, "LTA_ACTION_TIMEOUT_SECONDS": "10"}
        c = Cluster(Path(d), port=free_port(), extra_env=env).start()
        out: dict = {"cores": os.cpu_count(), "load_average_before": os.getloadavg()}
        try:
            pids = c.pids()
            one = f"{c.instances[0].rasa_url}/webhooks/rest/webhook"
            two = f"{c.url}/webhooks/rest/webhook"
            asyncio.run(load(two, ASSISTANT_SCRIPTS, users=4, conversations_per_user=1, token=c.rest_token))  # warm-up
            for users in args.users:
                runs: dict[str, list[dict]] = {"one": [], "two": []}
                for n in range(args.rounds):
                    for label in (("one", "two") if n % 2 == 0 else ("two", "one")):
                        print(f"  {users} users, {label} instance(s), round {n + 1}", flush=True)
                        runs[label].append(measure(one if label == "one" else two, users, c.rest_token, pids,
                                                   args.conversations))
                out[f"{users}_users"] = {k: summarise(v) for k, v in runs.items()}
            out["rss_mb"] = {k: tree_rss_mb(v) for k, v in pids.items()}
            out["load_average_after"] = os.getloadavg()
            if args.race_trials:
                print("  the Redis lock: one message sent to both instances at once", flush=True)
                out["lock_race"] = lock_race(c, args.race_trials)
        finally:
            c.stop()
    report(out, args.users)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(out, indent=2))
    print(f"Raw figures: {args.json.relative_to(ROOT) if args.json.is_relative_to(ROOT) else args.json}")
    return 0


def report(out: dict, users_list: list[int]) -> None:
    print(f"\nOne against two Rasa instances (PostgreSQL + Redis lock store), {out['cores']} cores, "
          f"load average before {out['load_average_before'][0]:.1f}, after {out['load_average_after'][0]:.1f}")
    print(f"{'':12} {'1 instance':>22} {'2 instances':>22} {'ratio 2/1':>10}")
    for users in users_list:
        r = out[f"{users}_users"]
        a, b = r["one"], r["two"]
        print(f"{users:3} users    {a['throughput_turns_per_s']:6.1f} turns/s p95 {a['p95_ms']:5.0f} ms"
              f" {b['throughput_turns_per_s']:6.1f} turns/s p95 {b['p95_ms']:5.0f} ms"
              f"   {b['throughput_turns_per_s'] / a['throughput_turns_per_s']:5.2f}x  (p95 {b['p95_ms'] / a['p95_ms']:.2f}x)")
    print("RSS per process (MB, with its children): " +
          ", ".join(f"{k} {v:.0f}" for k, v in out["rss_mb"].items()))
    race = out.get("lock_race")
    if race:
        d, n = race["both_instances_directly"], race["through_nginx"]
        print(f"Redis lock (not atomic): {d['ran_together']} of {d['trials']} conversations ran two turns at once when "
              f"one message went to both instances; {n['ran_together']} of {n['trials']} through nginx (sticky)")
    cpu = out[f"{users_list[-1]}_users"]["two"]["cpu_ms_per_turn"]
    print("CPU per turn, two instances (ms): " + ", ".join(f"{k} {v:.0f}" for k, v in cpu.items())
          + f"; the load client {out[f'{users_list[-1]}_users']['two']['client_cpu_ms_per_turn']:.0f}")
    for cores in (4, 8):
        p = predict(cpu, cores)
        if p:
            print(f"  {cores} cores: about {p['turns_per_s']:.0f} turns/s with {p['rasa_instances']} Rasa instances and "
                  f"{p['action_servers']} action server(s) (estimated from the CPU per turn, not measured)")


if __name__ == "__main__":
    sys.exit(main())
