"""e-invoice data (EN 16931 / Factur-X): structured addresses, buyer reference, VIES result, VAT
category per invoice line, VAT breakdown and the frozen e-invoice per invoice and credit note

A data migration too:
- a request's free-text billing address becomes its address line 1, on one line (its line breaks
  become ", "): nothing is lost, and the city and postcode stay empty where the text cannot be
  split reliably;
- every issued invoice line gets the VAT category its stored tax rule meant (domestic_vat: S, or
  Z at a zero rate; eu_reverse_charge: AE; outside_scope: O), with the exemption reason and code
  that category needs; the unit is C62 (one license). invoice_lines is append-only: its triggers
  are lifted for this one update and put back.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 23:00:00
"""
import sqlalchemy as sa
from alembic import op
from triggers import append_only, drop_append_only

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

AE_REASON, AE_CODE = "Reverse charge", "VATEX-EU-AE"
O_REASON, O_CODE = "Not subject to VAT", "VATEX-EU-O"


def _text(name: str, length: int | None = None) -> sa.Column:
    return sa.Column(name, sa.String(length) if length else sa.Text(), nullable=False, server_default="")


def upgrade() -> None:
    for column in (_text('billing_address_line2'), _text('billing_city', 100), _text('billing_postcode', 20),
                   _text('buyer_reference', 200), _text('vies_result', 20),
                   sa.Column('vies_checked_at', sa.DateTime(), nullable=True)):
        op.add_column('requests', column)
    for column in (_text('buyer_city', 100), _text('buyer_postcode', 20), _text('buyer_reference', 200),
                   _text('seller_company_number', 40), sa.Column('vat_breakdown', sa.JSON(), nullable=True),
                   sa.Column('einvoice', sa.JSON(), nullable=True)):
        op.add_column('invoices', column)
    op.add_column('credit_notes', sa.Column('einvoice', sa.JSON(), nullable=True))
    for column in (sa.Column('vat_category', sa.String(2), nullable=False, server_default="S"),
                   _text('exemption_reason'), _text('exemption_code', 30),
                   sa.Column('unit_code', sa.String(3), nullable=False, server_default="C62"),
                   sa.Column('period_start', sa.Date(), nullable=True),
                   sa.Column('period_end', sa.Date(), nullable=True)):
        op.add_column('invoice_lines', column)

    # Data: the free-text address kept whole as address line 1.
    op.execute("UPDATE requests SET billing_address = REPLACE(REPLACE(REPLACE(billing_address, "
               "CHAR(13) || CHAR(10), ', '), CHAR(10), ', '), CHAR(13), ', ') "
               "WHERE billing_address LIKE '%' || CHAR(10) || '%' OR billing_address LIKE '%' || CHAR(13) || '%'"
               if op.get_bind().dialect.name == "sqlite" else
               "UPDATE requests SET billing_address = REGEXP_REPLACE(billing_address, '\\r?\\n|\\r', ', ', 'g') "
               "WHERE billing_address ~ '[\\r\\n]'")
    # Data: each issued line's category from its tax rule (the one UPDATE this append-only table allows).
    drop_append_only('invoice_lines')
    op.execute("UPDATE invoice_lines SET vat_category = CASE "
               "WHEN tax_rule = 'eu_reverse_charge' THEN 'AE' WHEN tax_rule = 'outside_scope' THEN 'O' "
               "WHEN tax_rate_bp = 0 THEN 'Z' ELSE 'S' END")
    op.execute(f"UPDATE invoice_lines SET exemption_reason = '{AE_REASON}', exemption_code = '{AE_CODE}' "
               "WHERE vat_category = 'AE'")
    op.execute(f"UPDATE invoice_lines SET exemption_reason = '{O_REASON}', exemption_code = '{O_CODE}' "
               "WHERE vat_category = 'O'")
    append_only('invoice_lines')


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+ and PostgreSQL): a batch would recreate the tables and lose
    # their triggers (append-only ones, and 0008's search triggers on requests).
    dropped = {
        'invoice_lines': ('period_end', 'period_start', 'unit_code', 'exemption_code', 'exemption_reason',
                          'vat_category'),
        'credit_notes': ('einvoice',),
        'invoices': ('einvoice', 'vat_breakdown', 'seller_company_number', 'buyer_reference', 'buyer_postcode',
                     'buyer_city'),
        'requests': ('vies_checked_at', 'vies_result', 'buyer_reference', 'billing_postcode', 'billing_city',
                     'billing_address_line2'),
    }
    for table, columns in dropped.items():
        for column in columns:
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
