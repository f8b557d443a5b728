"""CSV for people's spreadsheets, streamed: every export of both packages (invoices, payments,
credit notes, the audit trail) writes its rows here, in 64 KiB pieces, with text cells guarded
against formula injection."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

CHUNK = 64 * 1024


def csv_safe(value: object) -> str:
    """Keep spreadsheet programs from running a text cell as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_csv(columns: tuple[str, ...], rows: Iterable[list[str]]) -> Iterator[str]:
    """The header, then the rows, as pieces of about CHUNK characters (RFC 4180 line ends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(row)
        if buffer.tell() > CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
