"""The embedded PostgreSQL life cycle, for real: start, attach, stop, crashes and races, in temp dirs.

Every test gets its own data directory under `tempfile.mkdtemp()`; whatever server a test leaves behind
(also when it fails) is killed and the directory removed."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import psycopg
import pytest

from store.db import open_database, resolve_database_url
from store.embedded import EmbeddedPostgres, start_or_attach
from store.settings import Settings

REPO = Path(__file__).resolve().parents[1]
CHILD_TIMEOUT_S = 60

pytestmark = pytest.mark.timeout(120)

# A child process that starts or attaches, reports, then waits for its stdin to close before exiting.
CHILD = """
import json, sys
from pathlib import Path
from store.embedded import start_or_attach
if len(sys.argv) > 2:  # wait for the go file, so racing children call start_or_attach together
    go = Path(sys.argv[2])
    print(json.dumps({"ready": True}), flush=True)
    while not go.exists():
        pass
server = start_or_attach(Path(sys.argv[1]))
print(json.dumps({"owner": server.owner, "pid": server.pid, "dsn": server.libpq_dsn()}), flush=True)
sys.stdin.read()
server.stop()
"""


def _spawn(pgdata: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(pgdata), *extra],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _report(child: subprocess.Popen[str]) -> dict[str, object]:
    assert child.stdout is not None
    line = child.stdout.readline()
    assert line, f"child exited with {child.wait(CHILD_TIMEOUT_S)} before reporting"
    report: dict[str, object] = json.loads(line)
    return report


def _finish(child: subprocess.Popen[str]) -> int:
    child.communicate(timeout=CHILD_TIMEOUT_S)
    return child.returncode


def _postgres_of(pgdata: Path) -> list[psutil.Process]:
    """Live (non-zombie) postgres processes working in `pgdata`: the postmaster and its backends."""
    found = []
    for proc in psutil.process_iter():
        try:
            if (
                proc.name() == "postgres"
                and proc.status() != psutil.STATUS_ZOMBIE
                and Path(proc.cwd()) == pgdata
            ):
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def _is_alive(pid: int) -> bool:
    try:
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False


def _query(dsn: str, sql: str, *params: object) -> list[tuple[object, ...]]:
    with psycopg.connect(dsn, autocommit=True, connect_timeout=5) as conn:
        cursor = conn.execute(sql.encode(), params or None)
        return cursor.fetchall() if cursor.description else []


def _write_marker(dsn: str, value: int) -> None:
    _query(dsn, "CREATE TABLE marker (value int)")
    _query(dsn, "INSERT INTO marker VALUES (%s)", value)


def _read_marker(server: EmbeddedPostgres) -> list[tuple[object, ...]]:
    return _query(server.libpq_dsn(), "SELECT value FROM marker")


def _wait_until_stopped(pid: int, timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while _is_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _is_alive(pid), f"postmaster {pid} still running"


@pytest.fixture
def pgdata() -> Iterator[Path]:
    """A data directory path in a fresh temp dir (the dir exists, the data directory does not)."""
    root = Path(tempfile.mkdtemp(prefix="nexfitra-embedded-"))
    path = root / "pg"
    try:
        yield path
    finally:
        for proc in _postgres_of(path):
            proc.kill()
        shutil.rmtree(root, ignore_errors=True)


def test_fresh_dir_starts_and_keeps_data_across_stop_and_start(pgdata: Path) -> None:
    first = start_or_attach(pgdata)
    assert first.owner
    assert (pgdata / "PG_VERSION").exists()
    _write_marker(first.libpq_dsn(), 42)
    first.stop()
    _wait_until_stopped(first.pid)
    with pytest.raises(psycopg.OperationalError):
        _query(first.libpq_dsn(), "SELECT 1")

    second = start_or_attach(pgdata)
    try:
        assert second.owner
        assert second.pid != first.pid
        assert _read_marker(second) == [(42,)]
    finally:
        second.stop()


def test_attached_process_exiting_leaves_server_running_and_owner_stop_stops_it(pgdata: Path) -> None:
    owner = start_or_attach(pgdata)
    try:
        child = _spawn(pgdata)
        report = _report(child)
        assert report["owner"] is False
        assert report["pid"] == owner.pid
        _query(str(report["dsn"]), "SELECT 1")
        # The child calls stop() and exits: as an attached process it must leave the server alone.
        assert _finish(child) == 0
        assert _query(owner.libpq_dsn(), "SELECT 1") == [(1,)]
        assert _is_alive(owner.pid)
    finally:
        owner.stop()
    _wait_until_stopped(owner.pid)


def test_kill_9_of_postmaster_is_recovered_with_data(pgdata: Path) -> None:
    first = start_or_attach(pgdata)
    _write_marker(first.libpq_dsn(), 7)
    os.kill(first.pid, signal.SIGKILL)
    _wait_until_stopped(first.pid)
    assert (pgdata / "postmaster.pid").exists()  # the stale lock the next start must get past

    started = time.monotonic()
    second = start_or_attach(pgdata)
    try:
        assert time.monotonic() - started < 10
        assert second.owner
        assert second.pid != first.pid
        assert _read_marker(second) == [(7,)]
    finally:
        second.stop()


def test_kill_9_of_owning_python_process_is_adopted_with_data(pgdata: Path) -> None:
    child = _spawn(pgdata)
    report = _report(child)
    assert report["owner"] is True
    _write_marker(str(report["dsn"]), 11)
    child.kill()
    child.communicate(timeout=CHILD_TIMEOUT_S)
    postmaster_pid = report["pid"]
    assert isinstance(postmaster_pid, int)
    assert _is_alive(postmaster_pid)  # the server outlives its owner

    server = start_or_attach(pgdata)
    try:
        assert server.pid == postmaster_pid
        assert server.owner, "the owner is dead: the next process must take over stopping the server"
        assert _read_marker(server) == [(11,)]
    finally:
        server.stop()
    _wait_until_stopped(postmaster_pid)


def test_stale_pid_file_naming_an_unrelated_live_process_is_recovered(pgdata: Path) -> None:
    first = start_or_attach(pgdata)
    _write_marker(first.libpq_dsn(), 3)
    pid_file = (pgdata / "postmaster.pid").read_text().splitlines()
    first.stop()
    _wait_until_stopped(first.pid)

    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        # The old postmaster.pid and socket lock, as a crash leaves them, but the PID is now someone else's.
        (pgdata / "postmaster.pid").write_text("\n".join([str(sleeper.pid), *pid_file[1:]]) + "\n")
        (pgdata / f".s.PGSQL.{first.port}.lock").write_text(f"{sleeper.pid}\n{pgdata}\n")
        second = start_or_attach(pgdata)
        try:
            assert second.owner
            assert second.pid not in (sleeper.pid, first.pid)
            assert _read_marker(second) == [(3,)]
            assert sleeper.poll() is None, "recovery must not touch the unrelated process"
        finally:
            second.stop()
    finally:
        sleeper.kill()
        sleeper.wait(CHILD_TIMEOUT_S)


def test_two_processes_racing_to_start_yield_exactly_one_owner(pgdata: Path) -> None:
    go = pgdata.parent / "go"
    children = [_spawn(pgdata, str(go)) for _ in range(2)]
    try:
        for child in children:
            assert _report(child) == {"ready": True}
        go.touch()
        reports = [_report(child) for child in children]
        assert sorted(r["owner"] is True for r in reports) == [False, True]
        assert reports[0]["pid"] == reports[1]["pid"]
        postmaster_pid = reports[0]["pid"]
        assert isinstance(postmaster_pid, int)
        assert _query(str(reports[0]["dsn"]), "SELECT 1") == [(1,)]
    finally:
        for child in children:
            _finish(child)
    assert all(child.returncode == 0 for child in children)
    _wait_until_stopped(postmaster_pid)  # the owner stopped it on its way out


def test_database_url_set_starts_no_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://app@db.invalid:5432/nexfitra")
    settings = Settings(_env_file=None, var_dir=tmp_path / "var")

    url, server = resolve_database_url(settings)
    assert url == "postgresql+psycopg://app@db.invalid:5432/nexfitra"
    assert server is None

    database = open_database(settings)
    try:
        assert database.embedded is None
        assert database.url == url
    finally:
        database.close()
    assert not settings.pg_data_path.exists()
    assert not (tmp_path / "var").exists()
