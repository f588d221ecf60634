"""Accounts: registration, login, refresh-token rotation with re-use detection, coach grants and account
administration. The REST routes and the CLI call these; none of them commits (the caller's unit of work
does, once)."""

from __future__ import annotations

import unicodedata
import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    model_validator,
)
from sqlalchemy import ColumnElement, Select, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.models import CoachAccess, RefreshToken, User
from store.settings import Settings
from store.vocabulary import Role
from tools.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthorized
from tools.passwords import dummy_verify, hash_password, verify_password
from tools.tokens import create_access_token, hash_refresh_token, new_refresh_token

# Longer passwords buy no security and make every login hash megabytes on request.
PASSWORD_MAX_LENGTH = 128
INVALID_CREDENTIALS = "invalid email or password"


def _no_control_characters(value: str) -> str:
    """PostgreSQL text cannot hold NUL, and control characters in a name only serve to spoof or break UIs."""
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise ValueError("must not contain control characters")
    return value


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


DisplayName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(_no_control_characters),
]
Password = Annotated[str, Field(min_length=1, max_length=PASSWORD_MAX_LENGTH), AfterValidator(_no_nul)]


class _Input(BaseModel):
    """Unknown fields are refused: a stray `role` or `is_active` in a body is an error, not a no-op."""

    model_config = ConfigDict(extra="forbid")


class _Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class RegisterInput(_Input):
    """The minimum password length is a setting, so `create_user` checks it, not this schema."""

    email: EmailStr = Field(max_length=320)
    password: Password
    display_name: DisplayName


class LoginInput(_Input):
    """The email is not validated as an address: a malformed one simply matches no account (same 401)."""

    email: Annotated[str, Field(min_length=1, max_length=320), AfterValidator(_no_nul)]
    password: Password


class RefreshInput(_Input):
    refresh_token: Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_no_nul)]


class UserOut(_Output):
    """What a user may see of an account: never the password hash."""

    id: uuid.UUID
    email: str
    display_name: str
    role: Role
    created_at: datetime


class AdminUserOut(UserOut):
    is_active: bool


class UserPage(BaseModel):
    items: list[AdminUserOut]
    total: int
    limit: int
    offset: int


class TokenPair(BaseModel):
    """RFC 6749 §5.1 field names, so OAuth2 clients (and the /docs Authorize button) understand it."""

    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int = Field(description="Seconds until the access token expires")


class CoachGrantInput(_Input):
    """Name the coach by id or by email, exactly one of them."""

    coach_id: uuid.UUID | None = None
    coach_email: EmailStr | None = Field(default=None, max_length=320)

    @model_validator(mode="after")
    def _exactly_one(self) -> CoachGrantInput:
        if (self.coach_id is None) == (self.coach_email is None):
            raise ValueError("give exactly one of coach_id or coach_email")
        return self


class CoachGrant(BaseModel):
    coach_id: uuid.UUID
    coach_display_name: str
    granted_at: datetime


class Client(BaseModel):
    """A user who granted the coach access: enough to pick them, not their account details."""

    user_id: uuid.UUID
    display_name: str
    granted_at: datetime


class RefreshTokenReused(Unauthorized):
    """A spent refresh token came back: it was stolen or replayed. The token's whole family has been
    revoked in the session; the caller must commit that revocation before replying 401."""


# --- Registration and login -------------------------------------------------------------------------


def _by_email(email: str) -> ColumnElement[bool]:
    # lower(email) is what the unique index covers: one account per address whatever its case.
    return func.lower(User.email) == email.strip().lower()


def create_user(
    session: Session, data: RegisterInput, *, role: Role = Role.USER, min_password_length: int
) -> User:
    """A new account with an argon2id hash. 409 when the address is taken in any letter case."""
    if len(data.password) < min_password_length:
        raise InvalidInput(
            f"password: must be at least {min_password_length} characters",
            errors=[{"field": "password", "reason": f"must be at least {min_password_length} characters"}],
        )
    if session.scalar(select(User.id).where(_by_email(data.email))) is not None:
        raise Conflict("an account with this email already exists")
    user = User(
        email=data.email,
        password_hash=hash_password(data.password),
        display_name=data.display_name,
        role=role,
        is_active=True,
    )
    try:
        # A savepoint, so a concurrent registration of the same address fails this call, not the session.
        with session.begin_nested():
            session.add(user)
    except IntegrityError as exc:
        raise Conflict("an account with this email already exists") from exc
    session.refresh(user)
    return user


