"""Licenses: issued on approval with their invoice, activated, revoked and cancelled on billing's
signals, expired at the end of their term, verified by anyone, downloaded as PDFs."""
