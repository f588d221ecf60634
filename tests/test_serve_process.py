"""`nexfitra serve` as a real process: it starts its embedded PostgreSQL, serves, and on SIGTERM stops the
server it started (uvicorn re-raises the signal after its own shutdown; the process must still unwind)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil
import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _postgres_of(pgdata: Path) -> list[psutil.Process]:
    return [
        p
        for p in psutil.process_iter(attrs=["name", "cmdline"])
        if p.info["name"] == "postgres" and str(pgdata) in " ".join(p.info["cmdline"] or [])
    ]


@pytest.mark.slow
def test_serve_stops_its_embedded_postgres_on_sigterm() -> None:
    var_dir = Path(tempfile.mkdtemp(prefix="nexfitra-serve-"))
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("NEXFITRA_", "DATABASE_URL"))},
        "NEXFITRA_VAR_DIR": str(var_dir),
        "NEXFITRA_PORT": str(port),
        "NEXFITRA_KNOWLEDGE_LOAD_ON_START": "false",
        "NEXFITRA_RUN_WORKER_IN_SERVE": "false",
    }
    serve = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve"],
        env=env,
        cwd=var_dir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert serve.poll() is None, "serve exited before it was ready"
            assert time.monotonic() < deadline, "serve was not ready in 90 s"
            time.sleep(0.3)
        assert _postgres_of(var_dir / "pg"), "serve should have started its own PostgreSQL"

        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=30)
        deadline = time.monotonic() + 15
        while _postgres_of(var_dir / "pg") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _postgres_of(var_dir / "pg"), "the embedded PostgreSQL outlived the serve that owned it"
    finally:
        if serve.poll() is None:
            serve.kill()
        for proc in _postgres_of(var_dir / "pg"):
            proc.kill()
