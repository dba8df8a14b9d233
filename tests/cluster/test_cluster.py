"""The cluster started for real, as `make run-cluster` starts it: PostgreSQL, Redis, nginx, the
action server and two Rasa instances (bot.server.cluster), talked to through nginx as officers are.

One cluster for the module; the tests run in order and the last one restarts all of it.
"""
from __future__ import annotations

import concurrent.futures
import subprocess
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Iterator, Optional

import pytest
import requests

from bot.ltr import Case, assess
from bot.server.cluster import Cluster
from bot.server.guard import NOT_SAVED
from bot.server.supervisor import ROOT, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]

TODAY = date(2026, 11, 26)  # as tests/e2e/conftest.py
ASK_VALUE = "worth"
ASK_START = "procurement start"


@dataclass
class Reply:
    messages: list
    instance: int  # the port of the Rasa instance that answered

    @property
    def text(self) -> str:
        return "\n\n".join(m["text"] for m in self.messages if m.get("text"))

    @property
    def value(self) -> Optional[float]:
        found = [m["custom"]["assessment"]["estimated_value_gbp"] for m in self.messages
                 if isinstance(m.get("custom"), dict) and m["custom"].get("type") == "ltr_assessment"]
        return found[0] if found else None


def expected(total_gbp: int, service: str = "home_care") -> float:
    """The engine's value for the case the officer described, starting next April (values above the
    threshold with or without VAT, so the assistant does not ask about VAT)."""
    case = {"service": service, "value": {"total_gbp": total_gbp}, "commenced": "2027-04-01"}
    return assess(Case.from_dict(case), as_of=TODAY).to_dict()["estimated_value_gbp"]


def start_cluster(workdir: Path, port: int) -> Cluster:
    env = {"LTR_TODAY": TODAY.isoformat(), "LTA_DB_TIMEOUT_SECONDS": "1"}
    return Cluster(workdir, port=port, extra_env=env).start()


@pytest.fixture(scope="module")
def cluster(workroot) -> Iterator[Cluster]:
    subprocess.run([str(ROOT / "scripts" / "train")], check=True, cwd=ROOT)
    c = start_cluster(workroot("cluster"), free_port())
    try:
        yield c
    finally:
        c.stop()


def say(c: Cluster, sender: str, message: str) -> Reply:
    r = requests.post(f"{c.url}/webhooks/rest/webhook", json={"sender": sender, "message": message},
                      headers={"Authorization": f"Bearer {c.rest_token}"}, timeout=90)
    assert r.status_code == 200, r.text[:200]
    return Reply(r.json(), c.instance_port(r.headers["X-LTA-Upstream"]))


def new_sender() -> str:
    return f"cluster-{uuid.uuid4().hex[:12]}"


def test_each_conversation_and_each_socket_session_stays_on_one_instance(cluster):
    ports = {a.rasa_port for a in cluster.instances}
    served: dict[str, set[int]] = {}
    for _ in range(12):
        me = new_sender()
        served[me] = {say(cluster, me, "hello").instance, say(cluster, me, "what is the threshold?").instance}
    assert all(len(s) == 1 for s in served.values())
    assert set().union(*served.values()) == ports  # conversations spread over both instances

    by_name = {a.name.split("-")[1]: a.rasa_port for a in cluster.instances}
    seen_names = set()
    for _ in range(8):
        r = requests.get(f"{cluster.url}/socket.io/?EIO=4&transport=polling", timeout=10)
        sid = r.text[r.text.index("{"):].split('"sid":"')[1].split('"')[0]
        name = sid.split("-")[0]
        seen_names.add(name)
        for _ in range(3):  # the session's later requests go to the instance that holds it
            again = requests.post(f"{cluster.url}/socket.io/?EIO=4&transport=polling&sid={sid}", data="40", timeout=10)
            assert again.status_code == 200
            assert cluster.instance_port(again.headers["X-LTA-Upstream"]) == by_name[name]
    assert seen_names <= set(by_name)


def test_two_officers_never_see_each_others_facts_under_concurrent_load(cluster):
    officers = {new_sender(): 1_000_000 + 7_000 * i for i in range(30)}

    def conversation(sender: str, total: int) -> tuple[float, object]:
        assert ASK_VALUE in say(cluster, sender, "I need to check a home care contract").text
        assert ASK_START in say(cluster, sender, f"£{total:,} in total").text
        answer = say(cluster, sender, "next April")
        return expected(total), answer.value if answer.value is not None else answer.text

    with concurrent.futures.ThreadPoolExecutor(len(officers)) as pool:
        results = list(pool.map(lambda kv: conversation(*kv), officers.items()))
    assert [got for _, got in results] == [want for want, _ in results]


def test_postgresql_briefly_stopped_the_officer_is_told_and_nothing_is_lost(cluster):
    me = new_sender()
    assert ASK_VALUE in say(cluster, me, "I need to check a home care contract").text
    cluster.postgres.stop()
    try:
        assert say(cluster, me, "£820k in total").text == NOT_SAVED
        assert requests.get(f"{cluster.url}/health", timeout=10).status_code == 503
    finally:
        cluster.postgres.start()
    assert requests.get(f"{cluster.url}/health", timeout=10).status_code == 200
    assert ASK_START in say(cluster, me, "£820k in total").text  # sent again, as the reply asked
    assert say(cluster, me, "next April").value == expected(820_000)


def test_a_conversation_continues_when_the_instance_serving_it_is_killed(cluster):
    me = new_sender()
    first = say(cluster, me, "I need to check a home care contract")
    assert ASK_VALUE in first.text
    serving = next(i for i, a in enumerate(cluster.instances) if a.rasa_port == first.instance)
    cluster.kill_instance(serving)
    second = say(cluster, me, "£930k in total")
    assert second.instance != first.instance
    assert ASK_START in second.text  # the other instance has the service the officer gave the dead one
    assert say(cluster, me, "next April").value == expected(930_000)


def test_50_of_50_conversations_resume_after_everything_is_restarted(cluster):
    conversations = {new_sender(): 1_100_000 + 3_000 * i for i in range(50)}

    def begin(sender: str, total: int) -> bool:
        return (ASK_VALUE in say(cluster, sender, "I need to check a home care contract").text
                and ASK_START in say(cluster, sender, f"£{total:,} in total").text)

    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        assert all(pool.map(lambda kv: begin(*kv), conversations.items()))
    workdir, port = cluster.workdir, cluster.port
    cluster.stop()  # PostgreSQL, Redis, nginx, both instances and the action server
    again = start_cluster(workdir, port)
    try:
        with concurrent.futures.ThreadPoolExecutor(10) as pool:
            values = list(pool.map(lambda s: say(again, s, "next April").value, conversations))
        assert values == [expected(total) for total in conversations.values()]
    finally:
        again.stop()
