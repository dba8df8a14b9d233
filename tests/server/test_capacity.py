"""bot.server.capacity on its own: the queue in front of the turns and the rate limits (issue 21). The real servers
under a burst are in tests/e2e/test_capacity.py."""
from __future__ import annotations

import asyncio

from bot.server.capacity import Admission, TokenBuckets, reply_kind, BUSY, QUEUED, NOT_ANSWERED, SLOW_DOWN


def test_a_bucket_lets_a_burst_through_then_one_message_per_interval():
    now = [100.0]
    buckets = TokenBuckets(burst=3, every=2.0, clock=lambda: now[0])
    assert [buckets.allow("a") for _ in range(4)] == [True, True, True, False]
    assert buckets.allow("b")  # another key has its own bucket
    now[0] += 1.9
    assert not buckets.allow("a")
    now[0] += 0.2  # two seconds since the refusal's last refill: one message again
    assert buckets.allow("a") and not buckets.allow("a")
    now[0] += 60
    assert [buckets.allow("a") for _ in range(4)] == [True, True, True, False]  # never more than the burst


def test_buckets_forget_the_least_recently_used_keys_beyond_their_bound():
    buckets = TokenBuckets(burst=1, every=60, max_keys=2, clock=lambda: 0.0)
    assert buckets.allow("a") and buckets.allow("b") and buckets.allow("c")
    assert len(buckets._buckets) == 2
    assert buckets.allow("a")  # forgotten, so full again
    assert not buckets.allow("c")


async def test_the_queue_is_first_come_first_served_and_tells_a_waiting_turn_once():
    admission = Admission(limit=lambda: 1)
    order: list[str] = []
    told: list[str] = []

    async def turn(name: str, hold: float) -> None:
        async def notice() -> None:
            told.append(name)

        assert await admission.enter(5, notice, notice_after=0.05)
        order.append(name)
        await asyncio.sleep(hold)
        admission.leave()

    first = asyncio.create_task(turn("a", 0.2))
    await asyncio.sleep(0.01)
    waiting = [asyncio.create_task(turn(n, 0.01)) for n in "bcd"]
    await asyncio.gather(first, *waiting)
    assert order == ["a", "b", "c", "d"]
    assert told == ["b", "c", "d"]  # a ran at once
    assert admission.running == 0 and admission.waiting == 0


async def test_a_turn_that_waits_too_long_is_let_go_and_its_place_is_not_lost():
    admission = Admission(limit=lambda: 1)
    assert await admission.enter(1)
    assert not await admission.enter(0.05)  # gave up
    cancelled = asyncio.create_task(admission.enter(5))
    await asyncio.sleep(0.01)
    admission.leave()  # handed to the waiting turn...
    cancelled.cancel()  # ...which is cancelled before it runs: the place is passed on, not leaked
    await asyncio.gather(cancelled, return_exceptions=True)
    assert admission.running == 0
    assert await admission.enter(0.05)


def test_reply_kinds():
    assert reply_kind(QUEUED) == "queued"
    assert {reply_kind(t) for t in (BUSY, NOT_ANSWERED, SLOW_DOWN)} == {"retry"}
    assert reply_kind("I can't work that out right now, please try again.") == "apology"
    assert reply_kind("Roughly what is the contract worth?") == "answer"
