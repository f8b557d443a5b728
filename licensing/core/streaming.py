"""Streamed CSV downloads that own their database session.

A streamed body is read after the request has ended and its session is closed. Handing it the
request's session made SQLAlchemy quietly open a new connection that nothing closed until the
garbage collector ran: sixteen downloads at once emptied the pool and took every page down. Here
the body opens a session of its own and closes it in `finally`, which runs when the stream ends,
fails, or is abandoned (the server closes the generator). Exports are also bounded: above
EXPORT_MAX_ROWS rows the visitor is asked for a narrower period instead."""
from __future__ import annotations

from collections.abc import Callable, Iterator

from flask import Response, abort, current_app, request
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from licensing.core.db import end_session, get_db, get_session


def count_rows(stmt: Select) -> int:
    return get_session().scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def check_size(stmt: Select) -> None:
    """400 with a clear message when the export would be larger than EXPORT_MAX_ROWS rows."""
    cap = current_app.config["SETTINGS"].export_max_rows
    rows = count_rows(stmt)
    if rows > cap:
        abort(400, description=f"This export would have {rows:,} rows, more than the limit of {cap:,}. "
                               "Choose a shorter period or narrower filters and download it in parts.")


def csv_download(produce: Callable[[Session], Iterator[str]], filename: str, no_store: bool = True) -> Response:
    """A CSV response whose body runs `produce` in a session of its own, always closed. `?for=excel`
    starts it with a byte-order mark: Excel reads UTF-8 (accented names) only after one."""
    database = get_db()  # read now: the body runs after the app context has gone
    for_excel = request.args.get("for") == "excel"

    def body() -> Iterator[str]:
        session = database.sessions()
        try:
            if for_excel:
                yield "\ufeff"
            yield from produce(session)
        finally:
            end_session(session, rollback=False)

    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if no_store:
        headers["Cache-Control"] = "no-store"
    return Response(body(), mimetype="text/csv", headers=headers)
