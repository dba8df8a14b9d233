"""Start the two processes of the assistant on loopback: `rasa run actions` and `rasa run`.

Used by `scripts/run` (python -m bot.server.supervisor), the end-to-end tests and the benchmark, so
the assistant always starts the same way. The action server binds 127.0.0.1 only: it has no
authentication and must never be reachable from outside the machine.

The supervisor (`main`, what `make run` runs):
- pings the action server's /health every PING_EVERY_S seconds; one that does not answer
  PING_FAILURES times in a row (frozen) or has exited is killed and started again (meanwhile Rasa
  answers "I can't work that out right now" within 2 s, bot.server.guard);
- its children die with it, even on `kill -9` (PR_SET_PDEATHSIG), and a start after a crash
  first stops children a dead supervisor left behind (var/children.pid), so the ports are free;
- gives the REST channel a bearer token: LTA_REST_TOKEN, else var/rest-token (0600, made once).

The action server is one process for the supervisor (one pid, one process group): once warm it forks
LTA_ACTION_WORKERS workers (bot.server.capacity) that share its port, so freezing, killing or restarting it
does so to all of them.
"""
from __future__ import annotations

import argparse
import ctypes
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from bot.server.channels import credentials_for, optional_channels

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL = ROOT / "models" / "assistant.tar.gz"
QUIET_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "PYTHONWARNINGS": "ignore",
}


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        return s.connect_ex((host, port)) == 0


def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


ACTIONS_REQUEST_MAX_BYTES = 8 * 1024 * 1024
PING_EVERY_S = 2.0
PING_TIMEOUT_S = 1.5
PING_FAILURES = 3
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass
    os.setsid()


def ping(url: str, timeout: float = PING_TIMEOUT_S) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status == 200
    except Exception:
        return False


def wait_for(url: str, timeout: float, proc: Optional[subprocess.Popen] = None) -> float:
    """Seconds until `url` answers 200; raises if `proc` dies or the time runs out."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with code {proc.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return time.monotonic() - start
        except OSError:
            pass
        time.sleep(0.25)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def write_endpoints(path: Path, actions_url: str, tracker_db: Path, lock_store: str = "") -> Path:
    """An endpoints file: the action server, the tracker store (SQLite `tracker_db` unless DATABASE_URL
    is set: bot.server.store), and optionally a `lock_store:` block (bot.server.cluster)."""
    path.write_text(
        f'action_endpoint:\n  url: "{actions_url}/webhook"\n'
        f"tracker_store:\n  type: bot.server.store.SQLConversationStore\n  db: {tracker_db}\n" + lock_store,
        encoding="utf-8",
    )
    return path


@dataclass
class Assistant:
    """The running assistant. `rasa_url`: REST at {rasa_url}/webhooks/rest/webhook, socket.io at
    {rasa_url}/socket.io. `actions_url`: the action server. Logs go to `workdir`."""

    rasa_url: str
    actions_url: str
    workdir: Path
    model: Path
    endpoints: Path
    credentials: Path
    env: dict[str, str]
    host: str = "127.0.0.1"
    actions_port: int = 5055
    rasa_port: int = 5005
    rest_token: str = ""
    name: str = "rasa"  # the Rasa log is {workdir}/{name}.log
    startup_seconds: dict[str, float] = field(default_factory=dict)
    _actions: Optional[subprocess.Popen] = None
    _rasa: Optional[subprocess.Popen] = None
    _launched: float = 0.0

    # ---- the action server can be stopped and started on its own (reliability tests) ----
    def start_actions(self, timeout: float = 120) -> None:
        log = open(self.workdir / "actions.log", "ab")
        self._actions = subprocess.Popen(
            [sys.executable, "-m", "bot.server.supervisor", "--serve-actions", "--actions-port", str(self.actions_port)],
            cwd=ROOT, env={**self.env, "SANIC_HOST": "127.0.0.1"}, stdout=log, stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
        self.startup_seconds["actions"] = wait_for(f"{self.actions_url}/health", timeout, self._actions)

    def stop_actions(self) -> None:
        stop_process(self._actions)
        self._actions = None

    def actions_respond(self) -> bool:
        """The action server answers its health check (alive is not enough: it may be frozen)."""
        return ping(f"{self.actions_url}/health")

    def restart_actions(self) -> None:
        if self._actions is not None and self._actions.poll() is None:
            _kill(self._actions)
        self._actions = None
        self.start_actions()

    def start_rasa(self, timeout: float = 300) -> None:
        self.launch_rasa()
        self.wait_for_rasa(timeout)

    def launch_rasa(self) -> None:
        """Starts Rasa without waiting for it. Call it from the thread that lives as long as the servers:
        a child dies with the thread that started it (PR_SET_PDEATHSIG), not with the process."""
        log = open(self.workdir / f"{self.name}.log", "ab")
        self._launched = time.monotonic()
        self._rasa = subprocess.Popen(
            # `rasa run` with TensorFlow kept out (bot/server/speedups.py): the intent classifier needs none, and
            # loading it cost ~10 s of start-up and ~340 MB.
            [sys.executable, "-m", "bot.server.speedups", "run", "--model", str(self.model), "--endpoints", str(self.endpoints),
             "--credentials", str(self.credentials), "--interface", self.host, "--port", str(self.rasa_port)],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent,
        )

    def wait_for_rasa(self, timeout: float = 300) -> None:
        wait_for(f"{self.rasa_url}/", timeout, self._rasa)
        self.startup_seconds[self.name] = time.monotonic() - self._launched

    def stop_rasa(self) -> None:
        stop_process(self._rasa)
        self._rasa = None

    def stop(self) -> None:
        self.stop_rasa()
        self.stop_actions()

    @property
    def url(self) -> str:
        """The Rasa server's base URL (same as rasa_url)."""
        return self.rasa_url

    @property
    def pids(self) -> dict[str, Optional[int]]:
        return {"rasa": self._rasa.pid if self._rasa else None, "actions": self._actions.pid if self._actions else None}

    def rasa_alive(self) -> bool:
        return self._rasa is not None and self._rasa.poll() is None

    def actions_alive(self) -> bool:
        return self._actions is not None and self._actions.poll() is None


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(timeout=10)


