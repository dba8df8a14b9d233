"""Several Rasa instances on one machine, as a borough would run them on several: `make run-cluster`.

PostgreSQL (conversations), Redis (Rasa's lock store), the action server, `instances` Rasa processes
and nginx in front on http://localhost:8080 (LTA_CLUSTER_PORT). The servers are Debian's packages
(scripts/setup-cluster installs them), started as the current user with their data under
var/cluster/ (PostgreSQL refuses to run as root: as root it runs as the `postgres` user the package
creates). DATABASE_URL or REDIS_URL in the environment use those servers instead of starting one.

nginx routes each conversation to one instance and fails over to another (docs/scale-out.md):
- REST: by the JSON body's `sender` (nginx reads the body into `$request_body`; a map takes the
  sender out of it; `hash ... consistent`). A sender it cannot read still works: any instance can
  serve any conversation, PostgreSQL holds it and the Redis lock orders its turns.
- socket.io: each instance names its engine.io sessions "<instance>-..." (LTA_INSTANCE), and nginx
  sends `?sid=<instance>-...` to that instance (its `backup` is the other one). A new connection
  goes to any instance. No cookies and no client address: officers behind one council proxy
  still spread over the instances.
- `proxy_next_upstream error timeout http_502 http_503`: a request an instance cannot take goes
  to the next.

Every instance shares LTA_SESSION_SECRET and LTA_REST_TOKEN (env, else var/), so a web session or a
REST token issued by one is good on all.
"""
from __future__ import annotations

import argparse
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from bot.server import supervisor
from bot.server.channels import credentials_for
from bot.server.supervisor import ROOT, Assistant, free_port

PG_DB = "lta"
PG_USER = "lta"
DEFAULT_CLUSTER_PORT = 8080
# A turn holds its conversation's Redis lock; a killed instance's lock lapses after this many
# seconds (Rasa's default is 60: a conversation would wait a minute after its instance died).
LOCK_LIFETIME_S = 10


def postgres_bin(name: str) -> str:
    """Debian keeps PostgreSQL's server programs under /usr/lib/postgresql/<version>/bin."""
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]))
    if found:
        return str(found[-1])
    on_path = shutil.which(name)
    if on_path:
        return on_path
    raise FileNotFoundError(f"PostgreSQL's {name} was not found: run scripts/setup-cluster")


def _as_user(user: Optional[pwd.struct_passwd]) -> Callable[[], None]:
    def preexec() -> None:
        if user is not None:
            os.setgid(user.pw_gid)
            os.setuid(user.pw_uid)
        supervisor._die_with_parent()  # after setuid, which would clear it

    return preexec


