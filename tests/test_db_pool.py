"""The pool replaces connections that died while idle (database restart, failover, idle timeout)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

import store.db
from store.db import make_engine
from store.settings import Settings


def _kill_other_backends(settings: Settings, database_url: str) -> None:
    killer = make_engine(database_url, settings)
    with killer.begin() as conn:
        killed = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND application_name = 'pool-test'"
            )
        ).scalar_one()
    killer.dispose()
    assert killed == 1


@pytest.mark.parametrize(
    "idle", [True, False], ids=["idle-connection-replaced", "busy-connection-not-pinged"]
)
def test_a_connection_killed_while_idle_is_replaced(
    settings: Settings, database_url: str, monkeypatch: pytest.MonkeyPatch, idle: bool
) -> None:
    engine = make_engine(database_url + "&application_name=pool-test", settings)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        _kill_other_backends(settings, database_url)
        # "Idle" = checked in longer ago than the threshold; 0 makes any checkout count as back from idle.
        monkeypatch.setattr(store.db, "IDLE_PING_AFTER_S", 0.0 if idle else 3600.0)
        if idle:
            with engine.connect() as conn:
                assert conn.execute(text("SELECT 42")).scalar_one() == 42
        else:
            # Without the ping the dead connection reaches the query: proof the ping is what saved the
            # case above (SQLAlchemy then invalidates it, so the next checkout works again).
            with pytest.raises(Exception, match=r"terminat|closed|server"), engine.connect() as conn:
                conn.execute(text("SELECT 42"))
            with engine.connect() as conn:
                assert conn.execute(text("SELECT 42")).scalar_one() == 42
    finally:
        engine.dispose()
