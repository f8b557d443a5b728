"""Migration 0009 on data issued before it: a free-text billing address is kept whole as address
line 1, and every issued invoice line gets the VAT category its tax rule meant (the append-only
table's triggers still refuse changes afterwards)."""
from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text

from licensing.cli import alembic_config
from tests.documents_helpers import approve, license_of
from tests.staff_fixtures import add_user, submit


def test_data_issued_before_0009_is_kept_and_categorised(seeded, database_url):
    staff = add_user(seeded, "sam@desk.test", "Sam Staff", ["staff"])
    made = {country: submit(seeded, country=country, vat_id=vat, organisation=f"Buyer {country}")
            for country, vat in (("GB", ""), ("DE", "DE136695976"), ("US", ""))}
    for m in made.values():
        approve(seeded, m.reference, staff)
    engine = seeded.extensions["database"].engine
    engine.dispose()
    command.downgrade(alembic_config(database_url), "0008")
    with engine.begin() as conn:
        conn.execute(text("UPDATE requests SET billing_address = :a"), {"a": "Hauptstrasse 1\n10115 Berlin\r\nGermany"})
    engine.dispose()
    command.upgrade(alembic_config(database_url), "head")
    with engine.begin() as conn:
        addresses = set(conn.execute(text("SELECT billing_address FROM requests")).scalars())
        assert addresses == {"Hauptstrasse 1, 10115 Berlin, Germany"}
        lines = dict(conn.execute(text(
            "SELECT i.buyer_country, l.vat_category || ' ' || l.exemption_code || ' ' || l.unit_code "
            "FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id")).all())
        assert lines == {"GB": "S  C62", "DE": "AE VATEX-EU-AE C62", "US": "O VATEX-EU-O C62"}
    with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
        conn.execute(text("UPDATE invoice_lines SET vat_category = 'S'"))
    assert license_of(seeded, made["DE"].reference).invoice_number
