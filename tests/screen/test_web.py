"""`POST /screen` on a real Sanic server on loopback, mounted with the REST channel as `rasa run` mounts it:
the bearer token, the limits, the formats; answers as the command line gives them."""
from __future__ import annotations

import csv
import io
import json
import socket
from pathlib import Path

import aiohttp
import pytest
from rasa.core.channels.channel import register
from sanic import Sanic

from bot.server.channels.rest import GuardedRestInput


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

TOKEN = "test-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PIPELINE = (Path(__file__).parent / "data" / "pipeline.csv").read_bytes()
_count = 0


@pytest.fixture
async def server():
    global _count
    _count += 1
    Sanic.test_mode = True
    app = Sanic(f"lta_screen_test_{_count}")
    register([GuardedRestInput(token=TOKEN)], app, route="/webhooks/")
    port = free_port()
    srv = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    await srv.startup()
    try:
        yield f"http://127.0.0.1:{port}/screen"
    finally:
        srv.close()
        await srv.wait_closed()


async def post(url, data, headers=AUTH, params=None, content_type="text/csv"):
    async with aiohttp.ClientSession() as http:
        async with http.post(url, data=data, params=params or {}, headers={**headers, "Content-Type": content_type}) as r:
            return r.status, await r.read(), dict(r.headers)


async def test_the_bearer_token_is_needed(server):
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        status, body, _ = await post(server, PIPELINE, headers)
        assert status == 401 and b"bearer token" in body


async def test_json_answers_every_row(server):
    status, body, _ = await post(server, PIPELINE, params={"name": "pipeline.csv", "as_of": "2026-12-07"})
    assert status == 200
    out = json.loads(body)
    assert out["summary"]["rows"] == 23 and out["summary"]["needs_input"] == 4
    first = out["rows"][0]
    # A01: £1.2m a year for 3 + 1 + 1 years, including VAT: light touch, above £663,540 (ref §2.3, §3.1)
    assert (first["row"], first["regime"], first["light_touch"], first["above_threshold"]) == ("A01", "PA2023", True, True)
    assert first["estimated_value_gbp"] == 6_000_000 and "trace" not in first
    assert out["columns"]["CPV"] == "cpv"


async def test_csv_download_is_neutralised(server):
    status, body, headers = await post(server, PIPELINE, params={"name": "pipeline.csv", "as_of": "2026-12-07", "format": "csv"})
    assert status == 200 and "attachment" in headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    refs = [r[0] for r in rows[1:]]
    assert "'@A17" in refs  # the row's own reference began with @
    assert not any(c.startswith(("=", "+", "-", "@")) for r in rows for c in r)


@pytest.mark.parametrize("data, params, content_type, status", [
    (b"x" * (5 * 1024 * 1024 + 1), {}, "text/csv", 413),
    (b"", {}, "text/csv", 400),
    (b"a=b", {}, "application/x-www-form-urlencoded", 415),
    (PIPELINE, {"format": "pdf"}, "text/csv", 400),
    (PIPELINE, {"as_of": "soon"}, "text/csv", 400),
    (PIPELINE, {"buyer": "king"}, "text/csv", 400),
    (b"\x00\x01" * 100, {"name": "f.csv"}, "text/csv", 422),
    (b"Colour,Size\r\nred,9\r\n", {}, "text/csv", 422),
])
async def test_bad_uploads_get_a_plain_4xx(server, data, params, content_type, status):
    got, body, _ = await post(server, data, params=params, content_type=content_type)
    assert got == status
    assert "error" in json.loads(body) and b"Traceback" not in body


async def test_too_many_rows(server):
    big = "Ref,Service,Value\r\n" + "".join(f"R{i},Home care,£1k\r\n" for i in range(2001))
    got, body, _ = await post(server, big.encode(), params={"name": "big.csv"})
    assert got == 422 and b"ltr screen" in body
