"""Typed factories with keyword defaults: each test states only what matters to it."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from store.db import Database
from store.models import CoachAccess, Profile, User
from store.settings import Settings
from store.vocabulary import ActivityLevel, Diet, Experience, Goal, Role, Sex
from tools.passwords import hash_password
from tools.tokens import create_access_token

DEFAULT_PASSWORD = "correct horse battery"
_TEST_USERS = uuid.UUID("8f0d7c1e-5b7a-4e4b-9a51-2f3c6d0e9b11")


@cache
def _password_hash(password: str) -> str:
    """An argon2 hash costs ~0.2 s; most users in tests share one password, so hash it once."""
    return hash_password(password)


@dataclass(frozen=True)
class TestUser:
    id: uuid.UUID
    email: str
    role: Role
    password: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Factory:
    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings
        self._made = 0

    def user(
        self,
        *,
        role: Role = Role.USER,
        email: str | None = None,
        password: str = DEFAULT_PASSWORD,
        display_name: str = "Test User",
        is_active: bool = True,
    ) -> TestUser:
        # Ids and emails derived from the test's name: the planners seed their choices with the user id,
        # so a test sees the same plans on every run instead of a new draw each time.
        self._made += 1
        test = os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0]
        user_id = uuid.uuid5(_TEST_USERS, f"{test}#{self._made}")
        email = email or f"{role.value}-{user_id.hex[:10]}@example.com"
        with self.database.session() as session:
            user = User(
                id=user_id,
                email=email,
                password_hash=_password_hash(password),
                display_name=display_name,
                role=role,
                is_active=is_active,
            )
            session.add(user)
            session.flush()
            user_id = user.id
        token = create_access_token(
            user_id, role, self.settings.jwt_secret, timedelta(minutes=self.settings.access_token_minutes)
        )
        return TestUser(id=user_id, email=email, role=role, password=password, token=token)

    def profile(self, user: TestUser, **overrides: Any) -> None:
        values: dict[str, Any] = {
            "birth_date": date(1990, 6, 15),
            "sex": Sex.FEMALE,
            "height_cm": 168.0,
            "weight_kg": 64.0,
            "activity_level": ActivityLevel.MODERATE,
            "goal": Goal.MAINTAIN,
            "target_rate_kg_per_week": 0.0,
            "training_days": 3,
            "session_minutes": 60,
            "experience": Experience.BEGINNER,
            "equipment": ["bodyweight", "dumbbell"],
            "diet": Diet.OMNIVORE,
            "meals_per_day": 3,
        } | overrides
        with self.database.session() as session:
            session.add(Profile(user_id=user.id, **values))

    def grant_coach(self, user: TestUser, coach: TestUser) -> None:
        with self.database.session() as session:
            session.add(CoachAccess(user_id=user.id, coach_id=coach.id))
