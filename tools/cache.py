"""A value built from database tables and kept by its owner (the app, a worker's handler): rebuilt when a
cheap fingerprint of those tables changes, the fingerprint read at most every `check_every_s` seconds."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

from knowledge.search import Vocabulary, read_vocabulary, vocabulary_fingerprint

T = TypeVar("T")
F = TypeVar("F")


class FingerprintCache(Generic[T, F]):
    """One per process, passed down to the tools; never a module global. Shared read-only by its callers;
    a change of the tables shows after `check_every_s` at the latest."""

    def __init__(
        self, fingerprint: Callable[[Session], F], build: Callable[[Session], T], check_every_s: float = 30.0
    ) -> None:
        self._fingerprint_of = fingerprint
        self._build = build
        self._check_every_s = check_every_s
        self._value: T | None = None
        self._fingerprint: F | None = None
        self._checked_at = -math.inf

    def get(self, session: Session) -> T:
        current = self._value
        now = time.monotonic()
        if current is not None and now - self._checked_at < self._check_every_s:
            return current
        fingerprint = self._fingerprint_of(session)
        if current is None or fingerprint != self._fingerprint:
            current = self._build(session)
            self._value, self._fingerprint = current, fingerprint
        self._checked_at = now
        return current


class SearchVocabularyCache(FingerprintCache[Vocabulary, tuple[int, int]]):
    """The search vocabulary in process: a search whose words it knows skips a round trip (`Vocabulary`)."""

    def __init__(self, check_every_s: float = 30.0) -> None:
        super().__init__(vocabulary_fingerprint, read_vocabulary, check_every_s)
