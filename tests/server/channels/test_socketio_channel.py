"""The web widget's socket.io channel, over real HTTP on loopback (see conftest.py)."""
from __future__ import annotations

import asyncio
import json
import logging
import warnings

import aiohttp
import pytest
import socketio

from bot.server.channels.socketio import (
    SERVER_ERROR_REPLY,
    SecureSocketIOInput,
    SessionSigner,
    history_from_events,
    parse_origins,
)
from rasa.shared.core.events import BotUttered, UserUttered

from .conftest import Client, start_server

pytestmark = pytest.mark.timeout(60)


# ---- sessions ----------------------------------------------------------------------------------


async def test_the_server_issues_the_session_id_not_the_client(client_factory):
    c = client_factory()
    await c.connect()
    token = await c.session("alice")
    assert token != "alice"
    assert token.startswith("web-") and "." in token
    await c.say("hello")
    assert await c.wait_for("bot_uttered") == [{"text": "echo: hello"}]


async def test_replies_arrive_with_sessions_on(client_factory, loopback):
    """The stock channel never awaits enter_room on python-socketio 5.18, so replies are lost."""
    c = client_factory()
    await c.connect()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # "coroutine ... was never awaited" fails here
        token = await c.session()
        await c.say("hi there")
        assert await c.wait_for("bot_uttered") == [{"text": "echo: hi there"}]
    sender = loopback.agent.received[-1].sender_id
    assert token.startswith(sender + ".")


async def test_a_guessed_or_forged_session_id_does_not_join_the_conversation(client_factory, loopback):
    victim = client_factory()
    await victim.connect()
    victim_token = await victim.session()
    await victim.say("our contract is worth £700k")
    await victim.wait_for("bot_uttered")
    victim_sender = victim_token.split(".")[0]

    attacker = client_factory()
    await attacker.connect()
    forged = victim_sender + "." + "A" * 43
    for attempt in (victim_sender, forged, victim_token[:-1] + ("B" if victim_token[-1] != "B" else "C")):
        got = await attacker.session(attempt)
        assert got.split(".")[0] != victim_sender
    assert not [d for n, d in attacker.events if n == "lta_history"]

    await attacker.say("hello from the attacker")
    await attacker.wait_for("bot_uttered")
    await victim.say("second message")
    await victim.wait_for("bot_uttered", 2)
    victim_texts = [d.get("text") for n, d in victim.events if n == "bot_uttered"]
    assert victim_texts == ["echo: our contract is worth £700k", "echo: second message"]
    attacker_texts = [d.get("text") for n, d in attacker.events if n == "bot_uttered"]
    assert attacker_texts == ["echo: hello from the attacker"]
    senders = {m.text: m.sender_id for m in loopback.agent.received}
    assert senders["hello from the attacker"] != victim_sender


async def test_a_session_id_inside_a_message_is_ignored(client_factory, loopback):
    a = client_factory()
    await a.connect()
    a_sender = (await a.session()).split(".")[0]
    b = client_factory()
    await b.connect()
    b_sender = (await b.session()).split(".")[0]
    await b.say("sneaky", session_id=a_sender)
    await b.wait_for("bot_uttered")
    assert loopback.agent.received[-1].sender_id == b_sender


async def test_a_message_before_the_session_is_refused(client_factory, loopback):
    c = client_factory()
    await c.connect()
    await c.say("hello")
    errors = await c.wait_for("lta_error")
    assert errors[0]["code"] == "no_session"
    assert loopback.agent.received == []


