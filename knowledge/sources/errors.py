"""Typed failures of live sources. None of them is the user's fault, so none of them may become a 500:
callers catch `SourceError` and answer from local data."""

from __future__ import annotations


class SourceError(Exception):
    """A live source could not answer; `source` names it (e.g. "usda_fdc", "spoonacular")."""

    def __init__(self, source: str, detail: str) -> None:
        super().__init__(f"{source}: {detail}")
        self.source = source
        self.detail = detail


class SourceNotConfigured(SourceError):
    """No key (or provider) configured: the normal state of an offline installation."""


class SourceUnavailable(SourceError):
    """Network failure, timeout, 5xx after retries, refused credentials or an unreadable answer."""


class SourceRateLimited(SourceUnavailable):
    """Our client-side limit or the provider's 429; `retry_after_s` says when to try again."""

    def __init__(self, source: str, detail: str, retry_after_s: float) -> None:
        super().__init__(source, detail)
        self.retry_after_s = retry_after_s


class SourceNotFound(SourceError):
    """The provider has no such item (HTTP 404 for an id lookup)."""


class UnsupportedFilter(SourceError):
    """The provider cannot apply a diet or allergen filter the caller asked for. Results that might break
    it are never returned as if they did not: the caller uses local data instead."""
