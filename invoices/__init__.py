"""Billing: money, tax, invoice numbering, invoices and credit notes, Stripe and payments.

It may use licensing's shared infrastructure (settings, database, users) but never its
domain (requests, licenses); it announces events through signals instead."""