async def test_a_resumed_session_gets_its_history_and_both_tabs_get_replies(client_factory):
    first = client_factory()
    await first.connect()
    token = await first.session()
    await first.say("buttons")
    await first.wait_for("bot_uttered")
    await first.say('/inform{"buyer": "sub_central"}')
    await first.wait_for("bot_uttered", 2)

    second = client_factory()  # a reload, or a second tab
    await second.connect()
    assert await second.session(token) == token
    history = (await second.wait_for("lta_history"))[0]["messages"]
    assert [m["sender"] for m in history] == ["user", "bot", "user", "bot"]
    assert history[1]["quick_replies"][0]["title"] == "A London borough"
    assert history[2]["text"] == "A London borough"  # a button press is shown as its title

    await second.say("from the second tab")
    assert (await first.wait_for("bot_uttered", 3))[-1] == {"text": "echo: from the second tab"}
    assert (await second.wait_for("bot_uttered", 1))[-1] == {"text": "echo: from the second tab"}


async def test_a_reload_straight_after_a_reply_still_gets_that_reply_in_the_history(client_factory):
    first = client_factory()
    await first.connect()
    token = await first.session()
    await first.say("slow")  # the reply is sent a second before the turn is saved
    await first.wait_for("bot_uttered")
    reloaded = client_factory()
    await reloaded.connect()
    await reloaded.session(token)
    history = (await reloaded.wait_for("lta_history"))[0]["messages"]
    assert history == [{"sender": "user", "text": "slow"}, {"sender": "bot", "text": "echo: slow"}]


async def test_asking_for_a_new_conversation_gives_a_new_session(client_factory):
    c = client_factory()
    await c.connect()
    token = await c.session()
    new_token = await c.session(token, new=True)
    assert new_token != token
    await c.say("hello")
    await c.wait_for("bot_uttered")
    assert not [d for n, d in c.events if n == "lta_history"]


async def test_sessions_survive_a_restart_with_the_same_secret_only(make_channel):
    srv, server = await start_server(make_channel(session_secret=b"first-secret-0123456789"))
    c = Client(srv.url)
    await c.connect()
    token = await c.session()
    await c.close()
    server.close()
    await server.wait_closed()

    for secret, same in ((b"first-secret-0123456789", True), (b"other-secret-0123456789", False)):
        srv, server = await start_server(make_channel(session_secret=secret))
        c = Client(srv.url)
        await c.connect()
        assert (await c.session(token) == token) is same
        await c.close()
        server.close()
        await server.wait_closed()


# ---- messages ----------------------------------------------------------------------------------


async def test_a_long_message_gets_a_polite_reply_and_never_reaches_the_bot(client_factory, loopback):
    c = client_factory()
    await c.connect()
    await c.session()
    await c.say("x" * 5000)
    reply = (await c.wait_for("bot_uttered"))[0]["text"]
    assert "5,000 characters" in reply and "2,000" in reply
    assert loopback.agent.received == []
    await c.say("y" * 2000)  # exactly the limit is fine
    assert (await c.wait_for("bot_uttered", 2))[-1]["text"] == "echo: " + "y" * 2000


async def test_a_failing_turn_gets_a_reply_and_an_error_event_and_the_chat_goes_on(client_factory):
    c = client_factory()
    await c.connect()
    await c.session()
    await c.say("boom")
    assert (await c.wait_for("bot_uttered"))[0] == {"text": SERVER_ERROR_REPLY}
    assert (await c.wait_for("lta_error"))[0]["code"] == "server_error"
    await c.say("still there?")
    assert (await c.wait_for("bot_uttered", 2))[-1] == {"text": "echo: still there?"}


async def test_text_buttons_and_custom_payload_arrive_as_one_event_each(client_factory):
    c = client_factory()
    await c.connect()
    await c.session()
    await c.say("card")
    card = (await c.wait_for("bot_uttered"))[0]
    assert card["text"] == "Here is the answer."
    assert card["custom"]["type"] == "ltr_assessment"
    assert card["custom"]["assessment"]["regime"] == "PA2023"
    # The payload reaches the widget exactly as the action sent it (labels come from the engine, not the channel).
    assert "service_category_label" not in card["custom"]["assessment"]
    await c.say("markdown")
    assert (await c.wait_for("bot_uttered", 2))[-1] == {"text": "First paragraph.\n\n- one\n- two"}
    await c.say("buttons")
    buttons = (await c.wait_for("bot_uttered", 3))[-1]
    assert [b["title"] for b in buttons["quick_replies"]] == ["A London borough", "An NHS trust"]


