"""Users and roles: creating accounts and checking passwords (argon2)."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from licensing.core.db import begin_write, utcnow
from licensing.core.models import ROLES, LoginThrottle, PasswordToken, User, UserRole

_hasher = PasswordHasher()
# A hash to verify against when the e-mail is unknown, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("not a real password")
MIN_PASSWORD = 10


class UserError(ValueError):
    pass


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User | None, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash if user else _DUMMY_HASH, password) and user is not None
    except (VerificationError, InvalidHashError):
        return False


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(func.lower(User.email) == email.strip().lower())).first()


def create_user(session: Session, email: str, name: str, password: str, roles: list[str]) -> User:
    try:
        email = validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise UserError(f"not a valid e-mail address: {exc}") from exc
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise UserError(f"unknown role(s) {', '.join(unknown)}; roles are {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password must have at least {MIN_PASSWORD} characters")
    if len(name.strip()) > 200:
        raise UserError("the name must be at most 200 characters")
    begin_write(session)
    if find_by_email(session, email):
        raise UserError(f"a user with the e-mail {email} exists already")
    user = User(email=email, name=name.strip() or email, password_hash=hash_password(password),
                roles=[UserRole(role=r) for r in dict.fromkeys(roles)])
    session.add(user)
    session.commit()
    return user


# ---------------------------------------------------------------- invitations and passwords

INVITE_DAYS = 7


def invite_user(session: Session, email: str, name: str, roles: list[str]) -> tuple[User, str]:
    """Create an account with no usable password and a one-time link to set one."""
    user = create_user(session, email, name, secrets.token_urlsafe(32), roles)
    begin_write(session)
    user.invited = True
    token = _new_password_token(session, user)
    session.commit()
    return user, token


def _new_password_token(session: Session, user: User) -> str:
    token = secrets.token_urlsafe(32)
    session.add(PasswordToken(user_id=user.id, token_hash=hashlib.sha256(token.encode()).hexdigest(),
                              expires_at=utcnow() + timedelta(days=INVITE_DAYS)))
    return token


def invite_again(session: Session, user_id: int) -> tuple[User, str]:
    """A fresh invitation link for someone who has not set a password yet; earlier links stop
    working (only the newest e-mail's link is valid)."""
    begin_write(session)
    user = session.get(User, user_id)
    if user is None or not user.invited:
        raise UserError("this person has set a password already: there is no invitation to send again")
    now = utcnow()
    for row in session.scalars(select(PasswordToken).where(PasswordToken.user_id == user.id,
                                                           PasswordToken.used_at.is_(None))):
        row.expires_at = min(row.expires_at, now)
    token = _new_password_token(session, user)
    session.commit()
    return user, token


def user_for_password_token(session: Session, token: str) -> PasswordToken | None:
    row = session.scalars(select(PasswordToken).where(
        PasswordToken.token_hash == hashlib.sha256(token.encode()).hexdigest())).first()
    if row is None or row.used_at is not None or row.expires_at < utcnow():
        return None
    return row


def set_password_with_token(session: Session, row: PasswordToken, password: str) -> User:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password must have at least {MIN_PASSWORD} characters")
    password_hash = hash_password(password)
    begin_write(session)
    row.user.password_hash = password_hash
    row.user.invited = False
    row.used_at = utcnow()
    session.commit()
    return row.user


def set_roles(session: Session, user: User, roles: list[str], active: bool, acting: User) -> None:
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise UserError(f"unknown role(s) {', '.join(unknown)}")
    if user.id == acting.id and ("admin" not in roles or not active):
        raise UserError("you cannot remove your own admin role or deactivate yourself")
    begin_write(session)
    user.roles = [UserRole(role=r) for r in dict.fromkeys(roles)]
    user.active = active
    session.commit()


# ---------------------------------------------------------------- throttling sign-in

SLOW_AFTER = 3  # failures before each further try must wait
LOCK_AFTER = 10  # failures before the address is locked
LOCK_MINUTES = 15


def throttle_wait(session: Session, email: str) -> int:
    """Seconds to wait before this address may try again (0: now)."""
    row = session.get(LoginThrottle, email.strip().lower()[:320])
    if row is None or row.last_failure_at is None:
        return 0
    now = utcnow()
    if row.locked_until and row.locked_until > now:
        return int((row.locked_until - now).total_seconds()) + 1
    if row.failures >= SLOW_AFTER:
        ready = row.last_failure_at + timedelta(seconds=min(2 ** (row.failures - SLOW_AFTER), 60))
        if ready > now:
            return int((ready - now).total_seconds()) + 1
    return 0


def record_failure(session: Session, email: str) -> None:
    key = email.strip().lower()[:320]
    begin_write(session)
    row = session.get(LoginThrottle, key) or LoginThrottle(key=key, failures=0)
    now = utcnow()
    if row.locked_until and row.locked_until <= now:
        row.failures, row.locked_until = 0, None  # the lock has run out: start again
    row.failures += 1
    row.last_failure_at = now
    if row.failures >= LOCK_AFTER:
        row.locked_until = now + timedelta(minutes=LOCK_MINUTES)
    session.add(row)
    session.commit()


def clear_failures(session: Session, email: str) -> None:
    row = session.get(LoginThrottle, email.strip().lower()[:320])
    if row is not None:
        begin_write(session)
        session.delete(row)
        session.commit()
