"""Validators of what the desk sends out, run by the tests (offline, independent of our code):
HTML, accessibility, e-invoices."""
