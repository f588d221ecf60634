"""Terminal front of `knowledge load`: rich progress bars and a summary table."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from knowledge.loader import DATASETS, DatasetReport, is_loaded, load_knowledge
from knowledge.runtime import embedder_for, knowledge_root
from store.db import Database
from store.settings import Settings


def load_with_progress(
    settings: Settings,
    database: Database,
    *,
    force: bool = False,
    only: tuple[str, ...] = DATASETS,
    console: Console | None = None,
) -> list[DatasetReport]:
    console = console or Console(stderr=True)
    embedder = embedder_for(settings)
    tasks: dict[str, TaskID] = {}
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bars:

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bars.add_task(stage, total=max(total, 1))
            bars.update(tasks[stage], completed=done, total=max(total, 1))

        reports = load_knowledge(
            database, embedder, knowledge_root(settings), force=force, only=only, progress=report
        )
    table = Table(title="knowledge load")
    for column in ("dataset", "status", "rows", "seconds", "notes"):
        table.add_column(column)
    for r in reports:
        notes = ""
        if r.name == "recipes" and r.status == "loaded":
            notes = (
                f"{r.details['planner_ready']} planner-ready; "
                f"{r.details['ingredients_matched']}/{r.details['ingredient_lines']} lines matched; "
                "kept out: "
                + ", ".join(f"{n} {reason}" for reason, n in r.details.get("rejected_reasons", {}).items())
            )
        table.add_row(r.name, r.status, str(r.rows), f"{r.seconds:.1f}", notes)
    console.print(table)
    return reports


def ensure_loaded(settings: Settings, database: Database, console: Console | None = None) -> bool:
    """First start (or new data/rules): load before serving. Returns True when it loaded anything."""
    if is_loaded(database, knowledge_root(settings), embedder_for(settings)):
        return False
    load_with_progress(settings, database, console=console)
    return True