def stop_process(proc: Optional[subprocess.Popen], sig: int = signal.SIGTERM, group: bool = True,
                 timeout: float = 20) -> None:
    """Signals a server (its whole process group, or with `group=False` its main process, which stops its own
    workers), then waits; SIGKILL to the group if it hangs."""
    if proc is None or proc.poll() is not None:
        return
    try:
        if group:
            os.killpg(proc.pid, sig)
        else:
            os.kill(proc.pid, sig)
        proc.wait(timeout=timeout)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


def start(
    workdir: Path,
    model: Path = DEFAULT_MODEL,
    rasa_port: Optional[int] = None,
    actions_port: Optional[int] = None,
    endpoints: Optional[Path] = None,
    credentials: Path = ROOT / "credentials.yml",
    extra_env: Optional[dict[str, str]] = None,
    host: str = "127.0.0.1",
) -> Assistant:
    """Start the action server, then Rasa; both on loopback. Free ports and a fresh SQLite tracker
    store in `workdir` unless given."""
    workdir.mkdir(parents=True, exist_ok=True)
    actions_port = actions_port or free_port()
    rasa_port = rasa_port or free_port()
    for port in (actions_port, rasa_port):
        if port_in_use(port, "127.0.0.1"):
            raise RuntimeError(f"port {port} is already in use (is the assistant already running?)")
    actions_url = f"http://127.0.0.1:{actions_port}"
    endpoints = endpoints or write_endpoints(workdir / "endpoints.yml", actions_url, workdir / "rasa.db")
    env = {**os.environ, **QUIET_ENV, **(extra_env or {})}
    env.setdefault("LTA_REST_TOKEN", secrets.token_urlsafe(32))
    a = Assistant(
        rasa_url=f"http://{host}:{rasa_port}", actions_url=actions_url, workdir=workdir, model=model,
        endpoints=endpoints, credentials=credentials, env=env, host=host, actions_port=actions_port, rasa_port=rasa_port,
        rest_token=env["LTA_REST_TOKEN"],
    )
    try:
        a.start_actions()
        a.start_rasa()
    except Exception:
        a.stop()
        raise
    return a


def _session_secret(path: Path) -> str:
    """The key that signs web chat session ids, kept in var/ so open chats resume after a restart.

    Set LTA_SESSION_SECRET in the environment instead for a real deployment (secrets never live in the repo).
    """
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


def _secret_file(path: Path) -> str:
    """A random value kept in `path` (0600), made the first time."""
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(32))
    os.chmod(path, 0o600)
    return path.read_text().strip()


