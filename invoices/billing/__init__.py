"""Billing: invoices, credit notes, tax and numbering."""
