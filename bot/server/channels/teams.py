"""Microsoft Teams over the Bot Framework protocol (`POST /webhooks/teams/webhook`), single-tenant.

credentials.yml (no settings in the file: secrets come from the environment):

    bot.server.channels.teams.TeamsInput: {}

Environment:
    TEAMS_APP_ID, TEAMS_APP_PASSWORD, TEAMS_TENANT_ID   required: the Azure bot's app registration (single-tenant)
    LTA_PUBLIC_URL            the server's public https base URL; cards then link to their decision record
    TEAMS_LOGIN_URL           token endpoint (default https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token)
    TEAMS_OPENID_URL          Bot Connector OpenID metadata
                              (default https://login.botframework.com/v1/.well-known/openidconfiguration)
    TEAMS_ALLOWED_SERVICE_URLS  comma-separated origins replies may go to (`https://*.botframework.com` allows
                              subdomains); default: Microsoft's Teams and Bot Framework connectors (SERVICE_URLS)
The last three exist so tests can point them at loopback fakes.

Why not Rasa's `botframework` channel (field notes §3.4): it fetches Microsoft's keys in its constructor (no
internet, no server), takes tokens from the multi-tenant `botframework.com` tenant (single-tenant apps get
AADSTS700016), checks neither issuer, `serviceurl` claim nor endorsements, blocks the event loop with `requests`,
answers only after the whole turn (Teams retries after 15 s, so turns ran twice), ignores conversationUpdate,
keeps `<at>` mentions and sends buttons Teams cannot click.

Here, per request (Microsoft's "Authentication with the Bot Connector API"): a bearer JWT signed RS256 by a key
from the metadata's JWKS (fetched on first use, cached for a day, fetched again for an unknown key id), issuer
https://api.botframework.com, audience = the app id, not expired (5 minutes' clock skew), the key endorsed for the
activity's channelId, the `serviceurl` claim equal to the activity's serviceUrl, that URL on the allow-list and
the activity from our tenant. Anything else gets 401/403 and reaches neither Rasa nor the tracker store. Then 200
at once; the turn runs in the background and replies through the connector (a token from our own tenant, cached
per app and renewed 5 minutes before it expires). An activity id seen in the last hour is not processed again.

Sender ids are `teams-<hash of tenant and conversation>`: one conversation, one tracker (a channel thread is its
own conversation). Answers arrive as an Adaptive Card (bot/render/adaptive_card.py) instead of their text; the
plain-text copies (`ltr_answer_text`) are dropped; other messages go as plain text (never read as Markdown or
HTML), or as a card when they have buttons.

Routes: POST /webhooks/teams/webhook, GET /webhooks/teams/ (health),
        GET /records/<token>  a decision record, by a signed link that expires (bot/server/record_link.py).
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, Iterable, Optional, Text
from urllib.parse import quote, urlsplit

import aiohttp
import jwt
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.server import guard, limits, record_link, speedups
from bot.server.channels import settings_needed

logger = logging.getLogger(__name__)

ISSUER = "https://api.botframework.com"
OPENID_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
LOGIN_URL = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"
SCOPE = "https://api.botframework.com/.default"
# Where Teams (smba.trafficmanager.net, by region) and other Bot Framework channels host their connectors.
SERVICE_URLS = ("https://smba.trafficmanager.net", "https://*.botframework.com")
CLOCK_SKEW_S = 300
KEYS_MAX_AGE_S = 24 * 3600
KEYS_RETRY_S = 60  # an unknown key id fetches the keys again, at most this often
TOKEN_EARLY_S = 300  # renew the connector token this long before it expires
SEEN_FOR_S = 3600
SEEN_MAX = 10_000
MAX_BODY_BYTES = 256 * 1024
HTTP_TIMEOUT_S = 10
SENDER_PREFIX = "teams-"
REQUIRED_ENV = settings_needed("bot.server.channels.teams.TeamsInput")


class TeamsConfigError(ValueError):
    """The channel is enabled without its settings."""


class Rejected(Exception):
    """A request that must not be processed; `status` is the HTTP answer."""

    def __init__(self, status: int, why: str) -> None:
        super().__init__(why)
        self.status = status


# ---- settings ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamsSettings:
    app_id: str
    app_password: str = field(repr=False)
    tenant_id: str
    login_url: str = LOGIN_URL
    openid_url: str = OPENID_URL
    allowed_service_urls: tuple[str, ...] = SERVICE_URLS

    @classmethod
    def from_env(cls, env: Optional[dict] = None) -> "TeamsSettings":
        env = os.environ if env is None else env
        missing = [name for name in REQUIRED_ENV if not env.get(name, "").strip()]
        if missing:
            raise TeamsConfigError(
                f"The Teams channel needs {', '.join(missing)} in the environment (the Azure bot's app id, its "
                "client secret and its tenant id; see docs/teams.md). Set them, or remove "
                "bot.server.channels.teams.TeamsInput from the credentials file."
            )
        allowed = tuple(u.strip() for u in env.get("TEAMS_ALLOWED_SERVICE_URLS", "").split(",") if u.strip())
        return cls(
            app_id=env["TEAMS_APP_ID"].strip(), app_password=env["TEAMS_APP_PASSWORD"].strip(),
            tenant_id=env["TEAMS_TENANT_ID"].strip(),
            login_url=env.get("TEAMS_LOGIN_URL", "").strip() or LOGIN_URL,
            openid_url=env.get("TEAMS_OPENID_URL", "").strip() or OPENID_URL,
            allowed_service_urls=allowed or SERVICE_URLS,
        )

    @property
    def token_url(self) -> str:
        return self.login_url.replace("{tenant}", quote(self.tenant_id, safe=""))


def service_url_allowed(url: Any, allowed: Iterable[str]) -> bool:
    """Whether replies may be sent to `url`: same scheme, host (or a subdomain of a `*.` entry) and port."""
    if not isinstance(url, str) or len(url) > 500:
        return False
    try:
        u = urlsplit(url)
        port = u.port
    except ValueError:
        return False
    if u.username or u.password or not u.hostname:
        return False
    for entry in allowed:
        a = urlsplit(entry)
        host = (a.hostname or "").lower()
        if a.scheme != u.scheme or (a.port or None) != (port or None):
            continue
        name = u.hostname.lower()
        if (host.startswith("*.") and name.endswith(host[1:])) or name == host:
            return True
    return False


# ---- inbound: the Bot Connector's tokens -------------------------------------------------------


class HttpClient:
    """One aiohttp session per event loop, made on first use (so the server starts offline)."""

    def __init__(self) -> None:
        self._session: Optional[aiohttp.ClientSession] = None
        self._loop: Optional[asyncio.AbstractEventLoop] = None

    def session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=HTTP_TIMEOUT_S))
            self._loop = loop
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


@dataclass
class SigningKey:
    key: Any
    endorsements: tuple[str, ...]


class SigningKeys:
    """Microsoft's signing keys by key id, from the OpenID metadata's jwks_uri; fetched when first needed."""

    def __init__(self, openid_url: str, http: HttpClient, clock: Callable[[], float] = time.time) -> None:
        self.openid_url = openid_url
        self.http = http
        self.clock = clock
        self._keys: dict[str, SigningKey] = {}
        self._fetched = float("-inf")
        self._lock = asyncio.Lock()

    async def get(self, kid: str) -> Optional[SigningKey]:
        async with self._lock:
            age = self.clock() - self._fetched
            if age > KEYS_MAX_AGE_S or (kid not in self._keys and age > KEYS_RETRY_S):
                await self._fetch()
        return self._keys.get(kid)

    async def _fetch(self) -> None:
        session = self.http.session()
        try:
            async with session.get(self.openid_url) as r:
                r.raise_for_status()
                metadata = await r.json(content_type=None)
            async with session.get(metadata["jwks_uri"]) as r:
                r.raise_for_status()
                jwks = await r.json(content_type=None)
        except Exception as e:
            if self._keys:  # keep working with the keys we have; try again later
                logger.warning("Could not refresh the Bot Framework signing keys (%s).", type(e).__name__)
                self._fetched = self.clock() - KEYS_MAX_AGE_S + KEYS_RETRY_S
                return
            raise Rejected(503, "the Bot Framework signing keys cannot be fetched") from e
        keys = {}
        for jwk in jwks.get("keys", []):
            try:
                keys[jwk["kid"]] = SigningKey(jwt.PyJWK(jwk, algorithm="RS256").key,
                                              tuple(str(e) for e in jwk.get("endorsements") or []))
            except (KeyError, jwt.PyJWKError, jwt.InvalidKeyError, TypeError):
                continue
        self._keys, self._fetched = keys, self.clock()


class Authenticator:
    def __init__(self, settings: TeamsSettings, keys: SigningKeys, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.keys = keys
        self.clock = clock

    async def check(self, authorization: str, activity: dict) -> dict:
        """The token's claims, or Rejected (401: not from the Bot Connector; 403: not for this activity)."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Rejected(401, "no bearer token")
        token = token.strip()
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Rejected(401, "not a JWT") from None
        if header.get("alg") != "RS256" or not isinstance(header.get("kid"), str):
            raise Rejected(401, "unexpected token algorithm or key id")
        key = await self.keys.get(header["kid"])
        if key is None:
            raise Rejected(401, "unknown signing key")
        try:
            claims = jwt.decode(
                token, key.key, algorithms=["RS256"], audience=self.settings.app_id, issuer=ISSUER,
                leeway=CLOCK_SKEW_S, options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise Rejected(401, "expired token") from None
        except jwt.InvalidAudienceError:
            raise Rejected(401, "token for another app") from None
        except jwt.InvalidIssuerError:
            raise Rejected(401, "token from another issuer") from None
        except jwt.PyJWTError as e:
            raise Rejected(401, f"invalid token ({type(e).__name__})") from None
        channel_id = activity.get("channelId")
        if not isinstance(channel_id, str) or channel_id not in key.endorsements:
            raise Rejected(403, "the signing key is not endorsed for this channel")
        if claims.get("serviceurl") != activity.get("serviceUrl"):
            raise Rejected(403, "the serviceUrl does not match the token")
        if not service_url_allowed(activity.get("serviceUrl"), self.settings.allowed_service_urls):
            raise Rejected(403, "serviceUrl is not an allowed connector")
        tenant = ((activity.get("channelData") or {}).get("tenant") or {}).get("id") \
            or (activity.get("conversation") or {}).get("tenantId")
        if tenant is not None and tenant != self.settings.tenant_id:
            raise Rejected(403, "activity from another tenant")
        return claims


# ---- outbound: the connector -------------------------------------------------------------------


class Connector:
    """Sends activities to the connector at an activity's serviceUrl with a token from our tenant."""

    def __init__(self, settings: TeamsSettings, http: HttpClient, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.http = http
        self.clock = clock
        self._token = ""
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def token(self) -> str:
        async with self._lock:
            if not self._token or self.clock() >= self._expires - TOKEN_EARLY_S:
                form = {"grant_type": "client_credentials", "client_id": self.settings.app_id,
                        "client_secret": self.settings.app_password, "scope": SCOPE}
                async with self.http.session().post(self.settings.token_url, data=form) as r:
                    if r.status != 200:
                        raise RuntimeError(f"the token endpoint answered {r.status}")
                    body = await r.json(content_type=None)
                self._token = str(body["access_token"])
                self._expires = self.clock() + float(body.get("expires_in", 3600))
            return self._token

    def forget_token(self) -> None:
        self._token = ""

    async def send(self, service_url: str, conversation_id: str, activity: dict) -> None:
        if not service_url_allowed(service_url, self.settings.allowed_service_urls):
            raise RuntimeError("serviceUrl is not an allowed connector")  # checked on the way in too
        url = f"{service_url.rstrip('/')}/v3/conversations/{quote(conversation_id, safe='')}/activities"
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {await self.token()}"}
            async with self.http.session().post(url, json=activity, headers=headers) as r:
                if r.status == 401 and attempt == 1:
                    self.forget_token()  # revoked or rotated: one more try with a fresh token
                    continue
                if r.status >= 300:
                    raise RuntimeError(f"the connector answered {r.status}")
                return


# ---- the conversation --------------------------------------------------------------------------


class Seen:
    """Activity ids processed in the last hour (Teams sends an activity again when it thinks we were slow)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._seen: "OrderedDict[str, float]" = OrderedDict()
        self.clock = clock

    def first_time(self, key: str) -> bool:
        now = self.clock()
        while self._seen and (next(iter(self._seen.values())) < now - SEEN_FOR_S or len(self._seen) > SEEN_MAX):
            self._seen.popitem(last=False)
        if key in self._seen:
            return False
        self._seen[key] = now
        return True


_AT = re.compile(r"</?at>", re.I)


def message_text(activity: dict) -> str:
    """What the officer said: a button's payload, or the text without the @mention of the bot."""
    value = activity.get("value")
    if isinstance(value, dict) and isinstance(value.get("lta_payload"), str):
        return value["lta_payload"]
    text = activity.get("text") if isinstance(activity.get("text"), str) else ""
    bot_id = (activity.get("recipient") or {}).get("id")
    for entity in activity.get("entities") or []:
        if isinstance(entity, dict) and entity.get("type") == "mention" and isinstance(entity.get("text"), str):
            if (entity.get("mentioned") or {}).get("id") == bot_id:
                text = text.replace(entity["text"], " ")
    return " ".join(_AT.sub("", text).split())


def sender_id(tenant_id: str, conversation_id: str, officer_id: str = "") -> str:
    """One case per officer: in a group chat or a channel thread each officer who writes has their own, so no
    one sees another's facts; in a one-to-one chat the conversation is the officer's anyway."""
    key = f"{tenant_id}\0{conversation_id}\0{officer_id}" if officer_id else f"{tenant_id}\0{conversation_id}"
    return SENDER_PREFIX + hashlib.sha256(key.encode()).hexdigest()[:40]


def officer_of(activity: dict) -> str:
    """Who wrote, in a shared conversation ("" in a one-to-one chat): their Entra object id, else their Teams id."""
    if (activity.get("conversation") or {}).get("conversationType", "personal") == "personal":
        return ""
    sender = activity.get("from") or {}
    return str(sender.get("aadObjectId") or sender.get("id") or "")


def bot_added(activity: dict) -> bool:
    bot_id = (activity.get("recipient") or {}).get("id")
    return any(isinstance(m, dict) and m.get("id") == bot_id for m in activity.get("membersAdded") or [])


class TeamsOutput(OutputChannel):
    """Replies into the conversation an activity came from."""

    @classmethod
    def name(cls) -> Text:
        return "teams"

    def __init__(self, connector: Connector, activity: dict, sender: str) -> None:
        self.connector = connector
        self.sender = sender
        self.service_url = str(activity["serviceUrl"])
        self.conversation = activity.get("conversation") or {}
        self._base = {
            "type": "message",
            "from": activity.get("recipient") or {},
            "recipient": activity.get("from") or {},
            "conversation": self.conversation,
            **({"replyToId": activity["id"]} if activity.get("id") else {}),
        }

    async def _send(self, extra: dict) -> None:
        try:
            await self.connector.send(self.service_url, str(self.conversation.get("id", "")), {**self._base, **extra})
        except Exception as e:  # the turn is saved; a lost reply is logged, never raised into Rasa
            logger.error("Could not send a reply to Teams (%s).", type(e).__name__)

    async def _card(self, card: dict) -> None:
        from bot.render.adaptive_card import CONTENT_TYPE

        await self._send({"attachments": [{"contentType": CONTENT_TYPE, "content": card}]})

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        if text:
            await self._send({"text": text, "textFormat": "plain"})  # shown as typed: no Markdown, no HTML

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        from bot.render.adaptive_card import assessment_card, message_card

        custom = message.get("custom")
        kind = custom.get("type") if isinstance(custom, dict) else None
        if kind == "ltr_answer_text":
            return  # the card already says it
        if kind == "ltr_assessment":
            try:
                link = record_link.record_url(self.sender, custom["assessment"])
                await self._card(assessment_card(custom, link))
                return
            except Exception as e:  # a card we cannot draw: the answer as text instead
                logger.error("Could not draw the answer card (%s); sending its text.", type(e).__name__)
        buttons = message.get("buttons") or message.get("quick_replies")
        if buttons:
            await self._card(message_card(message.get("text") or "", buttons))
        elif message.get("text"):
            await self.send_text_message(recipient_id, message["text"])


# ---- the input channel -------------------------------------------------------------------------


class TeamsInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "teams"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        if credentials:
            raise TeamsConfigError("bot.server.channels.teams.TeamsInput takes no settings in the credentials file: "
                                   "use the environment (TEAMS_APP_ID, TEAMS_APP_PASSWORD, TEAMS_TENANT_ID)")
        guard.install()  # the same gate and failure handling as every channel, even if REST is off
        speedups.install()
        return cls(TeamsSettings.from_env())

    def __init__(self, settings: TeamsSettings) -> None:
        self.settings = settings
        self.http = HttpClient()
        self.auth = Authenticator(settings, SigningKeys(settings.openid_url, self.http))
        self.connector = Connector(settings, self.http)
        self.seen = Seen()
        self.tasks: set[asyncio.Task] = set()
        self._app: Optional[Sanic] = None
        record_link.check_settings("Teams answer cards")

    async def idle(self) -> None:
        """Waits for the turns running in the background (tests, shutdown)."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)

    # -- a turn --

    async def _turn(self, activity: dict, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        conversation = str((activity.get("conversation") or {}).get("id", ""))
        sender = sender_id(self.settings.tenant_id, conversation, officer_of(activity))
        output = TeamsOutput(self.connector, activity, sender)
        kind = activity.get("type")
        if kind == "conversationUpdate" and bot_added(activity):
            text = "/greet"  # the assistant's own greeting, as the widget opens with it
        elif kind == "message":
            text = message_text(activity)
            if not text:
                return  # a file or a card with nothing to read
        else:
            return
        try:
            refusal, text, metadata = guard.gate(text, {})
        except guard.InputRefused:
            refusal, metadata = guard.NOTHING_TO_SAY, {}
        if refusal:
            await output.send_text_message(sender, refusal)
            return
        try:
            await on_new_message(UserMessage(text, output, sender, input_channel=self.name(), metadata=metadata))
        except Exception as e:
            logger.error("A Teams message failed (%s).", type(e).__name__)
            await output.send_text_message(sender, guard.CANNOT_WORK_OUT)

    def _start(self, coro: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def receive(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> HTTPResponse:
        if len(request.body or b"") > MAX_BODY_BYTES:
            return response.json({"error": "the body is too large"}, status=413)
        try:
            activity = limits.parse_json(request.body or b"")
        except ValueError:
            return response.json({"error": "the body is not valid JSON"}, status=400)
        if not isinstance(activity, dict):
            return response.json({"error": "the body must be an activity"}, status=400)
        try:
            await self.auth.check(request.headers.get("authorization", ""), activity)
        except Rejected as e:
            logger.info("Refused a Teams request (%s).", e)
            return response.json({"error": str(e)}, status=e.status)
        conversation = (activity.get("conversation") or {}).get("id")
        if not isinstance(conversation, str) or not conversation:
            return response.json({"error": "the activity has no conversation"}, status=400)
        if activity.get("id") and not self.seen.first_time(f"{conversation}\0{activity['id']}"):
            return HTTPResponse(status=200)  # a retry of an activity already being answered
        self._start(self._turn(activity, on_new_message))
        return HTTPResponse(status=200)

    # -- the blueprint --

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        channel = self

        class _Blueprint(Blueprint):
            def register(self, app: Sanic, options: Dict[Text, Any]) -> None:
                super().register(app, options)
                channel._app = app
                record_link.install(app)

                async def close_http(*_: Any) -> None:
                    await channel.idle()
                    await channel.http.close()

                app.register_listener(close_http, "before_server_stop")

        webhook = _Blueprint("teams_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await channel.receive(request, on_new_message)

        return webhook
