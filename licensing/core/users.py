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

from licensing.core import throttle
from licensing.core.db import begin_write, utcnow
from licensing.core.models import ROLES, LoginThrottle, PasswordToken, User, UserRole
from licensing.core.text import clean_input

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
    name = clean_input(name)  # no bidi or control characters in a name shown on every page
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

# A set-password link makes its first user the account's owner: short-lived, so a link that leaked
# (a forwarded mail, a shared screen) soon opens nothing.
INVITE_HOURS = 72


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
    now = utcnow()
    user.invited = True
    session.add(PasswordToken(user_id=user.id, token_hash=hashlib.sha256(token.encode()).hexdigest(),
                              created_at=now, expires_at=now + timedelta(hours=INVITE_HOURS)))
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
    now = utcnow()
    # Its age decides too: a link made before the 72-hour rule still carries a 7-day expiry.
    if row is None or row.used_at is not None or row.expires_at < now \
            or row.created_at < now - timedelta(hours=INVITE_HOURS):
        return None
    return row


def set_password_with_token(session: Session, row: PasswordToken, password: str) -> User:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password must have at least {MIN_PASSWORD} characters")
    password_hash = hash_password(password)
    begin_write(session)
    row.user.password_hash = password_hash
    row.user.invited = False
    row.user.session_version += 1  # a new password ends every older session
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
    if set(roles) != user.role_names or active != user.active:
        user.session_version += 1  # a role change or deactivation ends every older session
    user.roles = [UserRole(role=r) for r in dict.fromkeys(roles)]
    user.active = active
    session.commit()


# ---------------------------------------------------------------- throttling sign-in
# Failures are counted per (account, client address) and per client address (the delays:
# licensing/core/throttle.py), never per account alone: failures from an attacker's address never
# make the owner wait at theirs. Per account only a burst count is kept, to e-mail the owner once.
# The rows live in login_throttles, keyed "pair:", "addr:" and "acct:" + a digest.

BURST_HOURS = 1  # an account's failures this far apart start a new burst (and a new alert)


def _key(kind: str, *parts: str) -> str:
    return kind + ":" + hashlib.sha256("\x1f".join(p.strip().lower() for p in parts).encode()).hexdigest()


def throttle_wait(session: Session, email: str, address: str) -> int:
    """Seconds this address must wait before trying this account again (0: now)."""
    pair = session.get(LoginThrottle, _key("pair", email, address))
    from_address = session.get(LoginThrottle, _key("addr", address))
    now = utcnow()
    waits = [0]
    if pair is not None and pair.last_failure_at is not None:
        waits.append(throttle.wait_seconds(pair.failures, 0, (now - pair.last_failure_at).total_seconds()))
    if from_address is not None and from_address.last_failure_at is not None:
        waits.append(throttle.wait_seconds(0, from_address.failures,
                                           (now - from_address.last_failure_at).total_seconds()))
    return max(waits)


def record_failure(session: Session, email: str, address: str) -> User | None:
    """Count a failure; the account's user when its owner should now be e-mailed (once a burst)."""
    now = utcnow()
    begin_write(session)
    for key in (_key("pair", email, address), _key("addr", address)):
        row = session.get(LoginThrottle, key) or LoginThrottle(key=key, failures=0)
        row.failures += 1
        row.last_failure_at = now
        session.add(row)
    account = session.get(LoginThrottle, _key("acct", email)) or LoginThrottle(key=_key("acct", email), failures=0)
    if account.last_failure_at is not None and account.last_failure_at < now - timedelta(hours=BURST_HOURS):
        account.failures, account.locked_until = 0, None  # a new burst
    account.failures += 1
    account.last_failure_at = now
    alerted = account.locked_until is not None  # here: when the owner was told of this burst
    user = find_by_email(session, email) if throttle.should_alert_owner(account.failures, alerted) else None
    if user is not None:
        account.locked_until = now
    session.add(account)
    session.commit()
    return user


def clear_failures(session: Session, email: str, address: str) -> None:
    """A success from this address: its pair starts again, and the account's burst ends."""
    rows = [session.get(LoginThrottle, _key("pair", email, address)), session.get(LoginThrottle, _key("acct", email))]
    if any(rows):
        begin_write(session)
        for row in rows:
            if row is not None:
                session.delete(row)
        session.commit()
