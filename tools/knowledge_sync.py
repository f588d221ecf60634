"""`knowledge sync` as a scheduled job (the CLI runs the same `knowledge.sources.sync.run_sync`).

The job is a procrastinate periodic task on its own queue, with the cron from settings. A worker's app
(`tools.jobs.create_job_app(database, settings=...)`) registers it through `register_knowledge_sync` and
listens on `SYNC_QUEUE`. A queueing lock keeps at most one sync waiting, so a slow sync never piles up
behind itself."""

from __future__ import annotations

from typing import Any

from procrastinate import App

from knowledge.runtime import embedder_for
from knowledge.sources.live import LiveSources
from knowledge.sources.sync import run_sync
from store.db import Database
from store.settings import Settings

SYNC_TASK = "knowledge.sync"
SYNC_QUEUE = "knowledge"
SYNC_PERIODIC_ID = "knowledge-sync"


def register_knowledge_sync(app: App, database: Database, settings: Settings) -> None:
    """Add the periodic sync to a job app (see tools/jobs.py); its worker must listen on `SYNC_QUEUE`."""

    @app.periodic(cron=settings.knowledge_sync_cron, periodic_id=SYNC_PERIODIC_ID)
    @app.task(name=SYNC_TASK, queue=SYNC_QUEUE, queueing_lock=SYNC_TASK, pass_context=False)
    def knowledge_sync(timestamp: int) -> list[dict[str, Any]]:
        with LiveSources(settings) as live:
            reports = run_sync(database, live, lambda: embedder_for(settings))
        return [report.as_dict() for report in reports]
