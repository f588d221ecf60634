"""Terminal front of `knowledge sync`: a rich progress bar per source and a summary table."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from knowledge.runtime import embedder_for
from knowledge.sources import sync
from knowledge.sources.live import LiveSources
from store.db import Database
from store.settings import Settings


class _Bars(sync.Progress):
    def __init__(self, bars: Progress) -> None:
        self._bars = bars
        self._tasks: dict[str, TaskID] = {}

    def start(self, source: str, total: int) -> None:
        self._tasks[source] = self._bars.add_task(source, total=max(total, 1), completed=0 if total else 1)

    def advance(self, source: str, done: int) -> None:
        self._bars.advance(self._tasks[source], done)


def sync_with_progress(
    settings: Settings,
    database: Database,
    *,
    sources: Sequence[sync.SyncSource] = sync.SOURCES,
    usda_limit: int | None = None,
    console: Console | None = None,
) -> list[sync.SyncReport]:
    console = console or Console(stderr=True)
    with (
        LiveSources(settings) as live,
        Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bars,
    ):
        reports = sync.run_sync(
            database,
            live,
            lambda: embedder_for(settings),
            sources=sources,
            usda_limit=usda_limit,
            progress=_Bars(bars),
        )
    table = Table(title="knowledge sync")
    for column in ("source", "due", "refreshed", "gone", "purged", "failed", "note"):
        table.add_column(column)
    for r in reports:
        table.add_row(
            r.source, str(r.due), str(r.refreshed), str(r.gone), str(r.purged), str(r.failed), r.stopped or ""
        )
    console.print(table)
    return reports