# ---- origins -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "origin, allowed",
    [
        ("https://intranet.example.gov.uk", True),  # configured
        (None, True),  # same origin (filled in below)
        ("https://evil.example", False),
        ("http://intranet.example.gov.uk", False),  # same host, other scheme
    ],
)
async def test_socket_connections_are_limited_to_allowed_origins(loopback, origin, allowed):
    headers = {"Origin": origin or loopback.url}
    c = Client(loopback.url, headers)
    if allowed:
        await c.connect()
        assert (await c.session()).startswith("web-")
        await c.close()
    else:
        with pytest.raises(socketio.exceptions.ConnectionError):
            await c.connect()


async def test_widget_files_are_served_with_safe_headers(loopback):
    async with aiohttp.ClientSession() as http:
        async with http.get(loopback.url + "/widget/widget.js") as r:
            assert r.status == 200
            assert r.headers["Content-Type"].startswith("text/javascript")
            assert r.headers["X-Content-Type-Options"] == "nosniff"
            assert "data-server" in await r.text()
            etag = r.headers["ETag"]
        async with http.get(loopback.url + "/widget/widget.js", headers={"If-None-Match": etag}) as r:
            assert r.status == 304
        async with http.get(loopback.url + "/widget/app.js") as r:
            assert r.status == 200 and "export function mount" in await r.text()
        async with http.get(loopback.url + "/demo/") as r:
            assert r.status == 200
            assert "script-src 'self'" in r.headers["Content-Security-Policy"]
            assert "Skip to chat" in await r.text()
        for bad in ("/widget/..%2Fpackage.json", "/widget/package.json", "/widget/vendor/socket.io.js", "/demo/x.html"):
            async with http.get(loopback.url + bad) as r:
                assert r.status == 404, bad


async def test_cross_origin_reads_only_for_allowed_origins(loopback):
    async with aiohttp.ClientSession() as http:
        async with http.get(loopback.url + "/widget/app.js", headers={"Origin": "https://intranet.example.gov.uk"}) as r:
            assert r.headers.get("Access-Control-Allow-Origin") == "https://intranet.example.gov.uk"
        async with http.get(loopback.url + "/widget/app.js", headers={"Origin": "https://evil.example"}) as r:
            assert "Access-Control-Allow-Origin" not in r.headers


async def test_missing_built_files_say_how_to_build_them(make_channel, tmp_path):
    (tmp_path / "src").mkdir()
    srv, server = await start_server(make_channel(web_dir=tmp_path))
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(srv.url + "/widget/widget.css") as r:
                assert r.status == 503
                assert "make setup" in await r.text()
    finally:
        server.close()
        await server.wait_closed()


# ---- decision record route ---------------------------------------------------------------------


