"""Personal API tokens: created by a user for themself, shown once, stored hashed, revocable."""
from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from licensing.core.db import begin_write, utcnow
from licensing.core.models import ApiToken, User

PREFIX = "sdk_"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenError(ValueError):
    pass


def create_token(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    name = (name or "").strip() or "API token"
    if len(name) > 100:
        raise TokenError("The name of a token must be at most 100 characters.")
    token = PREFIX + secrets.token_urlsafe(32)
    begin_write(session)
    row = ApiToken(user_id=user.id, name=name, token_hash=_hash(token), prefix=token[:10])
    session.add(row)
    session.commit()
    return row, token


def user_for_token(session: Session, token: str) -> User | None:
    if not token or not token.startswith(PREFIX) or len(token) > 100:
        return None
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == _hash(token))).first()
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    now = utcnow()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        begin_write(session)
        row.last_used_at = now  # at most one write a minute per token
        session.commit()
    return row.user


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def revoke(session: Session, user: User, token_id: int) -> bool:
    begin_write(session)
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    session.commit()
    return True