def _alive_and_ours(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    return b"rasa" in cmdline or b"bot.server.supervisor" in cmdline


def stop_leftovers(pidfile: Path) -> list[int]:
    """Stops children that a supervisor which died without cleaning up left behind."""
    try:
        data = json.loads(pidfile.read_text())
    except (OSError, ValueError):
        return []
    if isinstance(data, dict) and data.get("supervisor") and Path(f"/proc/{data['supervisor']}").exists():
        return []  # that supervisor is still running: start() reports the port in use
    stopped = []
    for pid in (data.get("children") or []) if isinstance(data, dict) else []:
        if isinstance(pid, int) and _alive_and_ours(pid):
            try:
                os.killpg(pid, signal.SIGKILL)
                stopped.append(pid)
            except (ProcessLookupError, PermissionError):
                pass
    pidfile.unlink(missing_ok=True)
    return stopped


def _write_pids(pidfile: Path, a: Assistant) -> None:
    children = [p for p in a.pids.values() if p]
    pidfile.write_text(json.dumps({"supervisor": os.getpid(), "children": children}))


def warm_up() -> None:
    """Builds what the actions would otherwise build on their first call (the FAQ index: several
    seconds), so no officer waits for it and no first answer runs into the action time limit."""
    try:
        from datetime import date

        from bot.assistant.dialogue import Incoming, turn
        from bot.assistant.faq import rank_topics
        from bot.ltr.knowledge import load_knowledge

        rank_topics("what is the light touch threshold?", load_knowledge())
        # One whole turn (reader, engine, renderer): what they load on first use is then loaded once, before the
        # action server forks its workers, and shared by them.
        state = turn(None, Incoming("I need to check a home care contract worth £700k", None), date.today()).state
        turn(state, Incoming("starting next April, we are a London borough", None), date.today())
        from bot.text.services import suggest_services

        suggest_services("graffiti removal")  # the CPV list's TF-IDF, for a service the catalogue does not know
    except Exception as e:  # the action itself reports a real problem when it is called
        print(f"Warm-up failed ({type(e).__name__}: {e}); carrying on.", file=sys.stderr, flush=True)


def serve_actions(port: int) -> None:
    """The action server (`rasa run actions` without CORS), warmed up before it answers /health."""
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)-8s %(name)s - %(message)s")
    warm_up()
    # Loopback unless LTA_ACTIONS_HOST says otherwise: only in a container whose network policy lets
    # nothing but the Rasa pods reach it (deploy/kubernetes/actions-values.yml).
    host = os.environ.get("LTA_ACTIONS_HOST", "127.0.0.1")
    from rasa_sdk import endpoint

    from bot.server import capacity, limits

    # rasa_sdk's app, with its error answers replaced (its 500s echo the request body and the exception's
    # text) and Sanic's limits set: a body no larger than a long conversation's tracker (Rasa sends it all).
    app = endpoint.create_app("actions", cors_origins=None)
    limits.harden(app, max_bytes=ACTIONS_REQUEST_MAX_BYTES)
    # Several worker processes (LTA_ACTION_WORKERS, default the cores, at most 4), forked by Sanic once the actions
    # are built and warm, sharing one listening socket: a worker busy with a turn does not accept, an idle one does.
    # They stay in this process's group (the supervisor stops, freezes or kills them with it) and die with it.
    workers = capacity.action_workers()
    if workers > 1:
        app.register_listener(lambda *_: _die_with_parent_only(), "before_server_start")
    app.run(host, port, workers=workers)