async def test_the_record_route_returns_a_download(client_factory, loopback):
    from .conftest import ASSESSMENT

    c = client_factory()
    await c.connect()
    token = await c.session()
    await c.say("card")
    shown = (await c.wait_for("bot_uttered"))[0]["custom"]["assessment"]  # as the widget has it, label and all
    async with aiohttp.ClientSession() as http:
        body = json.dumps({"session_id": token, "assessment": shown})
        async with http.post(loopback.url + "/widget/record?format=html", data=body) as r:
            assert r.status == 200
            assert r.headers["Content-Disposition"].startswith('attachment; filename="decision-record-')
            html = await r.text()
            assert "home care" in html and "<script>alert" not in html
        async with http.post(loopback.url + "/widget/record?format=md", data=body) as r:
            assert r.status == 200 and r.headers["Content-Type"].startswith("text/markdown")
        # The details the officer filled in before downloading head the record (escaped); bad ones are refused.
        filled = json.dumps({"session_id": token, "assessment": shown,
                             "details": {"contract_name": "Home care <b>2027</b>", "officer": "Sam"}})
        async with http.post(loopback.url + "/widget/record?format=html", data=filled) as r:
            html = await r.text()
            assert r.status == 200 and "Decision record: Home care &lt;b&gt;2027&lt;/b&gt;" in html
        async with http.post(loopback.url + "/widget/record?format=html",
                             data=json.dumps({"session_id": token, "assessment": shown, "details": {"officer": ["x"]}})) as r:
            assert r.status == 400
        async with http.post(loopback.url + "/widget/record?format=pdf", data=body) as r:
            assert r.status == 400
        async with http.post(loopback.url + "/widget/record", data="not json") as r:
            assert r.status == 400
        for bad in ({"session_id": token, "assessment": {"answer": 1}}, {"session_id": token}, [], 5):
            async with http.post(loopback.url + "/widget/record", data=json.dumps(bad)) as r:
                assert r.status == 400, bad
        for no_session in ({"assessment": shown}, {"session_id": token + "\n", "assessment": shown}, {}):
            async with http.post(loopback.url + "/widget/record", data=json.dumps(no_session)) as r:
                assert r.status == 403, no_session
        async with http.post(loopback.url + "/widget/record", data="x" * (600 * 1024)) as r:
            assert r.status == 413


async def test_a_record_is_made_only_from_an_answer_the_server_gave(client_factory, loopback):
    """Finding: any posted content (e.g. with an old rules_version) was rendered as a record."""
    from .conftest import ASSESSMENT

    forged = dict(ASSESSMENT, answer="No: nothing applies, do what you like.", rules_version="2020-01-01.old",
                  case={"service": "<script>alert(1)</script> home care", "value": {"total_gbp": 700000}})
    c = client_factory()
    await c.connect()
    token = await c.session()
    async with aiohttp.ClientSession() as http:
        for assessment in (forged, ASSESSMENT):  # the genuine one too, before the chat has given it
            async with http.post(loopback.url + "/widget/record?format=html",
                                 data=json.dumps({"session_id": token, "assessment": assessment})) as r:
                assert r.status == 400
                assert "nothing applies" not in await r.text()


async def test_a_record_comes_only_from_the_conversation_of_the_posted_session(client_factory, loopback):
    """Finding (issue 21): answers were found by their content alone, so a record could show another
    conversation's words, and anyone holding an assessment could tell whether someone else got it."""
    async def officer() -> tuple[Client, str, dict]:
        c = client_factory()
        await c.connect()
        token = await c.session()
        await c.say("card")
        return c, token, (await c.wait_for("bot_uttered"))[0]["custom"]["assessment"]

    _, first, shown = await officer()
    _, second, shown_again = await officer()  # the same answer, reached in another conversation
    assert shown == shown_again
    stranger = client_factory()
    await stranger.connect()
    third = await stranger.session()  # a live session that never got this answer
    async with aiohttp.ClientSession() as http:
        for token, status in ((first, 200), (second, 200), (third, 400)):
            async with http.post(loopback.url + "/widget/record?format=md",
                                 data=json.dumps({"session_id": token, "assessment": shown})) as r:
                assert r.status == status, token


async def test_start_a_new_conversation_closes_the_old_session(client_factory, loopback):
    c = client_factory()
    await c.connect()
    old = await c.session()
    await c.say("card")
    shown = (await c.wait_for("bot_uttered"))[0]["custom"]["assessment"]
    new = await c.session(old, new=True)
    assert new.split(".")[0] != old.split(".")[0]
    thief = client_factory()
    await thief.connect()
    assert (await thief.session(old)).split(".")[0] != old.split(".")[0]  # not resumed
    assert not [d for n, d in thief.events if n == "lta_history"]
    async with aiohttp.ClientSession() as http:
        async with http.post(loopback.url + "/widget/record?format=md",
                             data=json.dumps({"session_id": old, "assessment": shown})) as r:
            assert r.status == 403
        async with http.post(loopback.url + "/widget/quiz-report", data=json.dumps({"session_id": old})) as r:
            assert r.status == 403
    again = client_factory()
    await again.connect()
    assert await again.session(new) == new  # the new one resumes


