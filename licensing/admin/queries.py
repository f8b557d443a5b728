"""The audit trail as CSV (the event table itself is append-only: database triggers), and the rate
card's versions with who saved each."""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from licensing.core.csvstream import csv_safe, write_csv
from licensing.core.models import User
from licensing.intake.models import RepublishRequest, RequestEvent
from licensing.pricing.models import RateCard

COLUMNS = ("event_id", "at", "request", "actor_kind", "actor", "action", "before_status", "after_status",
           "public", "message", "data")


def _row(event: RequestEvent, reference: str) -> list[str]:
    return [str(event.id), event.at.isoformat(timespec="seconds") + "Z", reference, event.actor_kind,
            event.actor.email if event.actor else "", event.action, event.before_status or "",
            event.after_status or "", "yes" if event.public else "no", event.message,
            json.dumps(event.data, sort_keys=True) if event.data else ""]


def events_query(request_id: int | None = None, since: datetime | None = None,
                 until: datetime | None = None) -> Select:
    stmt = (select(RequestEvent, RepublishRequest.reference).join(RepublishRequest)
            .options(joinedload(RequestEvent.actor)).order_by(RequestEvent.id))
    if request_id is not None:
        stmt = stmt.where(RequestEvent.request_id == request_id)
    if since is not None:
        stmt = stmt.where(RequestEvent.at >= since)
    if until is not None:
        stmt = stmt.where(RequestEvent.at < until)
    return stmt


def events_csv(session: Session, stmt: Select) -> Iterator[str]:
    yield from write_csv(COLUMNS, ([csv_safe(c) for c in _row(e, ref)] for e, ref in
                       session.execute(stmt.execution_options(yield_per=1000))))


def rate_card_versions(session: Session, limit: int = 50) -> list:
    """Newest first: Row(version, currency, created_at, note, saved_by) (saved_by None: the command line)."""
    return list(session.execute(
        select(RateCard.version, RateCard.currency, RateCard.created_at, RateCard.note, User.name.label("saved_by"))
        .outerjoin(User, User.id == RateCard.created_by_id).order_by(RateCard.version.desc()).limit(limit)))