def _service_user() -> Optional[pwd.struct_passwd]:
    """PostgreSQL will not run as root: then it runs as `postgres` (made by Debian's package)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        raise RuntimeError("running as root, PostgreSQL needs the 'postgres' user: run scripts/setup-cluster") from None


def wait_for_port(port: int, timeout: float, proc: Optional[subprocess.Popen] = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with code {proc.returncode} before port {port} opened")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listened on port {port} within {timeout:.0f} s")


@dataclass
class Postgres:
    """A PostgreSQL server of our own: data in `data`, TCP on 127.0.0.1 only."""

    data: Path
    port: int
    log: Path
    password: str
    proc: Optional[subprocess.Popen] = None

    @property
    def url(self) -> str:
        return f"postgresql://{PG_USER}:{self.password}@127.0.0.1:{self.port}/{PG_DB}"

    def init(self) -> None:
        if (self.data / "PG_VERSION").exists():
            return
        user = _service_user()
        self.data.mkdir(parents=True, exist_ok=True)
        pwfile = self.data.parent / "pg-initial-password"
        pwfile.write_text(self.password + "\n")
        os.chmod(pwfile, 0o600)
        if user is not None:
            for path in (self.data, pwfile):
                os.chown(path, user.pw_uid, user.pw_gid)
            if subprocess.run(["test", "-w", str(self.data)], preexec_fn=_as_user(user)).returncode != 0:
                raise RuntimeError(
                    f"as root, PostgreSQL runs as 'postgres', which cannot reach {self.data} (a folder above it "
                    "is closed, e.g. /root): clone the repository somewhere others can read, or run as another user")
        try:
            subprocess.run(
                [postgres_bin("initdb"), "-D", str(self.data), "-U", PG_USER, f"--pwfile={pwfile}",
                 "--auth-host=scram-sha-256", "--auth-local=reject", "-E", "UTF8", "--no-instructions"],
                check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=_as_user(user),
            )
        finally:
            pwfile.unlink(missing_ok=True)
        self.start()
        try:
            subprocess.run([postgres_bin("psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", PG_USER, "-d",
                            "postgres", "-qc", f"CREATE DATABASE {PG_DB}"],
                           check=True, env={**os.environ, "PGPASSWORD": self.password}, stdout=subprocess.DEVNULL)
        except subprocess.CalledProcessError:
            self.stop()
            raise

    def start(self, timeout: float = 60) -> None:
        log = open(self.log, "ab")
        self.proc = subprocess.Popen(
            [postgres_bin("postgres"), "-D", str(self.data), "-h", "127.0.0.1", "-p", str(self.port), "-k", "",
             "-c", "max_connections=100", "-c", "shared_buffers=64MB", "-c", "fsync=on"],
            stdout=log, stderr=subprocess.STDOUT, preexec_fn=_as_user(_service_user()),
        )
        deadline = time.monotonic() + timeout
        while True:  # accepting connections, not merely listening (it listens while recovering)
            if self.proc.poll() is not None:
                raise RuntimeError(f"PostgreSQL exited with code {self.proc.returncode}; see {self.log}")
            ready = subprocess.run([postgres_bin("pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)])
            if ready.returncode == 0:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"PostgreSQL did not start within {timeout:.0f} s; see {self.log}")
            time.sleep(0.2)

    def stop(self) -> None:
        # SIGINT is PostgreSQL's "fast" shutdown (SIGTERM waits for every client to leave).
        supervisor.stop_process(self.proc, signal.SIGINT, group=False, timeout=30)
        self.proc = None


@dataclass
class Redis:
    dir: Path
    port: int
    log: Path
    proc: Optional[subprocess.Popen] = None

    def start(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        redis = shutil.which("redis-server") or "/usr/bin/redis-server"
        # Locks only live for a turn: nothing to keep on disk.
        self.proc = subprocess.Popen(
            [redis, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.dir), "--save", "",
             "--appendonly", "no", "--protected-mode", "yes", "--daemonize", "no"],
            stdout=open(self.log, "ab"), stderr=subprocess.STDOUT, preexec_fn=supervisor._die_with_parent,
        )
        wait_for_port(self.port, 30, self.proc)

    def stop(self) -> None:
        supervisor.stop_process(self.proc, signal.SIGTERM, group=False, timeout=30)
        self.proc = None


NGINX_CONF = """\
# Written by bot/server/cluster.py for `make run-cluster`; see docs/scale-out.md.
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {dir}/body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  # A REST body (16 KB at most, bot.server.channels.rest) is kept in memory, so $request_body has it.
  client_max_body_size 16k;
  client_body_buffer_size 16k;

  # REST: the conversation is the body's "sender" (letters, digits and _.@:- only, so never escaped).
  map $request_body $lta_sender {{
    '~"sender"\\s*:\\s*"(?<sender>[A-Za-z0-9_.@:-]{{1,128}})"' $sender;
    default "";
  }}
  # socket.io: each instance's session ids start with its name (LTA_INSTANCE).
  map $arg_sid $lta_socket_upstream {{
{sid_routes}
    default rasa_any;
  }}
  map $http_upgrade $lta_connection {{
    default upgrade;
    "" "";
  }}

  upstream rasa_rest {{
    hash $lta_sender consistent;
{servers}
  }}
  upstream rasa_any {{
{servers}
  }}
{instance_upstreams}
  server {{
    listen {listen}:{port};
    proxy_next_upstream error timeout http_502 http_503;
    proxy_next_upstream_tries 2;
    proxy_connect_timeout 2s;
    proxy_read_timeout 60s;
    proxy_set_header Host $http_host;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_set_header X-Forwarded-Host $http_host;
    # Which instance answered: for tests and for finding a conversation's log on this machine.
    add_header X-LTA-Upstream $upstream_addr always;

    location = /webhooks/rest/webhook {{
      proxy_pass http://rasa_rest;
    }}
    location /socket.io/ {{
      proxy_pass http://$lta_socket_upstream;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $lta_connection;
      proxy_read_timeout 1h;
    }}
    location / {{
      proxy_pass http://rasa_any;
    }}
  }}
}}
"""


def nginx_conf(dir: Path, listen: str, port: int, instances: dict[str, int]) -> str:
    def server(p: int, backup: bool = False) -> str:
        return f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=5s{' backup' if backup else ''};"

    servers = "\n".join(server(p) for p in instances.values())
    sid_routes = "\n".join(f'    "~^{name}-" rasa_{name};' for name in instances)
    upstreams = ""
    for name, p in instances.items():
        others = "\n".join(server(q, backup=True) for n, q in instances.items() if n != name)
        upstreams += f"  upstream rasa_{name} {{\n{server(p)}\n{others}\n  }}\n"
    return NGINX_CONF.format(dir=dir, listen=listen, port=port, servers=servers, sid_routes=sid_routes,
                             instance_upstreams=upstreams)


@dataclass
class Nginx:
    dir: Path
    port: int
    instances: dict[str, int]
    listen: str = "127.0.0.1"
    proc: Optional[subprocess.Popen] = None

    def start(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        conf = self.dir / "nginx.conf"
        conf.write_text(nginx_conf(self.dir, self.listen, self.port, self.instances))
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.proc = subprocess.Popen(
            [nginx, "-p", str(self.dir), "-c", str(conf), "-e", str(self.dir / "error.log"), "-g", "daemon off;"],
            stdout=open(self.dir / "nginx.log", "ab"), stderr=subprocess.STDOUT,
            preexec_fn=supervisor._die_with_parent,
        )
        wait_for_port(self.port, 30, self.proc)

    def stop(self) -> None:
        supervisor.stop_process(self.proc, signal.SIGTERM, group=False, timeout=30)
        self.proc = None


def lock_store_block(redis_url: str) -> str:
    """Rasa's RedisLockStore for endpoints.yml; a password stays in the environment (${REDIS_PASSWORD})."""
    u = urllib.parse.urlsplit(redis_url)
    db = (u.path or "/1").lstrip("/") or "1"
    block = (f"lock_store:\n  type: redis\n  url: {u.hostname or '127.0.0.1'}\n  port: {u.port or 6379}\n"
             f"  db: {int(db)}\n  key_prefix: lta\n")
    if u.password:
        block += "  password: ${REDIS_PASSWORD}\n"
    if u.scheme == "rediss":
        block += "  use_ssl: true\n"
    return block