async def test_bodies_that_are_not_small_flat_json_get_a_4xx_without_detail(client_factory, loopback):
    c = client_factory()
    await c.connect()
    token = await c.session()
    nested = "[" * 1000 + "]" * 1000
    deep_object = json.dumps({"session_id": token, "assessment": json.loads("[" * 100 + "]" * 100)})
    async with aiohttp.ClientSession() as http:
        for route in ("/widget/record", "/widget/quiz-report"):
            for body in (nested, deep_object, b"\xff\xfe", '{"session_id": '):
                async with http.post(loopback.url + route, data=body) as r:
                    text = await r.text()
                    assert 400 <= r.status < 500, (route, body[:20], r.status)
                    assert "Traceback" not in text and "Error" not in text.replace('"error"', "")


# ---- units -------------------------------------------------------------------------------------


def test_tokens_verify_only_with_the_secret_that_made_them():
    signer = SessionSigner(b"one-secret-0123456789")
    token, sender = signer.issue()
    assert signer.verify(token) == sender
    assert SessionSigner(b"two-secret-0123456789").verify(token) is None
    for bad in (None, "", sender, token + "x", token.replace(".", ".."), 42, "web-x.y", "a" * 500):
        assert signer.verify(bad) is None
    assert len({signer.issue()[1] for _ in range(200)}) == 200


def test_origins_must_be_exact(monkeypatch):
    assert parse_origins("https://a.example.gov.uk, http://localhost:8080/") == [
        "https://a.example.gov.uk",
        "http://localhost:8080",
    ]
    for bad in ("*", "a.example.gov.uk", "https://a.example.gov.uk/path"):
        with pytest.raises(ValueError):
            parse_origins([bad])
    monkeypatch.setenv("LTA_ALLOWED_ORIGINS", "https://b.example.gov.uk")
    monkeypatch.setenv("LTA_SESSION_SECRET", "from-the-environment-0123456789")
    channel = SecureSocketIOInput.from_credentials({"allowed_origins": ["https://a.example.gov.uk"], "max_message_chars": 50})
    assert channel.allowed_origins == {"https://a.example.gov.uk", "https://b.example.gov.uk"}
    assert channel.max_message_chars == 50
    assert SessionSigner(b"from-the-environment-0123456789").verify(channel.signer.issue()[0])


def test_without_a_secret_a_random_one_is_made_and_logged(monkeypatch, caplog):
    monkeypatch.delenv("LTA_SESSION_SECRET", raising=False)
    with caplog.at_level(logging.WARNING):
        a = SecureSocketIOInput.from_credentials({})
        b = SecureSocketIOInput.from_credentials({})
    assert "LTA_SESSION_SECRET is not set" in caplog.text
    assert b.signer.verify(a.signer.issue()[0]) is None


def test_history_hides_silent_intents_and_shows_button_titles():
    events = [
        UserUttered("/greet"),
        BotUttered("Hello. What are you buying?", data={"buttons": [{"title": "Home care", "payload": "/inform_home_care"}]}),
        UserUttered("/inform_home_care"),
        BotUttered(None, data={"custom": {"type": "ltr_assessment", "assessment": {"answer": "Yes"}}}),
        UserUttered("<img src=x onerror=alert(1)>"),
    ]
    assert history_from_events(events) == [
        {
            "sender": "bot",
            "text": "Hello. What are you buying?",
            "quick_replies": [{"content_type": "text", "title": "Home care", "payload": "/inform_home_care"}],
        },
        {"sender": "user", "text": "Home care"},
        {"sender": "bot", "custom": {"type": "ltr_assessment", "assessment": {"answer": "Yes"}}},
        {"sender": "user", "text": "<img src=x onerror=alert(1)>"},
    ]
    many = [UserUttered(f"m{i}") for i in range(300)]
    assert len(history_from_events(many)) == 200