def _die_with_parent_only() -> None:
    """PR_SET_PDEATHSIG in a forked worker (it is not inherited across fork), without a new session."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass


def main(argv: Optional[list[str]] = None) -> int:
    p = argparse.ArgumentParser(description="Run the assistant: action server and Rasa (REST + socket.io).")
    p.add_argument("--rasa-port", type=int, default=int(os.environ.get("RASA_PORT", 5005)))
    p.add_argument("--actions-port", type=int, default=int(os.environ.get("ACTIONS_PORT", 5055)))
    p.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    p.add_argument("--workdir", type=Path, default=ROOT / "var", help="logs, secrets and rasa.db (default var/)")
    p.add_argument("--serve-actions", action="store_true", help=argparse.SUPPRESS)  # the child process
    args = p.parse_args(argv)
    if args.serve_actions:
        serve_actions(args.actions_port)
        return 0

    var = args.workdir.resolve()
    var.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("LTA_SESSION_SECRET", _session_secret(var / "session-secret"))
    token_source, token_shell = "LTA_REST_TOKEN", "$LTA_REST_TOKEN"
    if not os.environ.get("LTA_REST_TOKEN"):
        os.environ["LTA_REST_TOKEN"] = _secret_file(var / "rest-token")
        token_source, token_shell = "var/rest-token", "$(cat var/rest-token)"
    pidfile = var / "children.pid"
    if stop_leftovers(pidfile):
        print("Stopped servers left running by an earlier run.", flush=True)
        time.sleep(1)
    endpoints = ROOT / "endpoints.yml"
    if args.actions_port != 5055 or var != ROOT / "var":  # endpoints.yml names 5055 and var/; point a copy here
        endpoints = write_endpoints(var / "endpoints.yml", f"http://127.0.0.1:{args.actions_port}", var / "rasa.db")
    credentials = credentials_for(ROOT / "credentials.yml", var / "credentials.yml", os.environ)
    channels_on, channels_off = optional_channels(os.environ)
    print("Starting the action server and Rasa (about 30 s)...", flush=True)
    try:
        a = start(var, args.model, args.rasa_port, args.actions_port, endpoints=endpoints, credentials=credentials)
    except (RuntimeError, TimeoutError) as e:
        print(f"Could not start the assistant: {e}. Logs: var/actions.log, var/rasa.log", file=sys.stderr)
        return 1
    print(
        f"\nThe assistant is ready.\n"
        f"  REST:       POST http://localhost:{a.rasa_port}/webhooks/rest/webhook (bearer token from {token_source}):\n"
        f"              curl -s -H \"Authorization: Bearer {token_shell}\" -H 'Content-Type: application/json' \\\n"
        f"                -d '{{\"sender\": \"me\", \"message\": \"hello\"}}' http://localhost:{a.rasa_port}/webhooks/rest/webhook\n"
        f"  Health:     http://localhost:{a.rasa_port}/health\n"
        f"  Web widget: http://localhost:{a.rasa_port}/demo/  (socket.io at http://localhost:{a.rasa_port}/socket.io)\n"
        + "".join(f"  {name + ':':<11} POST http://localhost:{a.rasa_port}{webhook}\n" for name, webhook in channels_on)
        + "".join(f"  {note}.\n" for note in channels_off)
        + f"  Actions:    {a.actions_url} (loopback only)\n"
        f"  Logs:       var/rasa.log, var/actions.log; conversations in var/rasa.db\n"
        f"Press Ctrl-C to stop.",
        flush=True,
    )
    stopping = False

    def _stop_all(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop_all)
    signal.signal(signal.SIGTERM, _stop_all)
    _write_pids(pidfile, a)
    try:
        supervise(a, lambda: stopping, on_restart=lambda: _write_pids(pidfile, a))
    finally:
        print("\nStopping...", flush=True)
        a.stop()
        pidfile.unlink(missing_ok=True)
    if not stopping:
        print("Rasa stopped unexpectedly; see var/rasa.log.", file=sys.stderr)
        return 1
    return 0


def supervise(a: Assistant, stopping: "Callable[[], bool]", on_restart: "Callable[[], None]" = lambda: None) -> None:
    """Until `stopping()` or Rasa exits: restarts an action server that exited or stopped answering."""
    failures, next_ping = 0, time.monotonic() + PING_EVERY_S
    while not stopping() and a.rasa_alive():
        why = None
        if not a.actions_alive():
            why = "stopped"
        elif time.monotonic() >= next_ping:
            next_ping = time.monotonic() + PING_EVERY_S
            failures = 0 if a.actions_respond() else failures + 1
            if failures >= PING_FAILURES:
                why = "stopped answering"
        if why:
            # Rasa keeps answering meanwhile ("I can't work that out right now, please try again").
            print(f"The action server {why}; restarting it (see actions.log).", file=sys.stderr, flush=True)
            failures = 0
            try:
                a.restart_actions()
                on_restart()
            except (RuntimeError, TimeoutError) as e:
                print(f"Could not restart the action server: {e}", file=sys.stderr, flush=True)
                time.sleep(5)
        time.sleep(0.25)


if __name__ == "__main__":
    sys.exit(main())
