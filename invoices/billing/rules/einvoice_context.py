"""An EInvoice as plain JSON values and back (pure), so the document frozen at issue (a
Document's context column) re-renders the same XML byte for byte, years later.

Dates are ISO strings, amounts integers, tuples lists; a key left out takes the field's default,
so contexts frozen before a field existed still load.
"""
from __future__ import annotations

from dataclasses import asdict, fields
from datetime import date
from typing import Any

from .einvoice import Address, EInvoice, InvoiceReference, Line, Party, PaymentMeans

_DATE_FIELDS = {"issue_date", "due_date", "delivery_date", "period_start", "period_end"}


def to_context(doc: EInvoice) -> dict[str, Any]:
    return _plain(asdict(doc))


def from_context(data: dict[str, Any]) -> EInvoice:
    values = _known(EInvoice, data)
    values["seller"] = _party(data["seller"])
    values["buyer"] = _party(data["buyer"])
    values["lines"] = tuple(Line(**_dates(_known(Line, line))) for line in data["lines"])
    values["notes"] = tuple(data.get("notes") or ())
    values["corrects"] = tuple(InvoiceReference(ref["number"], date.fromisoformat(ref["issue_date"]))
                               for ref in data.get("corrects") or ())
    payment = data.get("payment")
    values["payment"] = PaymentMeans(**_known(PaymentMeans, payment)) if payment else None
    return EInvoice(**_dates(values))


def _party(data: dict[str, Any]) -> Party:
    values = _known(Party, data)
    address = data["address"]
    values["address"] = Address(**{**_known(Address, address), "lines": tuple(address.get("lines") or ())})
    return Party(**values)


def _known(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    return {key: value for key, value in data.items() if key in names}


def _dates(values: dict[str, Any]) -> dict[str, Any]:
    return {key: date.fromisoformat(value) if key in _DATE_FIELDS and isinstance(value, str) else value
            for key, value in values.items()}


def _plain(value: Any) -> Any:  # noqa: ANN401 - any JSON value
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return value
