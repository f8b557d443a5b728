"""The pure rules of billing: which VAT applies, how a refund splits into net and VAT, which
VAT ids, IBANs and BICs are valid, and the EN 16931 (Factur-X CII) XML of an invoice or credit
note. Nothing here imports Flask or SQLAlchemy: each module takes and returns plain values, so
the rules are table-tested with literal expectations and reused by forms, the API and documents."""