@dataclass
class Cluster:
    """The running cluster. `url`: nginx (REST at {url}/webhooks/rest/webhook, the widget at {url}/demo/)."""

    workdir: Path
    model: Path = supervisor.DEFAULT_MODEL
    port: int = DEFAULT_CLUSTER_PORT
    listen: str = "127.0.0.1"
    instance_count: int = 2
    extra_env: dict[str, str] = field(default_factory=dict)
    postgres: Optional[Postgres] = None
    redis: Optional[Redis] = None
    nginx: Optional[Nginx] = None
    instances: list[Assistant] = field(default_factory=list)
    database_url: str = ""
    redis_url: str = ""
    rest_token: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def actions(self) -> Assistant:
        return self.instances[0]  # the first instance object also owns the action server

    def start(self) -> "Cluster":
        w = self.workdir.resolve()
        w.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **supervisor.QUIET_ENV, **self.extra_env}
        env.setdefault("LTA_SESSION_SECRET", supervisor._secret_file(w / "session-secret"))
        env.setdefault("LTA_REST_TOKEN", supervisor._secret_file(w / "rest-token"))
        env.setdefault("TICKET_LOCK_LIFETIME", str(LOCK_LIFETIME_S))
        env.setdefault("LTA_TRUSTED_PROXIES", "127.0.0.1")
        # TensorFlow sizes its thread pools to every core of the machine; instances sharing it would
        # oversubscribe (field notes 5.3). Each gets its share.
        share = str(max(1, (os.cpu_count() or 1) // self.instance_count))
        env.setdefault("TF_INTRA_OP_PARALLELISM_THREADS", share)
        env.setdefault("TF_INTER_OP_PARALLELISM_THREADS", share)
        self.rest_token = env["LTA_REST_TOKEN"]
        try:
            self.database_url = env.get("DATABASE_URL", "")
            if not self.database_url:
                pg_port = _kept_port(w / "pg-port")
                self.postgres = Postgres(w / "pg", pg_port, w / "postgres.log",
                                         supervisor._secret_file(w / "pg-password"))
                self.postgres.init()
                if self.postgres.proc is None:
                    self.postgres.start()
                self.database_url = self.postgres.url
            self.redis_url = env.get("REDIS_URL", "")
            if not self.redis_url:
                self.redis = Redis(w / "redis", free_port(), w / "redis.log")
                self.redis.start()
                self.redis_url = f"redis://127.0.0.1:{self.redis.port}/1"
            env["DATABASE_URL"] = self.database_url
            password = urllib.parse.urlsplit(self.redis_url).password
            if password:
                env["REDIS_PASSWORD"] = urllib.parse.unquote(password)
            actions_port = free_port()
            actions_url = f"http://127.0.0.1:{actions_port}"
            endpoints = supervisor.write_endpoints(w / "endpoints.yml", actions_url, w / "unused.db",
                                                   lock_store_block(self.redis_url))
            # Teams and Slack too when their settings are in the environment (as `make run`); nginx sends
            # their webhooks to either instance (any instance serves any conversation).
            credentials = credentials_for(ROOT / "credentials.yml", w / "credentials.yml", env)
            for n in range(self.instance_count):
                name = f"r{n + 1}"
                port = free_port()
                self.instances.append(Assistant(
                    rasa_url=f"http://127.0.0.1:{port}", actions_url=actions_url, workdir=w, model=self.model,
                    endpoints=endpoints, credentials=credentials,
                    env={**env, "LTA_INSTANCE": name}, actions_port=actions_port, rasa_port=port,
                    rest_token=self.rest_token, name=f"rasa-{name}"))
            self.actions.start_actions()
            self.start_instances()
            self.nginx = Nginx(w / "nginx", self.port, {a.name.split("-")[1]: a.rasa_port for a in self.instances},
                               listen=self.listen)
            self.nginx.start()
        except BaseException:
            self.stop()
            raise
        return self

    def start_instances(self, which: Optional[list[int]] = None) -> None:
        """Starts Rasa instances (all by default) side by side: each takes about 30 s, mostly loading."""
        chosen = [self.instances[i] for i in (which if which is not None else range(len(self.instances)))]
        for a in chosen:
            a.launch_rasa()
        for a in chosen:
            a.wait_for_rasa()

    def kill_instance(self, i: int) -> None:
        """SIGKILL, as when a machine or container dies."""
        a = self.instances[i]
        if a._rasa is not None:
            supervisor._kill(a._rasa)
            a._rasa = None

    def instance_port(self, upstream_header: str) -> int:
        """The port of the instance that answered, from nginx's X-LTA-Upstream (the last one tried)."""
        return int(upstream_header.split(",")[-1].strip().rsplit(":", 1)[1])

    def pids(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for a in self.instances:
            if a._rasa is not None:
                out[a.name] = a._rasa.pid
        if self.actions._actions is not None:
            out["actions"] = self.actions._actions.pid
        for name, svc in (("postgres", self.postgres), ("redis", self.redis), ("nginx", self.nginx)):
            if svc is not None and svc.proc is not None:
                out[name] = svc.proc.pid
        return out

    def stop(self) -> None:
        if self.nginx:
            self.nginx.stop()
        for a in self.instances:
            a.stop()
        if self.redis:
            self.redis.stop()
        if self.postgres:
            self.postgres.stop()


def _kept_port(path: Path) -> int:
    """The same port across restarts when it is free (DATABASE_URL printed once stays right)."""
    try:
        port = int(path.read_text())
        if not supervisor.port_in_use(port):
            return port
    except (OSError, ValueError):
        pass
    port = free_port()
    path.write_text(str(port))
    return port


def supervise(c: Cluster, stopping: Callable[[], bool]) -> None:
    """Until `stopping()`: restarts an action server or a Rasa instance that exited."""
    while not stopping():
        if not c.actions.actions_alive():
            print("The action server stopped; restarting it.", file=sys.stderr, flush=True)
            c.actions.restart_actions()
        for i, a in enumerate(c.instances):
            if not a.rasa_alive() and not stopping():
                print(f"Rasa instance {a.name} stopped; restarting it (the others carry on).", file=sys.stderr,
                      flush=True)
                try:
                    c.start_instances([i])
                except (RuntimeError, TimeoutError) as e:
                    print(f"Could not restart {a.name}: {e}", file=sys.stderr, flush=True)
        time.sleep(0.5)


def main(argv: Optional[list[str]] = None) -> int:
    p = argparse.ArgumentParser(description="Run PostgreSQL, Redis, the action server, several Rasa instances "
                                            "and nginx in front (make run-cluster).")
    p.add_argument("--port", type=int, default=int(os.environ.get("LTA_CLUSTER_PORT", DEFAULT_CLUSTER_PORT)))
    p.add_argument("--instances", type=int, default=2)
    p.add_argument("--workdir", type=Path, default=ROOT / "var" / "cluster")
    args = p.parse_args(argv)
    if supervisor.port_in_use(args.port):
        print(f"Port {args.port} is in use; set LTA_CLUSTER_PORT to another.", file=sys.stderr)
        return 1
    stopping = False

    def _stop_all(*_: object) -> None:
        nonlocal stopping
        stopping = True

    print(f"Starting PostgreSQL, Redis, the action server, {args.instances} Rasa instances and nginx (about a minute)...",
          flush=True)
    c = Cluster(args.workdir, port=args.port, instance_count=args.instances)
    try:
        c.start()
    except (RuntimeError, TimeoutError, FileNotFoundError, subprocess.CalledProcessError) as e:
        print(f"Could not start the cluster: {e}. Logs: {args.workdir}/*.log", file=sys.stderr)
        return 1
    signal.signal(signal.SIGINT, _stop_all)
    signal.signal(signal.SIGTERM, _stop_all)
    w = str(c.workdir.resolve().relative_to(ROOT)) if c.workdir.resolve().is_relative_to(ROOT) else str(c.workdir)
    safe_db = urllib.parse.urlsplit(c.database_url)._replace(
        netloc=f"{PG_USER}:***@" + urllib.parse.urlsplit(c.database_url).netloc.split("@")[-1]).geturl()
    rest_hint = "$LTA_REST_TOKEN" if os.environ.get("LTA_REST_TOKEN") else f"$(cat {w}/rest-token)"
    lines = [f"\nThe cluster is ready.",
             f"  Web widget: http://localhost:{c.port}/demo/   (nginx; socket.io at /socket.io)",
             f"  REST:       curl -s -H \"Authorization: Bearer {rest_hint}\" -H 'Content-Type: application/json' \\",
             f"                -d '{{\"sender\": \"me\", \"message\": \"hello\"}}' http://localhost:{c.port}/webhooks/rest/webhook",
             f"  Health:     http://localhost:{c.port}/health"]
    for a in c.instances:
        lines.append(f"  Rasa {a.name[5:]}:    {a.rasa_url} (log {w}/{a.name}.log)")
    lines += [f"  Actions:    {c.actions.actions_url} (loopback only; log {w}/actions.log)",
              f"  PostgreSQL: {safe_db} (password in {w}/pg-password; data {w}/pg)" if c.postgres else
              "  PostgreSQL: DATABASE_URL",
              f"  Redis:      {c.redis_url} (lock store)" if c.redis else "  Redis:      REDIS_URL",
              f"  nginx:      {w}/nginx/nginx.conf",
              "Press Ctrl-C to stop all of it."]
    print("\n".join(lines), flush=True)
    try:
        supervise(c, lambda: stopping)
    finally:
        print("\nStopping...", flush=True)
        c.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
