"""Loopback stand-ins for Microsoft's side of a Teams bot, built from the protocol as Microsoft documents it
("Authentication with the Bot Connector API"; "Send and receive messages with the Bot Connector API"):

- the Bot Connector's OpenID metadata (`GET /openid`) and its JWKS (`GET /keys`, each key with `endorsements`);
- the tenant's token endpoint (`POST /<tenant>/oauth2/v2.0/token`, client credentials, scope
  https://api.botframework.com/.default): it only answers the configured app, secret and tenant;
- the connector (`POST /v3/conversations/<id>/activities`): it only accepts a token it issued, and records
  every activity sent.

`sign(...)` makes a Bot Connector token with this fake's key (or another one, for forgeries). Runs in the
caller's event loop (`await fake.start()`) or in a thread of its own (`fake.start_in_thread()`, for sync tests).
"""
from __future__ import annotations

import asyncio
import json
import secrets
import socket
import threading
import time
from typing import Any, Optional
from urllib.parse import unquote

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER = "https://api.botframework.com"
APP_ID = "00000000-1111-2222-3333-444444444444"
APP_PASSWORD = "fake-client-secret-for-loopback-tests"
TENANT_ID = "99999999-8888-7777-6666-555555555555"
BOT_ID = f"28:{APP_ID}"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwk(key: rsa.RSAPrivateKey, kid: str, endorsements: list[str]) -> dict:
    data = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return {**data, "kid": kid, "use": "sig", "alg": "RS256", "endorsements": endorsements}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MicrosoftFake:
    def __init__(self, app_id: str = APP_ID, password: str = APP_PASSWORD, tenant: str = TENANT_ID) -> None:
        self.app_id, self.password, self.tenant = app_id, password, tenant
        self.key = new_key()
        self.kid = "k1"
        # A second key Microsoft publishes but has not endorsed for Teams (only for another channel).
        self.webchat_key, self.webchat_kid = new_key(), "k-webchat"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.activities: list[dict] = []  # (conversation id, activity) as the connector received them
        self.token_requests = 0
        self.key_fetches = 0
        self.issued: set[str] = set()
        self.token_lifetime = 3600
        self._runner: Optional[web.AppRunner] = None
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._changed = threading.Condition()

    # ---- what the bot is configured with ----
    def env(self) -> dict[str, str]:
        return {
            "TEAMS_APP_ID": self.app_id, "TEAMS_APP_PASSWORD": self.password, "TEAMS_TENANT_ID": self.tenant,
            "TEAMS_LOGIN_URL": f"{self.url}/{{tenant}}/oauth2/v2.0/token",
            "TEAMS_OPENID_URL": f"{self.url}/openid",
            "TEAMS_ALLOWED_SERVICE_URLS": self.url,
        }

    # ---- tokens as the Bot Connector signs them ----
    def sign(self, key: Optional[rsa.RSAPrivateKey] = None, kid: Optional[str] = None, **claims: Any) -> str:
        now = int(time.time())
        body = {"iss": ISSUER, "aud": self.app_id, "iat": now, "nbf": now, "exp": now + 3600,
                "serviceurl": self.url, **claims}
        body = {k: v for k, v in body.items() if v is not None}
        return jwt.encode(body, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid})

    def activity(self, text: str = "hello", conversation: str = "a:conv-1", **extra: Any) -> dict:
        return {
            "type": "message", "id": secrets.token_hex(8), "channelId": "msteams", "serviceUrl": self.url,
            "timestamp": "2026-11-26T10:00:00.000Z", "text": text,
            "from": {"id": "29:officer-1", "name": "An Officer", "aadObjectId": "0f0f0f0f-0000-0000-0000-000000000001"},
            "recipient": {"id": BOT_ID, "name": "Light Touch Assistant"},
            "conversation": {"id": conversation, "conversationType": "personal", "tenantId": self.tenant},
            "channelData": {"tenant": {"id": self.tenant}},
            **extra,
        }

    def replies(self, conversation: str) -> list[dict]:
        with self._changed:
            return [a for c, a in self.activities if c == conversation]

    def wait_for_replies(self, conversation: str, count: int, timeout: float = 90) -> list[dict]:
        """Blocks (sync tests) until the connector has `count` replies in the conversation."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len([1 for c, _ in self.activities if c == conversation]) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(left)
            return [a for c, a in self.activities if c == conversation]

    # ---- the server ----
    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/openid", self._openid)
        app.router.add_get("/keys", self._keys)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._activities)
        return app

    async def _openid(self, _: web.Request) -> web.Response:
        return web.json_response({"issuer": ISSUER, "jwks_uri": f"{self.url}/keys",
                                  "id_token_signing_alg_values_supported": ["RS256"]})

    async def _keys(self, _: web.Request) -> web.Response:
        self.key_fetches += 1
        return web.json_response({"keys": [_jwk(self.key, self.kid, ["msteams", "webchat"]),
                                           _jwk(self.webchat_key, self.webchat_kid, ["webchat"])]})

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        self.token_requests += 1
        if (request.match_info["tenant"] != self.tenant or form.get("client_id") != self.app_id
                or form.get("client_secret") != self.password or form.get("grant_type") != "client_credentials"
                or form.get("scope") != "https://api.botframework.com/.default"):
            return web.json_response({"error": "invalid_client"}, status=401)
        token = secrets.token_urlsafe(24)
        self.issued.add(token)
        return web.json_response({"token_type": "Bearer", "expires_in": self.token_lifetime, "access_token": token})

    async def _activities(self, request: web.Request) -> web.Response:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Bearer" or token not in self.issued:
            return web.json_response({"error": "unauthorised"}, status=401)
        body = await request.json()
        with self._changed:
            self.activities.append((unquote(request.match_info["conversation"]), body))
            self._changed.notify_all()
        return web.json_response({"id": secrets.token_hex(6)})

    async def start(self) -> "MicrosoftFake":
        self._runner = web.AppRunner(self._app(), access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    def start_in_thread(self) -> "MicrosoftFake":
        started = threading.Event()

        def run() -> None:
            self._loop = asyncio.new_event_loop()
            self._loop.run_until_complete(self.start())
            started.set()
            self._loop.run_forever()

        threading.Thread(target=run, daemon=True, name="microsoft-fake").start()
        started.wait(10)
        return self

    def stop_thread(self) -> None:
        if self._loop:
            asyncio.run_coroutine_threadsafe(self.stop(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
