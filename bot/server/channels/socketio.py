"""Socket.io channel for the web widget: server-issued sessions, origin checks, a message cap,
and the widget's own files served by the Rasa server itself (no extra process, no CDN).

credentials.yml block (keep it in credentials.yml; `make run` starts Rasa with it):

    bot.server.channels.socketio.SecureSocketIOInput:
      user_message_evt: user_uttered
      bot_message_evt: bot_uttered
      # Pages on other origins that may embed the widget, as scheme://host[:port].
      # The Rasa server's own origin is always allowed; LTA_ALLOWED_ORIGINS adds more.
      allowed_origins: []
      max_message_chars: 2000

Environment variables:
    LTA_SESSION_SECRET   signs session IDs. Without it a random secret is made at start (logged),
                         and conversations cannot be resumed after a restart.
    LTA_ALLOWED_ORIGINS  comma-separated origins allowed to embed the widget, besides the above.
    LTA_WEB_DIR          the widget's folder (default: this repository's web/).

Why not the stock `SocketIOInput` (rasa/core/channels/socketio.py, 3.6.21):
- it calls `sio.enter_room()` without `await`; python-socketio >= 5.10 made that a coroutine, so
  with session persistence the client never gets a reply (RasaHQ/rasa#13027);
- it takes the session id from the client, so anyone who knows or guesses an id joins that
  conversation. Here the server issues the id (random, HMAC-signed) and binds it to the socket;
- it creates the server with `cors_allowed_origins=[]`, which turns engineio's origin check off;
- it emits custom payloads as keyword arguments of `emit()`, which fails for {"type": ...}.

Protocol (compatible with the stock event names):
    client -> server  session_request {session_id?: <token from session_confirm>, new?: true}
                      (new: "start a new conversation": the socket's conversation and the token sent
                      with it are closed, so that token never resumes, downloads or reports again)
                      user_uttered {message, metadata?}   (a session_id in it is ignored)
    server -> client  session_confirm <token>   (a new token unless the one sent was valid)
                      lta_history {messages: [{sender: "user"|"bot", text?, quick_replies?, custom?}],
                                   quiz?: [bot messages]}   (after session_confirm when the session was resumed;
                                  messages may be empty; quiz: where a running quiz stands, and its question again)
                      bot_uttered {text?, quick_replies?, custom?, attachment?, elements?}
                      lta_error {code: "no_session"|"server_error", message}
HTTP routes (added to the Rasa app):
    GET  /widget/widget.js, /widget/<module>.js, /widget/widget.css, /widget/vendor/socket.io.esm.min.js
    GET  /demo/                      the demo intranet page
    POST /widget/record?format=html|md   body {"session_id": <token>, "assessment": {...}} -> a decision record
                                     download of an answer given in that signed session's conversation (403 without one)
    POST /widget/quiz-report?format=html|csv   body {"session_id": <token>} -> this web chat's quiz results, built
                                     from the stored conversation of the signed session (never from the body's data)
    POST /widget/screen[?format=json|csv|xlsx]   multipart form {session_id, file}: "Check a list", a CSV or XLSX
                                     of at most 5 MB screened row by row (bot.screen.web, as POST /screen): the table's
                                     rows as JSON with an `id`, or the download itself (403 without a live session)
    POST /widget/screen/download?format=csv|xlsx   body {"session_id", "id"} -> that session's last screening as a
                                     file (410 once it is no longer held: the widget then sends the file again)
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import os
import re
import secrets
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage, decode_bearer_token
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from rasa.shared.core.events import BotUttered, ConversationPaused, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.server import capacity, limits
from bot.server.guard import InputRefused, gate
from bot.server.limits import MAX_MESSAGE_CHARS
from bot.server.store import find_answer

logger = logging.getLogger(__name__)

DEFAULT_MAX_MESSAGE_CHARS = MAX_MESSAGE_CHARS
HISTORY_LIMIT = 200  # messages sent back on resume; older ones stay in the tracker store
RECORD_MAX_BYTES = 512 * 1024
# Lists screened at once in this process: a screening of 2,000 rows takes seconds of the Rasa process's time, so
# more wait their turn (429) rather than slow every conversation down.
SCREENINGS_AT_ONCE = 2
DEFAULT_SESSION_DAYS = 30.0
SESSION_PREFIX = "web-"  # keeps widget conversations apart from REST/CLI sender ids

TOO_LONG_REPLY = (
    "Sorry, that message is too long for me: it has {length:,} characters and I can read up to "
    "{limit:,}. Please send just the key facts, for example the service, the contract value and "
    "when the procurement starts."
)
SERVER_ERROR_REPLY = (
    "Sorry, something went wrong on our side and I could not answer that. "
    "Your conversation is saved. Please try again in a moment."
)
METADATA_REFUSED = "Sorry, I could not read that message. Please reload the page and try again."
NO_SESSION_MESSAGE = "Your chat session was not set up. Reload the page to start again."


# ---- session tokens ----------------------------------------------------------------------------


class SessionSigner:
    """Issues and checks session tokens `<sender_id>.<issued>.<mac>`.

    The sender id is 128 random bits; the MAC proves the server issued it, so a client can
    neither guess a live conversation nor choose its own id (for example one used over REST).
    `issued` (seconds since 1970, base 36) makes a token expire `max_age_days` after it was issued
    (LTA_SESSION_DAYS, default 30); the conversation then starts afresh.
    """

    _TOKEN = re.compile(r"(web-[A-Za-z0-9_-]{16,64})\.([0-9a-z]{1,10})\.([A-Za-z0-9_-]{43})")  # fullmatch only

    def __init__(self, secret: bytes, max_age_days: Optional[float] = None,
                 clock: Callable[[], float] = time.time) -> None:
        if not secret:
            raise ValueError("the session secret must not be empty")
        self._secret = secret
        if max_age_days is None:
            try:
                max_age_days = float(os.environ.get("LTA_SESSION_DAYS", DEFAULT_SESSION_DAYS))
            except ValueError:
                max_age_days = DEFAULT_SESSION_DAYS
        self.max_age_seconds = max_age_days * 86400
        self._clock = clock

    def _mac(self, sender_id: str, issued: str) -> str:
        message = b"lta-session-v2:" + sender_id.encode() + b"." + issued.encode()
        digest = hmac.new(self._secret, message, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def issue(self) -> tuple[str, str]:
        """Returns (token for the client, sender id for the tracker)."""
        sender_id = SESSION_PREFIX + secrets.token_urlsafe(16)
        issued = _base36(int(self._clock()))
        return f"{sender_id}.{issued}.{self._mac(sender_id, issued)}", sender_id

    def verify(self, token: Any) -> Optional[str]:
        """The sender id of an unexpired token this server issued, else None."""
        if not isinstance(token, str) or len(token) > 200:
            return None
        match = self._TOKEN.fullmatch(token)
        if not match:
            return None
        sender_id, issued, mac = match.groups()
        if not hmac.compare_digest(mac, self._mac(sender_id, issued)):
            return None
        age = self._clock() - int(issued, 36)
        return sender_id if -300 <= age <= self.max_age_seconds else None


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out


def session_secret_from_env() -> bytes:
    secret = os.environ.get("LTA_SESSION_SECRET", "")
    if secret:
        if len(secret) < 16:
            logger.warning("LTA_SESSION_SECRET is shorter than 16 characters; use a long random value.")
        return secret.encode()
    logger.warning(
        "LTA_SESSION_SECRET is not set: using a random secret for this run. Web chat sessions "
        "will not resume after a restart. Set LTA_SESSION_SECRET to a long random value to keep them."
    )
    return secrets.token_bytes(32)


# ---- origins -----------------------------------------------------------------------------------


def normalise_origin(origin: str) -> str:
    return origin.strip().rstrip("/").lower()


def parse_origins(value: Any) -> list[str]:
    """Origins from credentials (a list or a comma-separated string) or the environment."""
    if not value:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    origins = []
    for item in items:
        origin = normalise_origin(str(item))
        if not origin:
            continue
        if origin == "*" or not re.fullmatch(r"https?://[^/\s]+", origin):
            raise ValueError(
                f"allowed origin {item!r} must look like https://intranet.example.gov.uk "
                "(scheme and host, no path, no wildcard)"
            )
        origins.append(origin)
    return origins


LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")


def trusted_proxies() -> set[str]:
    """LTA_TRUSTED_PROXIES: comma-separated addresses of the reverse proxy, whose X-Forwarded-Proto
    and X-Forwarded-Host are believed. From anyone else those headers are ignored, and the scheme is the
    connection's own."""
    return {p.strip() for p in os.environ.get("LTA_TRUSTED_PROXIES", "").split(",") if p.strip()}