# ---- issue 10: expiry, forwarded headers, caps on "/" payloads and metadata ----------------------


def test_session_tokens_expire_after_30_days_by_default(monkeypatch):
    """Finding: session tokens never expired."""
    monkeypatch.delenv("LTA_SESSION_DAYS", raising=False)
    now = [1_800_000_000.0]
    signer = SessionSigner(b"one-secret-0123456789", clock=lambda: now[0])
    token, sender = signer.issue()
    now[0] += 29 * 86400
    assert signer.verify(token) == sender
    now[0] += 2 * 86400
    assert signer.verify(token) is None
    monkeypatch.setenv("LTA_SESSION_DAYS", "1")
    short = SessionSigner(b"one-secret-0123456789", clock=lambda: now[0])
    token, sender = short.issue()
    now[0] += 2 * 86400
    assert short.verify(token) is None
    # the issue time cannot be moved forward without the secret
    sender_id, issued, mac = token.split(".")
    assert short.verify(f"{sender_id}.{int(now[0]):x}.{mac}") is None


async def test_forwarded_headers_count_only_from_a_configured_proxy(loopback, monkeypatch):
    """Finding: the origin check trusted X-Forwarded-Host / Host from any client."""
    forged = {"Origin": "https://evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}
    monkeypatch.delenv("LTA_TRUSTED_PROXIES", raising=False)
    c = Client(loopback.url, forged)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await c.connect()
    async with aiohttp.ClientSession() as http:
        async with http.get(loopback.url + "/widget/app.js", headers=forged) as r:
            assert "Access-Control-Allow-Origin" not in r.headers
        async with http.get(loopback.url + "/widget/app.js", headers={"Origin": "http://evil.example", "Host": "evil.example"}) as r:
            assert "Access-Control-Allow-Origin" not in r.headers  # a Host header proves nothing
    monkeypatch.setenv("LTA_TRUSTED_PROXIES", "127.0.0.1")  # the test client is the proxy now
    c = Client(loopback.url, forged)
    await c.connect()
    assert (await c.session()).startswith("web-")
    await c.close()


async def test_a_forwarded_scheme_counts_only_from_a_configured_proxy(loopback, monkeypatch):
    """Finding (issue 21): engineio's Sanic driver takes X-Forwarded-Proto from any client as the scheme, so a
    page on https://<this host> passed the origin check of a server that is only served over http."""
    host = loopback.url.split("://", 1)[1]
    forged = {"Origin": f"https://{host}", "X-Forwarded-Proto": "https"}
    monkeypatch.delenv("LTA_TRUSTED_PROXIES", raising=False)
    c = Client(loopback.url, forged)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await c.connect()
    async with aiohttp.ClientSession() as http:
        async with http.get(loopback.url + "/widget/app.js", headers=forged) as r:
            assert "Access-Control-Allow-Origin" not in r.headers
    own = Client(loopback.url, {"Origin": f"http://{host}"})  # the server's real origin still works
    await own.connect()
    await own.close()
    monkeypatch.setenv("LTA_TRUSTED_PROXIES", "127.0.0.1")
    c = Client(loopback.url, forged)
    await c.connect()
    await c.close()


async def test_slash_payloads_and_metadata_are_capped_on_the_socket_too(client_factory, loopback):
    c = client_factory()
    await c.connect()
    await c.session()
    await c.say("/inform" + "x" * 1900)
    await c.wait_for("bot_uttered")
    await c.say("hello", metadata={"blob": "x" * 100_000})  # under the request limit, over the metadata cap
    await c.wait_for("bot_uttered", 2)
    await c.say("hello", metadata=json.dumps({"blob": "x" * 100_000}))
    await c.wait_for("bot_uttered", 3)
    assert loopback.agent.received == []
    await c.say("hello", metadata={"page": "intranet"})
    assert (await c.wait_for("bot_uttered", 4))[-1]["text"] == "echo: hello"
    assert loopback.agent.received[0].metadata == {"page": "intranet"}
