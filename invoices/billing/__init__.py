"""Billing: invoices and their lines, tax rules, the tax table, and the signals (paid, refunded, voided)
through which licensing hears what happened."""