def _same_origins(scheme: str, host: str, forwarded_proto: str = "", forwarded_host: str = "",
                  peer: str = "", proxies: Optional[set] = None) -> set[str]:
    """The origins that count as this server's own. Host is believed only for loopback names (a
    page on another name must be listed in allowed origins: a Host header proves nothing, e.g.
    after DNS rebinding); forwarded headers only from a configured proxy."""
    proxies = trusted_proxies() if proxies is None else proxies
    origins = set()
    if host and host.lower().rsplit(":", 1)[0] in LOOPBACK_HOSTS:
        origins.add(normalise_origin(f"{scheme}://{host}"))
    if peer and peer in proxies and (forwarded_host or forwarded_proto):
        # the proxy's own view: its scheme, and the host the browser asked it for (its Host when it passes that on)
        proto = (forwarded_proto or scheme).split(",")[0].strip()
        fhost = (forwarded_host or host).split(",")[0].strip()
        if fhost:
            origins.add(normalise_origin(f"{proto}://{fhost}"))
    return origins


def _peer(request: Any) -> str:
    """The address of the machine that opened the connection (never a header)."""
    try:
        return str(request.conn_info.client_ip or "")
    except AttributeError:
        return ""


def client_address(request: Any) -> str:
    """The client's address for rate limits: the connection's peer, or, from a proxy in LTA_TRUSTED_PROXIES, the
    address that proxy put last in X-Forwarded-For (the one it saw; earlier entries are the client's own say)."""
    peer = _peer(request)
    if peer and peer in trusted_proxies():
        forwarded = [a.strip() for a in (request.headers.get("x-forwarded-for") or "").split(",") if a.strip()]
        if forwarded:
            return forwarded[-1][:64]
    return peer


