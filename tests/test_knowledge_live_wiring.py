"""Live sources wired in: SR28 reloads keep live FDC ids, /foods/search falls back to FoodData Central
when a USDA key is configured (and to local results when FDC fails), syncs refresh the spelling words."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from knowledge import ingest
from knowledge.datasets import read_foods
from knowledge.embeddings import Embedder
from knowledge.runtime import embedder_for, knowledge_root
from knowledge.sources import cache
from store.db import Database
from store.models import Food
from store.models.knowledge import FoodSource
from store.settings import Settings

EGG_NDB = "1123"
EGG_FDC_ID = 171287


@pytest.fixture
def live_rows(knowledge: Database, settings: Settings) -> Iterator[Embedder]:
    """The loaded knowledge base; afterwards every trace of a live source is removed again."""
    try:
        yield embedder_for(settings)
    finally:
        with knowledge.engine.begin() as conn:
            conn.execute(text("DELETE FROM foods WHERE source = 'fdc_api'"))
            conn.execute(text("UPDATE foods SET fdc_id = NULL WHERE source = 'sr28' AND fdc_id IS NOT NULL"))
            conn.execute(text("UPDATE foods SET fetched_at = NULL WHERE source = 'sr28'"))


def _egg(session: Session) -> Food:
    return session.scalars(
        select(Food).where(Food.source == FoodSource.SR28, Food.source_id == EGG_NDB)
    ).one()


class TestReloadKeepsLiveIds:
    def test_bundled_reload_keeps_fdc_id_and_fetched_at_but_a_new_value_wins(
        self, live_rows: Embedder, database: Database, settings: Settings
    ) -> None:
        (record,) = [r for r in read_foods(knowledge_root(settings)) if r.source_id == EGG_NDB]
        assert record.fdc_id is None  # the bundled data does not know FDC ids
        seen_at = cache.utcnow()
        with database.session() as session:
            egg = _egg(session)
            egg.fdc_id, egg.fetched_at = EGG_FDC_ID, seen_at
        with database.session() as session:
            ingest.upsert_foods(session, live_rows, [record])
        with database.session() as session:
            egg = _egg(session)
            assert (egg.fdc_id, egg.fetched_at) == (EGG_FDC_ID, seen_at)
        with database.session() as session:
            ingest.upsert_foods(session, live_rows, [dataclasses.replace(record, fdc_id=EGG_FDC_ID + 1)])
        with database.session() as session:
            assert _egg(session).fdc_id == EGG_FDC_ID + 1
