"""REST benchmark: our app against a bare FastAPI + psycopg_pool app reading the same profile row.

    python -m bench.rest [--route /api/v1/profile] [--requests 2000] [--concurrency 8] [--rounds 3]
                         [--profile 500]

Both apps are served the same way (uvicorn, one worker, 127.0.0.1, each in its own process, default
production logging) from one embedded PostgreSQL in a temp dir, and driven by the same httpx client with
a bearer token. The bare app skips the token check and reads the row with one query: it is the floor of
what any FastAPI + PostgreSQL route costs here, so `ours / bare` is the price of our auth, ORM, schemas and
middleware. Rounds alternate bare/ours; the median round of each is reported (other load on the machine
moves single runs). `--profile N` then runs N requests in-process under cProfile (threadpool hops inlined,
since cProfile sees only its own thread) and prints where our time goes.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import cProfile
import io
import json
import os
import pstats
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from fastapi import FastAPI

    from store.db import Database
    from store.settings import Settings

REPO = Path(__file__).resolve().parents[1]
GOAL_RATIO = 0.7
SERVER_START_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Result:
    name: str
    requests: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    # CPU the server process spent per request (user + system): what the stack itself costs.
    server_cpu_ms: float


@dataclass(frozen=True)
class Served:
    url: str
    pid: int


# --- the bare app (imported by its own uvicorn process: keep it free of our packages) -----------------


def bare_app() -> FastAPI:
    """FastAPI + psycopg_pool, one sync route reading the profile row by a fixed user id (no token check)."""
    import uuid

    from fastapi import FastAPI, HTTPException
    from psycopg.rows import dict_row
    from psycopg_pool import ConnectionPool

    pool = ConnectionPool(os.environ["BENCH_DSN"], min_size=2, max_size=10, open=False)
    user_id = uuid.UUID(os.environ["BENCH_USER_ID"])

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool.open(wait=True)
        yield
        pool.close()

    app = FastAPI(lifespan=lifespan)

    def read_profile() -> dict[str, Any]:
        with pool.connection() as conn:
            cursor = conn.cursor(row_factory=dict_row)
            row = cursor.execute("SELECT * FROM profiles WHERE user_id = %s", (user_id,)).fetchone()
        if row is None:
            raise HTTPException(404)
        return row

    async def ping() -> dict[str, bool]:
        return {"ok": True}

    app.add_api_route(os.environ.get("BENCH_ROUTE", "/api/v1/profile"), read_profile, methods=["GET"])
    app.add_api_route("/ping", ping, methods=["GET"])
    return app


# --- set-up ---------------------------------------------------------------------------------------------


def _settings(database_url: str, var_dir: Path) -> Settings:
    """Fresh secrets per run: the bench database lives for one run only."""
    from store.settings import Settings

    return Settings(
        _env_file=None,
        database_url=database_url,
        var_dir=var_dir,
        secret_key=secrets.token_urlsafe(48),
        encryption_keys="bench1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        log_json=False,
        log_level="WARNING",
        run_worker_in_serve=False,
    )


def _seed(database: Database, settings: Settings) -> tuple[str, str]:
    """A user with a profile (the test factory keeps up with the model); returns (user id, access token)."""
    from store.vocabulary import Role
    from tests.factories import Factory
    from tools.tokens import create_access_token

    factory = Factory(database, settings)
    user = factory.user(email="bench@example.com")
    factory.profile(user)
    token = create_access_token(user.id, Role.USER, settings.jwt_secret, timedelta(hours=2))
    return str(user.id), token


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def _served(name: str, target: str, env: dict[str, str], log_dir: Path, ready_path: str) -> Iterator[Served]:
    """Run `target` (a factory) under uvicorn in its own process; yields its base URL."""
    port = _free_port()
    log_path = log_dir / f"{name}.log"
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        target,
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    with log_path.open("w") as log:
        server = subprocess.Popen(command, cwd=REPO, env={**os.environ, **env}, stdout=log, stderr=log)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"{name} exited with {server.returncode}:\n{log_path.read_text()[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(base_url + ready_path, timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{name} not ready after {SERVER_START_TIMEOUT_S} s:\n{log_path.read_text()}"
                )
            time.sleep(0.2)
        yield Served(base_url, server.pid)
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(15)


# --- the load -------------------------------------------------------------------------------------------


def _cpu_s(pid: int) -> float:
    import psutil

    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


async def _drive(
    name: str, served: Served, route: str, headers: dict[str, str], total: int, concurrency: int, warmup: int
) -> Result:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=served.url, headers=headers, limits=limits, timeout=30) as client:

        async def run(count: int, latencies: list[float], errors: list[int]) -> None:
            remaining = count

            async def worker() -> None:
                nonlocal remaining
                while remaining > 0:
                    remaining -= 1
                    started = time.perf_counter()
                    response = await client.get(route)
                    latencies.append(time.perf_counter() - started)
                    if response.status_code != 200:
                        errors.append(response.status_code)

            await asyncio.gather(*(worker() for _ in range(concurrency)))

        await run(warmup, [], [])
        latencies: list[float] = []
        errors: list[int] = []
        cpu_before, started = _cpu_s(served.pid), time.perf_counter()
        await run(total, latencies, errors)
        seconds = time.perf_counter() - started
        cpu_s = _cpu_s(served.pid) - cpu_before
    cuts = statistics.quantiles(latencies, n=100)
    return Result(
        name=name,
        requests=len(latencies),
        errors=len(errors),
        seconds=round(seconds, 3),
        rps=round(len(latencies) / seconds, 1),
        p50_ms=round(cuts[49] * 1000, 2),
        p95_ms=round(cuts[94] * 1000, 2),
        server_cpu_ms=round(cpu_s * 1000 / len(latencies), 3),
    )


def _median(results: list[Result]) -> Result:
    return sorted(results, key=lambda r: r.rps)[len(results) // 2]


# --- profiling ------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _threadpool_inlined() -> Iterator[None]:
    """Run sync routes and dependencies on the event loop's thread, where cProfile can see them."""
    import anyio.to_thread
    import fastapi.concurrency
    import fastapi.dependencies.utils
    import fastapi.routing

    async def run_in_threadpool(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    async def run_sync(func: Callable[..., Any], *args: Any, **_: Any) -> Any:
        return func(*args)

    patched: list[tuple[Any, str, Any]] = [
        (fastapi.routing, "run_in_threadpool", run_in_threadpool),
        (fastapi.dependencies.utils, "run_in_threadpool", run_in_threadpool),
        (fastapi.concurrency, "run_in_threadpool", run_in_threadpool),
        (anyio.to_thread, "run_sync", run_sync),
    ]
    originals = [(module, attr, getattr(module, attr)) for module, attr, _ in patched]
    for module, attr, value in patched:
        setattr(module, attr, value)
    try:
        yield
    finally:
        for module, attr, value in originals:
            setattr(module, attr, value)


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Drive the ASGI lifespan protocol, as a server would (httpx's ASGI transport does not)."""
    inbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    started, stopped = asyncio.Event(), asyncio.Event()

    async def receive() -> dict[str, str]:
        return await inbox.get()

    async def send(message: dict[str, Any]) -> None:
        if message["type"].startswith("lifespan.startup"):
            started.set()
        if message["type"].startswith("lifespan.shutdown"):
            stopped.set()

    async def serve() -> None:
        call: Callable[..., Awaitable[None]] = app
        await call({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send)

    task = asyncio.create_task(serve())
    await inbox.put({"type": "lifespan.startup"})
    await started.wait()
    try:
        yield
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        await stopped.wait()
        await task


def _package_of(filename: str) -> str:
    if filename == "~" or filename.startswith("<"):
        return "C builtins"
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    path = Path(filename)
    if path.is_relative_to(REPO):
        return "nexfitra " + path.relative_to(REPO).parts[0]
    return "stdlib (asyncio, json, logging…)"


def _by_package(stats: pstats.Stats, count: int) -> str:
    """Own CPU time summed by package: which layer of the stack the time goes to."""
    totals: dict[str, float] = {}
    raw: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    for (filename, _, _), (_, _, own_s, *_) in raw.items():
        package = _package_of(filename)
        totals[package] = totals.get(package, 0.0) + own_s
    grand = sum(totals.values()) or 1.0
    lines = [f"--- own CPU time by package, per request (profiler overhead included; {count} requests) ---"]
    for package, own_s in sorted(totals.items(), key=lambda item: -item[1])[:18]:
        lines.append(f"{package:40} {own_s * 1e6 / count:8.0f} us  {own_s / grand:6.1%}")
    return "\n".join(lines) + "\n\n"


def profile_ours(settings: Settings, database: Database, route: str, token: str, count: int) -> str:
    """cProfile of `count` sequential in-process requests to our app; returns the top of the report."""
    from api.app import create_app

    async def run() -> cProfile.Profile:
        app = create_app(settings, database=database)
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {token}"}
        async with (
            _lifespan(app),
            httpx.AsyncClient(transport=transport, base_url="http://bench", headers=headers) as client,
        ):
            for _ in range(50):
                (await client.get(route)).raise_for_status()
            # CPU time, not wall time: waiting for PostgreSQL is not our stack's cost.
            profiler = cProfile.Profile(time.process_time)
            profiler.enable()
            for _ in range(count):
                await client.get(route)
            profiler.disable()
        return profiler

    with open(os.devnull, "w") as devnull, contextlib.redirect_stderr(devnull), _threadpool_inlined():
        profiler = asyncio.run(run())
    report = io.StringIO()
    stats = pstats.Stats(profiler, stream=report)
    report.write(_by_package(stats, count))
    stats.strip_dirs()
    report.write(f"--- top by own CPU time ({count} requests) ---\n")
    stats.sort_stats("tottime").print_stats(25)
    report.write("--- top by cumulative CPU time ---\n")
    stats.sort_stats("cumulative").print_stats(40)
    return report.getvalue()


# --- main -----------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--route", default="/api/v1/profile", help="GET route to load (default %(default)s)")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile N requests to ours")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)

    from store import migrate
    from store.db import ensure_database, open_database
    from store.embedded import start_or_attach

    root = Path(tempfile.mkdtemp(prefix="nexfitra-bench-"))
    server = start_or_attach(root / "pg")
    try:
        ensure_database(server, "nexfitra")
        settings = _settings(server.dsn("nexfitra"), root / "var")
        database = open_database(settings, url=settings.database_url)
        try:
            started = time.perf_counter()
            migrate.upgrade(database.engine)
            print(f"migrated in {time.perf_counter() - started:.1f} s")
            user_id, token = _seed(database, settings)
            headers = {"Authorization": f"Bearer {token}"}
            common = {"NEXFITRA_LOG_LEVEL": "INFO", "NEXFITRA_LOG_JSON": "true"}
            ours_env = {
                **common,
                "DATABASE_URL": server.dsn("nexfitra"),
                "NEXFITRA_SECRET_KEY": settings.jwt_secret,
                "NEXFITRA_ENCRYPTION_KEYS": ",".join(
                    f"{kid}:{base64.b64encode(key).decode()}" for kid, key in settings.field_keys[1].items()
                ),
                "NEXFITRA_VAR_DIR": str(root / "var"),
                "NEXFITRA_RUN_WORKER_IN_SERVE": "false",
            }
            bare_env = {
                **common,
                "BENCH_DSN": server.libpq_dsn("nexfitra"),
                "BENCH_USER_ID": user_id,
                "BENCH_ROUTE": args.route,
            }
            load = (args.route, headers, args.requests, args.concurrency, args.warmup)
            results: dict[str, list[Result]] = {"bare": [], "ours": [], "ceiling": []}
            with (
                _served("bare", "bench.rest:bare_app", bare_env, root, "/ping") as bare_server,
                _served("ours", "api.app:create_app", ours_env, root, "/healthz") as ours_server,
            ):
                check = httpx.get(ours_server.url + args.route, headers=headers, timeout=10)
                if check.status_code != 200:
                    print(f"our {args.route} answered {check.status_code}: {check.text[:300]}")
                    return 2
                for round_no in range(1, args.rounds + 1):
                    for name, served in (("bare", bare_server), ("ours", ours_server)):
                        result = asyncio.run(_drive(name, served, *load))
                        results[name].append(result)
                        print(
                            f"round {round_no} {name:5} {result.rps:8.1f} req/s  p50 {result.p50_ms} ms  "
                            f"p95 {result.p95_ms} ms  server CPU {result.server_cpu_ms} ms/req  "
                            f"errors {result.errors}"
                        )
                # What the client and uvicorn alone manage (async route, no DB): the ceiling of this setup.
                ceiling = _drive(
                    "ceiling", bare_server, "/ping", {}, args.requests, args.concurrency, args.warmup
                )
                results["ceiling"].append(asyncio.run(ceiling))
            bare, ours, top = (_median(results[k]) for k in ("bare", "ours", "ceiling"))
            ratio = ours.rps / bare.rps
            print()
            print(f"{'':8}{'req/s':>10}{'p50 ms':>10}{'p95 ms':>10}{'CPU ms/req':>12}{'errors':>8}")
            for r in (bare, ours, top):
                print(
                    f"{r.name:8}{r.rps:10.1f}{r.p50_ms:10.2f}{r.p95_ms:10.2f}{r.server_cpu_ms:12.3f}{r.errors:8d}"
                )
            print(
                f"\nGET {args.route}: ours/bare = {ratio:.2f}x (goal >= {GOAL_RATIO}x), "
                f"{args.requests} requests x {args.rounds} rounds, concurrency {args.concurrency}"
            )
            if args.json:
                args.json.parent.mkdir(parents=True, exist_ok=True)
                payload = {
                    "route": args.route,
                    "ratio": round(ratio, 3),
                    "median": [asdict(r) for r in (bare, ours, top)],
                    "rounds": {k: [asdict(r) for r in v] for k, v in results.items()},
                }
                args.json.write_text(json.dumps(payload, indent=2))
            if args.profile:
                print(profile_ours(settings, database, args.route, token, args.profile))
            return 0 if ours.errors == 0 and bare.errors == 0 else 1
        finally:
            database.close()
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