def _scheme(request: Any) -> str:
    """The connection's own scheme (never a header: engineio's Sanic driver takes X-Forwarded-Proto from
    anyone as `wsgi.url_scheme`)."""
    try:
        return "https" if request.conn_info.ssl else "http"
    except AttributeError:
        return "http"


def _name_sessions_after_instance(sio: AsyncServer) -> None:
    """With LTA_INSTANCE set (several Rasa instances behind a proxy), every engine.io session id starts
    with "<instance>-", so the proxy can send a socket.io session's later requests (`?sid=...`) to the
    instance that holds it without cookies or client addresses (docs/scale-out.md)."""
    instance = os.environ.get("LTA_INSTANCE", "")
    if not re.fullmatch(r"[a-z0-9]{1,16}", instance):
        return
    generate = sio.eio.generate_id
    sio.eio.generate_id = lambda: f"{instance}-{generate()}"


# ---- messages ----------------------------------------------------------------------------------


def _quick_replies(buttons: Any) -> list[dict]:
    out = []
    for button in buttons or []:
        if isinstance(button, dict) and button.get("title") is not None:
            out.append(
                {"content_type": "text", "title": str(button["title"]), "payload": str(button.get("payload", ""))}
            )
    return out


def bot_message_payload(text: Optional[str], data: Dict[str, Any]) -> Dict[str, Any]:
    """One bot message as the widget receives it, live or from history: text, buttons and
    custom payload together, so a card and the text it belongs to arrive as one event."""
    out: Dict[str, Any] = {}
    if text:
        out["text"] = text
    replies = _quick_replies(data.get("buttons")) or _quick_replies(data.get("quick_replies"))
    if replies:
        out["quick_replies"] = replies
    if data.get("custom") is not None:
        out["custom"] = data["custom"]
    if data.get("image"):
        out["attachment"] = {"type": "image", "payload": {"src": data["image"]}}
    elif data.get("attachment"):
        out["attachment"] = data["attachment"]
    if data.get("elements"):
        out["elements"] = data["elements"]
    return out


def history_from_events(events: Iterable[Event], limit: int = HISTORY_LIMIT) -> list[dict]:
    """The conversation as the widget shows it. A button press is stored as its payload
    (`/inform{...}`), so it is shown with the button's title; other `/intent` messages
    (the widget's silent greeting) are not shown."""
    messages: list[dict] = []
    titles: dict[str, str] = {}
    for event in events:
        if isinstance(event, UserUttered):
            text = event.text or ""
            if text in titles:
                messages.append({"sender": "user", "text": titles[text]})
            elif text and not text.startswith("/"):
                messages.append({"sender": "user", "text": text})
        elif isinstance(event, BotUttered):
            payload = bot_message_payload(event.text, event.data or {})
            if payload:
                messages.append({"sender": "bot", **payload})
                titles.update({r["payload"]: r["title"] for r in payload.get("quick_replies", [])})
    return messages[-limit:]