def authenticate(session: Session, email: str, password: str) -> User:
    """The account whose password matches. Unknown address and wrong password give the same 401 after the
    same work (one argon2 verification). A disabled account gets 403, but only with the right password,
    so it tells a guesser nothing. An outdated hash is replaced while the clear password is at hand."""
    user = session.scalars(select(User).where(_by_email(email))).one_or_none()
    if user is None:
        dummy_verify()
        raise Unauthorized(INVALID_CREDENTIALS)
    matches, new_hash = verify_password(password, user.password_hash)
    if not matches:
        raise Unauthorized(INVALID_CREDENTIALS)
    if not user.is_active:
        raise Forbidden("this account is disabled")
    if new_hash is not None:
        user.password_hash = new_hash
    return user


def issue_tokens(
    session: Session,
    user: User,
    settings: Settings,
    *,
    family_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> TokenPair:
    """An access JWT and a new refresh token, stored as its hash. A login starts a family; each rotation
    adds to it, so one replayed token can sign out every descendant."""
    now = now or datetime.now(UTC)
    access_ttl = timedelta(minutes=settings.access_token_minutes)
    access = create_access_token(user.id, user.role, settings.jwt_secret, access_ttl, now=now)
    refresh, refresh_hash = new_refresh_token()
    session.add(
        RefreshToken(
            user_id=user.id,
            family_id=family_id or uuid.uuid4(),
            token_hash=refresh_hash,
            issued_at=now,
            expires_at=now + timedelta(days=settings.refresh_token_days),
        )
    )
    session.flush()
    return TokenPair(access_token=access, refresh_token=refresh, expires_in=int(access_ttl.total_seconds()))


def login(session: Session, data: LoginInput, settings: Settings) -> TokenPair:
    return issue_tokens(session, authenticate(session, data.email, data.password), settings)


def rotate_refresh_token(
    session: Session, token: str, settings: Settings, *, now: datetime | None = None
) -> TokenPair:
    """Spend a refresh token for a new pair in the same family. Presenting a spent token revokes the
    family and raises `RefreshTokenReused` (commit before replying). No grace period: two tabs refreshing
    the same token at once sign each other out, which is the price of detecting theft."""
    now = now or datetime.now(UTC)
    row = session.scalars(
        select(RefreshToken).where(RefreshToken.token_hash == hash_refresh_token(token)).with_for_update()
    ).one_or_none()
    if row is None:
        raise Unauthorized("invalid refresh token")
    if row.revoked_at is not None:
        raise Unauthorized("refresh token revoked")
    if row.used_at is not None:
        _revoke_family(session, row.family_id, now)
        raise RefreshTokenReused("refresh token already used: every session of this login is signed out")
    if row.expires_at <= now:
        raise Unauthorized("refresh token expired")
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise Unauthorized("account not found or disabled")
    row.used_at = now
    return issue_tokens(session, user, settings, family_id=row.family_id, now=now)


def revoke_refresh_family(session: Session, token: str, *, now: datetime | None = None) -> None:
    """Log out: end the login the token belongs to. An unknown token is not an error (nothing to end,
    and the answer must not tell which tokens exist)."""
    family_id = session.scalar(
        select(RefreshToken.family_id).where(RefreshToken.token_hash == hash_refresh_token(token))
    )
    if family_id is not None:
        _revoke_family(session, family_id, now or datetime.now(UTC))


def _revoke_family(session: Session, family_id: uuid.UUID, now: datetime) -> None:
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


# Expired refresh tokens are kept this long (a replayed token still finds its family to revoke, and
# "expired" stays a clearer answer than "unknown" for a day), then deleted.
EXPIRED_REFRESH_TOKEN_GRACE: Final = timedelta(days=1)


def purge_expired_refresh_tokens(session: Session, *, now: datetime | None = None) -> int:
    """Delete refresh tokens that expired more than `EXPIRED_REFRESH_TOKEN_GRACE` ago (a daily job):
    without it the table only grows, one row per login and refresh. Returns how many were deleted."""
    cutoff = (now or datetime.now(UTC)) - EXPIRED_REFRESH_TOKEN_GRACE
    result = session.execute(delete(RefreshToken).where(RefreshToken.expires_at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)


def get_user(session: Session, user_id: uuid.UUID) -> UserOut:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user not found")
    return UserOut.model_validate(user)


# --- Coach access -----------------------------------------------------------------------------------


def grant_coach(session: Session, user_id: uuid.UUID, data: CoachGrantInput) -> tuple[CoachGrant, bool]:
    """Let an active coach read the user's data: (the grant, whether it is new). Granting twice is not an
    error. Anyone who is not an active coach is the same 404, so this cannot probe for accounts."""
    query = select(User).where(User.role == Role.COACH, User.is_active.is_(True))
    query = (
        query.where(User.id == data.coach_id)
        if data.coach_id
        else query.where(_by_email(str(data.coach_email)))
    )
    coach = session.scalars(query).one_or_none()
    if coach is None:
        raise NotFound("coach not found")
    if coach.id == user_id:
        field = "coach_id" if data.coach_id else "coach_email"
        raise InvalidInput(
            "a coach cannot grant access to themselves",
            errors=[{"field": field, "reason": "is your own account"}],
        )
    created = session.scalar(
        insert(CoachAccess)
        .values(id=uuid.uuid4(), user_id=user_id, coach_id=coach.id)
        .on_conflict_do_nothing(index_elements=[CoachAccess.user_id, CoachAccess.coach_id])
        .returning(CoachAccess.id)
    )
    granted_at = session.scalar(
        select(CoachAccess.granted_at).where(CoachAccess.user_id == user_id, CoachAccess.coach_id == coach.id)
    )
    assert granted_at is not None
    grant = CoachGrant(coach_id=coach.id, coach_display_name=coach.display_name, granted_at=granted_at)
    return grant, created is not None


def revoke_coach(session: Session, user_id: uuid.UUID, coach_id: uuid.UUID) -> None:
    """Takes effect at once: access checks read the grant on every request."""
    grant = session.scalars(
        select(CoachAccess).where(CoachAccess.user_id == user_id, CoachAccess.coach_id == coach_id)
    ).one_or_none()
    if grant is None:
        raise NotFound("no access granted to this coach")
    session.delete(grant)
    session.flush()


def list_grants(session: Session, user_id: uuid.UUID) -> list[CoachGrant]:
    rows = session.execute(
        select(CoachAccess.coach_id, User.display_name, CoachAccess.granted_at)
        .join(User, User.id == CoachAccess.coach_id)
        .where(CoachAccess.user_id == user_id)
        .order_by(CoachAccess.granted_at, CoachAccess.coach_id)
    )
    return [CoachGrant(coach_id=c, coach_display_name=n, granted_at=g) for c, n, g in rows]


def _clients_query(coach_id: uuid.UUID) -> Select[uuid.UUID, str, datetime]:
    return (
        select(CoachAccess.user_id, User.display_name, CoachAccess.granted_at)
        .join(User, User.id == CoachAccess.user_id)
        .where(CoachAccess.coach_id == coach_id)
    )


def list_clients(session: Session, coach_id: uuid.UUID) -> list[Client]:
    rows = session.execute(_clients_query(coach_id).order_by(CoachAccess.granted_at, CoachAccess.user_id))
    return [Client(user_id=u, display_name=n, granted_at=g) for u, n, g in rows]


def get_client(session: Session, coach_id: uuid.UUID, user_id: uuid.UUID) -> Client:
    """One client of this coach; no grant is the same 404 as no such user."""
    row = session.execute(_clients_query(coach_id).where(CoachAccess.user_id == user_id)).one_or_none()
    if row is None:
        raise NotFound("user not found")
    return Client(user_id=row[0], display_name=row[1], granted_at=row[2])


# --- Administration ---------------------------------------------------------------------------------


def list_users(session: Session, *, limit: int, offset: int) -> UserPage:
    """Oldest first, id as tie-breaker, so pages neither skip nor repeat rows while nobody registers."""
    total = session.scalar(select(func.count()).select_from(User)) or 0
    users = session.scalars(select(User).order_by(User.created_at, User.id).limit(limit).offset(offset))
    return UserPage(
        items=[AdminUserOut.model_validate(u) for u in users], total=total, limit=limit, offset=offset
    )


def set_user_active(
    session: Session, admin_id: uuid.UUID, user_id: uuid.UUID, *, active: bool
) -> AdminUserOut:
    """Disable or enable an account. Disabling also revokes every refresh token: access tokens already
    stop working because each request re-reads `is_active`. An admin cannot disable themselves (the last
    admin would lock everyone out)."""
    user = session.get(User, user_id, with_for_update=True)
    if user is None:
        raise NotFound("user not found")
    if not active and user.id == admin_id:
        raise Conflict("you cannot disable your own account")
    user.is_active = active
    if not active:
        session.execute(
            update(RefreshToken)
            .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
    session.flush()
    session.refresh(user)
    return AdminUserOut.model_validate(user)