class WidgetOutput(SocketIOOutput):
    """Sends each bot message as one `bot_uttered` event (the stock class splits text on blank
    lines, which breaks Markdown lists, and emits custom payloads as `emit()` keyword arguments)."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        payload = bot_message_payload(message.get("text"), message)
        if payload:
            await self._send_message(recipient_id, payload)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"text": text})

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self._send_message(recipient_id, bot_message_payload(text, {"buttons": buttons}))

    async def send_quick_replies(
        self, recipient_id: Text, text: Text, quick_replies: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        await self._send_message(recipient_id, bot_message_payload(text, {"buttons": quick_replies}))

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        await self._send_message(recipient_id, {"custom": json_message})


# ---- static files ------------------------------------------------------------------------------

_CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}
_MODULE_NAME = re.compile(r"[a-z][a-z0-9-]*\.js")  # fullmatch
BUILD_HINT = (
    "The chat widget's files are missing. Run `make setup` (it runs `npm ci --prefix web` and "
    "`npm run --prefix web build`)."
)
# The demo page is ours, so it gets a strict policy: no inline script or style at all, which also
# means a message rendered as HTML by mistake could not run code.
DEMO_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
)


def default_web_dir() -> Path:
    configured = os.environ.get("LTA_WEB_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[3] / "web"


class WidgetFiles:
    """Maps URL names to files under web/ (an allow-list: nothing else can be read)."""

    def __init__(self, web_dir: Path) -> None:
        self.web_dir = web_dir

    def widget_file(self, name: str) -> Optional[Path]:
        if name == "widget.css":
            return self.web_dir / "dist" / "widget.css"
        if _MODULE_NAME.fullmatch(name):
            return self.web_dir / "src" / name
        return None

    def vendor_file(self, name: str) -> Optional[Path]:
        if name == "socket.io.esm.min.js":
            return self.web_dir / "node_modules" / "socket.io-client" / "dist" / "socket.io.esm.min.js"
        return None

    def demo_file(self, name: str) -> Optional[Path]:
        if name in ("", "index.html"):
            return self.web_dir / "demo" / "index.html"
        if name == "demo.css":
            return self.web_dir / "dist" / "demo.css"
        return None


# ---- the input channel -------------------------------------------------------------------------


class SecureSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel with server-issued sessions, origin checks and a message cap."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"  # keeps `channel: socketio` response variations working

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        origins = parse_origins(credentials.get("allowed_origins")) + parse_origins(
            os.environ.get("LTA_ALLOWED_ORIGINS", "")
        )
        return cls(
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            namespace=credentials.get("namespace"),
            socketio_path=credentials.get("socketio_path", "/socket.io"),
            jwt_key=credentials.get("jwt_key"),
            jwt_method=credentials.get("jwt_method", "HS256"),
            metadata_key=credentials.get("metadata_key", "metadata"),
            allowed_origins=origins,
            max_message_chars=int(credentials.get("max_message_chars", DEFAULT_MAX_MESSAGE_CHARS)),
        )

    def __init__(
        self,
        user_message_evt: Text = "user_uttered",
        bot_message_evt: Text = "bot_uttered",
        namespace: Optional[Text] = None,
        session_persistence: bool = True,
        socketio_path: Optional[Text] = "/socket.io",
        jwt_key: Optional[Text] = None,
        jwt_method: Optional[Text] = "HS256",
        metadata_key: Optional[Text] = "metadata",
        *,
        allowed_origins: Iterable[str] = (),
        max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS,
        session_secret: Optional[bytes] = None,
        web_dir: Optional[Path] = None,
    ) -> None:
        # Sessions are always server-issued and persistent; the flag is kept for the signature only.
        super().__init__(
            user_message_evt, bot_message_evt, namespace, True, socketio_path, jwt_key, jwt_method, metadata_key
        )
        if max_message_chars < 1:
            raise ValueError("max_message_chars must be at least 1")
        self.allowed_origins = {normalise_origin(o) for o in allowed_origins}
        self.max_message_chars = max_message_chars
        self.signer = SessionSigner(session_secret or session_secret_from_env())
        self.files = WidgetFiles(web_dir or default_web_dir())
        self._app: Optional[Sanic] = None
        from bot.screen.web import Held

        self.held = Held()  # each session's last "Check a list" screening, for its downloads
        self.screenings = 0  # "Check a list" screenings running now (SCREENINGS_AT_ONCE at most)

    # -- origins --

    def origin_allowed(self, origin: Optional[str], environ: Dict[str, Any]) -> bool:
        """engineio calls this for each request that has an Origin header."""
        if not origin:
            return True  # not a browser; browsers always send Origin on cross-site requests
        origin = normalise_origin(origin)
        if origin in self.allowed_origins:
            return True
        request = environ.get("sanic.request")
        peer = environ.get("LTA_PEER") or (_peer(request) if request is not None else "")
        return origin in _same_origins(
            environ.get("LTA_SCHEME") or _scheme(request),
            environ.get("HTTP_HOST", ""),
            environ.get("HTTP_X_FORWARDED_PROTO", ""),
            environ.get("HTTP_X_FORWARDED_HOST", ""),
            peer,
        )

    def _request_origin_allowed(self, request: Request) -> Optional[str]:
        """The request's Origin if it may read our responses, else None."""
        origin = request.headers.get("origin")
        if not origin:
            return None
        environ = {
            "LTA_SCHEME": _scheme(request),
            "HTTP_HOST": request.headers.get("host", ""),
            "HTTP_X_FORWARDED_PROTO": request.headers.get("x-forwarded-proto", ""),
            "HTTP_X_FORWARDED_HOST": request.headers.get("x-forwarded-host", ""),
            "LTA_PEER": _peer(request),
        }
        return origin if self.origin_allowed(origin, environ) else None

    # -- history --

    async def _tracker(self, sender_id: str) -> Any:
        """The stored conversation, or None when there is none; raises when the store cannot be read."""
        agent = getattr(getattr(self._app, "ctx", None), "agent", None) if self._app else None
        store = getattr(agent, "tracker_store", None)
        if store is None:
            return None
        return await asyncio.wait_for(self._retrieve_after_turn(agent, store, sender_id), timeout=15)

    async def live_sender(self, token: Any) -> Optional[str]:
        """The sender id of a signed, unexpired token whose conversation was not closed by "start a new
        conversation"; else None. Raises when the store cannot be read."""
        sender_id = self.signer.verify(token)
        if sender_id is None:
            return None
        tracker = await self._tracker(sender_id)
        return None if tracker is not None and tracker.is_paused() else sender_id

    async def close_conversation(self, sender_id: str) -> None:
        """Marks a web chat's conversation closed (Rasa's ConversationPaused event, kept in the tracker store,
        so every instance sees it): its token no longer resumes it, nor downloads its records or reports."""
        agent = getattr(getattr(self._app, "ctx", None), "agent", None) if self._app else None
        store = getattr(agent, "tracker_store", None)
        self.held.drop(sender_id)
        if store is None:
            return
        lock_store = getattr(agent, "lock_store", None)

        async def close() -> None:
            tracker = await store.retrieve(sender_id)
            if tracker is None:
                domain = getattr(store, "domain", None)
                tracker = DialogueStateTracker(sender_id, domain.slots if domain else [])
            if not tracker.is_paused():
                tracker.update(ConversationPaused())
                await store.save(tracker)

        if lock_store is None:
            await close()
        else:
            async with lock_store.lock(sender_id, wait_time_in_seconds=0.05):
                await close()

    async def conversation_history(self, sender_id: str) -> tuple[list[dict], list[dict]]:
        """The messages to show again, and (when a quiz is running) where it stands with its question again."""
        try:
            tracker = await self._tracker(sender_id)
        except Exception:  # a broken store must not stop the chat
            logger.exception("Could not read the conversation history for a web chat session.")
            return [], []
        if not tracker:
            return [], []
        return history_from_events(tracker.events), quiz_resume(tracker.get_slot("quiz"))

    @staticmethod
    async def _retrieve_after_turn(agent: Any, store: Any, sender_id: str) -> Any:
        # A reload straight after a reply can arrive before Rasa has saved that turn: taking the
        # conversation's lock (as Agent.handle_message does) waits for the turn to finish.
        lock_store = getattr(agent, "lock_store", None)
        if lock_store is None:
            return await store.retrieve(sender_id)
        async with lock_store.lock(sender_id, wait_time_in_seconds=0.05):
            return await store.retrieve(sender_id)

    # -- the blueprint --

    def get_output_channel(self) -> Optional["WidgetOutput"]:
        if self.sio is None:
            return super().get_output_channel()  # logs Rasa's warning and returns None
        return WidgetOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=self.origin_allowed,
                          max_http_buffer_size=limits.request_max_bytes())
        _name_sessions_after_instance(sio)
        channel = self

        class _Blueprint(SocketBlueprint):
            def register(self, app: Sanic, options: Dict[Text, Any]) -> None:
                super().register(app, options)
                from bot.screen import MAX_BYTES as SCREEN_MAX_BYTES

                limits.harden(app, max_bytes=SCREEN_MAX_BYTES + 64 * 1024)  # "Check a list": the file and its form
                channel._app = app
                channel._add_widget_routes(app)

        socketio_webhook = _Blueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio
        namespace = self.namespace

        @socketio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=namespace)
        async def connect(sid: Text, environ: Dict, auth: Optional[Dict]) -> bool:
            if self.jwt_key:
                token = auth.get("token") if isinstance(auth, dict) else None
                if not token or not decode_bearer_token(token, self.jwt_key, self.jwt_algorithm):
                    return False
            request = environ.get("sanic.request")
            async with sio.session(sid, namespace=namespace) as session:
                session["client"] = client_address(request) if request is not None else ""
            return True

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: Text, data: Any) -> None:
            data = data if isinstance(data, dict) else {}
            async with sio.session(sid, namespace=namespace) as session:
                bound = session.get("sender_id")
            try:
                if data.get("new"):
                    for old in {bound, self.signer.verify(data.get("session_id"))} - {None}:
                        await self.close_conversation(old)
                    sender_id = None
                else:
                    sender_id = await self.live_sender(data.get("session_id"))
            except Exception as error:  # the store is down: a fresh conversation rather than none
                logger.error("Could not check or close a web chat session (%s).", type(error).__name__)
                sender_id = None
            resumed = sender_id is not None
            if resumed:
                token = data["session_id"]
            else:
                token, sender_id = self.signer.issue()
            async with sio.session(sid, namespace=namespace) as session:
                previous = session.get("sender_id")
                session["sender_id"] = sender_id
            if previous and previous != sender_id:
                await sio.leave_room(sid, previous, namespace=namespace)
            # Awaited: the stock channel forgets to, and replies then never reach the client.
            await sio.enter_room(sid, sender_id, namespace=namespace)
            await sio.emit("session_confirm", token, room=sid, namespace=namespace)
            if resumed:  # always answered, even when empty, so the client knows where it stands
                history, quiz = await self.conversation_history(sender_id)
                body: Dict[str, Any] = {"messages": history}
                if quiz:
                    body["quiz"] = quiz
                await sio.emit("lta_history", body, room=sid, namespace=namespace)

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: Text, data: Any) -> None:
            session = await sio.get_session(sid, namespace=namespace)
            sender_id = session.get("sender_id")
            if not sender_id:
                await sio.emit(
                    "lta_error", {"code": "no_session", "message": NO_SESSION_MESSAGE}, room=sid, namespace=namespace
                )
                return
            data = data if isinstance(data, dict) else {}
            text = data.get("message")
            if not isinstance(text, str) or not text.strip():
                return
            output = WidgetOutput(sio, self.bot_message_evt)
            if len(text) > self.max_message_chars:
                reply = TOO_LONG_REPLY.format(length=len(text), limit=self.max_message_chars)
                await output.send_text_message(sender_id, reply)
                return
            # Per client: this socket (one browser tab, whichever conversation it holds) and its address.
            if not capacity.RATES.socket.allow(sid) or not capacity.RATES.address.allow(session.get("client") or sid):
                logger.warning("A web chat message was not processed: its client is over its rate limit.")
                await output.send_text_message(sender_id, capacity.SLOW_DOWN)
                return
            try:  # the same gate as every channel: "/" payloads and metadata are capped too
                refusal, text, metadata = gate(text, data.get(self.metadata_key), self.max_message_chars)
            except InputRefused:
                refusal, metadata = METADATA_REFUSED, {}
            if refusal:
                await output.send_text_message(sender_id, refusal)
                return
            message = UserMessage(
                text, output, sender_id, input_channel=self.name(), metadata=metadata
            )
            try:
                await on_new_message(message)
            except Exception:
                logger.exception("The assistant failed to handle a web chat message.")
                await output.send_text_message(sender_id, SERVER_ERROR_REPLY)
                await sio.emit(
                    "lta_error",
                    {"code": "server_error", "message": SERVER_ERROR_REPLY},
                    room=sender_id,
                    namespace=namespace,
                )

        return socketio_webhook

    # -- widget routes --

    def _add_widget_routes(self, app: Sanic) -> None:
        async def widget_file(request: Request, name: str) -> HTTPResponse:
            return self._file_response(request, self.files.widget_file(name))

        async def vendor_file(request: Request, name: str) -> HTTPResponse:
            return self._file_response(request, self.files.vendor_file(name))

        async def demo_page(request: Request, name: str = "") -> HTTPResponse:
            return self._file_response(request, self.files.demo_file(name), csp=DEMO_CSP)

        async def record(request: Request) -> HTTPResponse:
            return await self._record_response(request)

        async def quiz_report(request: Request) -> HTTPResponse:
            return await self._quiz_report_response(request)

        async def screen(request: Request) -> HTTPResponse:
            return self._cors(request, await self._screen_response(request))

        async def screen_download(request: Request) -> HTTPResponse:
            return self._cors(request, await self._screen_download_response(request))

        app.add_route(widget_file, "/widget/<name>", methods=["GET", "HEAD"], name="lta_widget_file")
        app.add_route(vendor_file, "/widget/vendor/<name>", methods=["GET", "HEAD"], name="lta_widget_vendor")
        app.add_route(record, "/widget/record", methods=["POST"], name="lta_widget_record")
        app.add_route(quiz_report, "/widget/quiz-report", methods=["POST"], name="lta_widget_quiz_report")
        app.add_route(screen, "/widget/screen", methods=["POST"], name="lta_widget_screen")
        app.add_route(screen_download, "/widget/screen/download", methods=["POST"], name="lta_widget_screen_download")
        app.add_route(demo_page, "/demo/", methods=["GET", "HEAD"], name="lta_demo_index")
        app.add_route(demo_page, "/demo/<name>", methods=["GET", "HEAD"], name="lta_demo_file")

    def _headers(self, request: Request, content_type: str) -> Dict[str, str]:
        headers = {
            "Content-Type": content_type,
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-cache",
            "Referrer-Policy": "same-origin",
        }
        origin = self._request_origin_allowed(request)
        if origin:
            headers["Access-Control-Allow-Origin"] = origin
            headers["Vary"] = "Origin"
        return headers

    def _file_response(self, request: Request, path: Optional[Path], csp: Optional[str] = None) -> HTTPResponse:
        if path is None:
            return response.text("Not found", status=404)
        if not path.is_file():
            if path.parent.name in ("dist", "node_modules") or "node_modules" in path.parts:
                logger.error(BUILD_HINT)
                return response.text(BUILD_HINT, status=503)
            return response.text("Not found", status=404)
        body = path.read_bytes()
        headers = self._headers(request, _CONTENT_TYPES.get(path.suffix, "application/octet-stream"))
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        headers["ETag"] = etag
        if csp:
            headers["Content-Security-Policy"] = csp
        if request.headers.get("if-none-match") == etag:
            return HTTPResponse(status=304, headers={k: v for k, v in headers.items() if k != "Content-Type"})
        content_type = headers.pop("Content-Type")
        return HTTPResponse(body=b"" if request.method == "HEAD" else body, headers=headers, content_type=content_type)

    async def _stored_assessment(self, sender_id: str, posted: Any) -> Optional[tuple[dict, list]]:
        """The answer this server itself gave in conversation `sender_id` with the same assessment, from its
        tracker store: the assessment and the facts shown with it."""
        agent = getattr(getattr(self._app, "ctx", None), "agent", None) if self._app else None
        store = getattr(agent, "tracker_store", None)
        if store is None or not isinstance(posted, dict):
            return None
        return await find_answer(store, sender_id, posted)

    async def _record_response(self, request: Request) -> HTTPResponse:
        from bot.render.record import (
            RecordError,
            authoritative_assessment,
            record_filename,
            render_record_html,
            render_record_markdown,
        )

        fmt = request.args.get("format", "html")
        if fmt not in ("html", "md"):
            return response.json({"error": "format must be html or md"}, status=400)
        body = request.body or b""
        if len(body) > RECORD_MAX_BYTES:
            return response.json({"error": "the record is too large"}, status=413)
        try:
            data = limits.parse_json(body)
        except ValueError:
            return response.json({"error": "the body is not valid JSON"}, status=400)
        if not isinstance(data, dict):
            return response.json({"error": "the body must be a JSON object"}, status=400)
        try:
            sender_id = await self.live_sender(data.get("session_id"))
        except Exception as error:
            logger.error("Could not check a web chat session for a decision record (%s).", type(error).__name__)
            return response.json({"error": "the conversation store is unavailable; try again shortly"}, status=503)
        if sender_id is None:
            return response.json({"error": "that is not a current chat session"}, status=403)
        try:
            try:
                stored = await self._stored_assessment(sender_id, data.get("assessment"))
            except Exception as error:  # the store is down: say so, not "not ours"
                logger.error("Could not look up an assessment for a decision record (%s).", type(error).__name__)
                return response.json({"error": "the conversation store is unavailable; try again shortly"}, status=503)
            if stored is None:
                raise KeyError("not an assessment this server gave")
            stored, understood = stored  # the facts as stored with the answer, never as posted
            assessment, note = authoritative_assessment(stored)
            generated_at = datetime.now(timezone.utc)
            details = data.get("details")  # the officer's own entries (contract name, approver...): escaped text
            if fmt == "html":
                content = render_record_html(assessment, generated_at, note, understood=understood or None, details=details)
                content_type = "text/html; charset=utf-8"
            else:
                content = render_record_markdown(assessment, generated_at, note, understood=understood or None,
                                                 details=details)
                content_type = "text/markdown; charset=utf-8"
        except (ValueError, KeyError, TypeError, RecordError) as error:
            logger.info("Rejected a decision record request (%s).", type(error).__name__)
            return response.json({"error": "that is not an assessment this assistant produced"}, status=400)
        return self._download(request, content, content_type, record_filename(assessment, generated_at, fmt))

    async def _quiz_report_response(self, request: Request) -> HTTPResponse:
        """The quiz results of the web chat whose signed session id is posted, from its stored conversation."""
        from bot.quiz.report import quiz_states
        from bot.render.quiz_report import render_csv, render_html, report_filename

        fmt = request.args.get("format", "html")
        if fmt not in ("html", "csv"):
            return response.json({"error": "format must be html or csv"}, status=400)
        data, refused = _small_json(request)
        if refused is not None:
            return refused
        try:
            sender_id = await self.live_sender(data.get("session_id")) if isinstance(data, dict) else None
            tracker = await self._tracker(sender_id) if sender_id else None
        except Exception as error:  # the store is down: say so
            logger.error("Could not read a conversation for a quiz report (%s).", type(error).__name__)
            return response.json({"error": "the conversation store is unavailable; try again shortly"}, status=503)
        if sender_id is None:
            return response.json({"error": "that is not a current chat session"}, status=403)
        states = quiz_states(e.as_dict() for e in tracker.events) if tracker else []
        if not states:
            return response.json({"error": "no quiz has been taken in this chat"}, status=404)
        generated_at = datetime.now(timezone.utc)
        if fmt == "csv":
            content, content_type = render_csv(states), "text/csv; charset=utf-8"
        else:
            content, content_type = render_html(states, generated_at), "text/html; charset=utf-8"
        return self._download(request, content, content_type, report_filename(generated_at, fmt))

    def _cors(self, request: Request, answer: HTTPResponse) -> HTTPResponse:
        """The widget's headers on an answer made elsewhere (bot.screen.web)."""
        for key, value in self._headers(request, "").items():
            if key != "Content-Type":
                answer.headers[key] = value
        answer.headers["Access-Control-Expose-Headers"] = "Content-Disposition"
        return answer

    async def _screen_sender(self, token: Any) -> tuple[Optional[str], Optional[HTTPResponse]]:
        try:
            sender_id = await self.live_sender(token)
        except Exception as error:
            logger.error("Could not check a web chat session for a screening (%s).", type(error).__name__)
            return None, response.json({"error": "the conversation store is unavailable; try again shortly"}, status=503)
        if sender_id is None:
            return None, response.json({"error": "that is not a current chat session"}, status=403)
        return sender_id, None

    async def _screen_response(self, request: Request) -> HTTPResponse:
        """"Check a list": the file posted with the signed session, screened as `POST /screen` screens it."""
        from bot.screen.output import table_rows
        from bot.screen.web import (WIDGET_TYPES, checked_options, download_response, off_loop, run_screening,
                                    size_error, widget_result)

        if (request.content_type or "").split(";")[0].strip().lower() != "multipart/form-data":
            return response.json({"error": "send the file as a form upload (multipart/form-data)"}, status=415)
        try:
            form, files = request.form, request.files
        except Exception:  # a form Sanic cannot parse
            return response.json({"error": "the upload could not be read"}, status=400)
        sender_id, refused = await self._screen_sender(form.get("session_id") if form else None)
        if refused:
            return refused
        upload = files.get("file") if files else None
        if upload is None:
            return response.json({"error": "choose a file to check"}, status=400)
        name = str(upload.name or "")[:200]
        if not name.lower().endswith(WIDGET_TYPES):
            return response.json({"error": "the file must be a CSV or XLSX spreadsheet"}, status=415)
        data = upload.body or b""
        refused = size_error(data)
        if refused:
            return refused
        options = checked_options(request.args)
        if isinstance(options, HTTPResponse):
            return options
        fmt, buyer, as_of, mapping = options
        if self.screenings >= SCREENINGS_AT_ONCE:
            return response.json({"error": "other lists are being checked; try again in a minute"}, status=429)
        self.screenings += 1
        try:
            result = await run_screening(data, name, as_of, buyer, mapping)
        finally:
            self.screenings -= 1
        if isinstance(result, HTTPResponse):
            return result
        table = await off_loop(lambda: list(table_rows(result["rows"])))  # seconds for 2,000 rows: not on the loop
        if fmt != "json":
            return await off_loop(download_response, table, fmt)
        shown = await off_loop(widget_result, result, name, self.held.put(sender_id, table))
        return response.json(shown)

    async def _screen_download_response(self, request: Request) -> HTTPResponse:
        """This session's last screening as CSV or XLSX (bot.screen.output, injection neutralised)."""
        from bot.screen.web import download_response, off_loop

        fmt = request.args.get("format", "")
        if fmt not in ("csv", "xlsx"):
            return response.json({"error": "format must be csv or xlsx"}, status=400)
        data, refused = _small_json(request)
        if refused is not None:
            return refused
        data = data if isinstance(data, dict) else {}
        sender_id, refused = await self._screen_sender(data.get("session_id"))
        if refused:
            return refused
        table = self.held.get(sender_id, data.get("id"))
        if table is None:
            return response.json({"error": "that list is no longer held here; check it again"}, status=410)
        return await off_loop(download_response, table, fmt)

    def _download(self, request: Request, content: str, content_type: str, filename: str) -> HTTPResponse:
        """A file the widget saves (a decision record, a quiz report), with the widget's headers."""
        headers = self._headers(request, content_type)
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        headers["Access-Control-Expose-Headers"] = "Content-Disposition"
        headers.pop("Content-Type")
        return HTTPResponse(body=content.encode("utf-8"), headers=headers, content_type=content_type)


def quiz_resume(state: Any) -> list[dict]:
    """A running quiz after a reload: where it stands ("Question 3 of 10 · 2 right") and its question again,
    as bot messages for the widget. Nothing when no quiz is running."""
    from bot.quiz import active, handle

    if not active(state):
        return []
    try:
        messages, _ = handle(state, "resume", datetime.now(timezone.utc).date())
    except Exception:  # a quiz that cannot be shown must not stop the chat from resuming
        logger.exception("Could not show a running quiz after a reload.")
        return []
    return [{"sender": "bot", **bot_message_payload(m.text, {"buttons": m.rasa_buttons()})} for m in messages]


def _small_json(request: Request) -> tuple[Any, Optional[HTTPResponse]]:
    """The JSON body of a small widget request (a session id and a few fields), or the 4xx to answer instead."""
    body = request.body or b""
    if len(body) > 2048:
        return None, response.json({"error": "the request is too large"}, status=413)
    try:
        return limits.parse_json(body), None
    except ValueError:
        return None, response.json({"error": "the body is not valid JSON"}, status=400)
