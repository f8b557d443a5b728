"""Syndication Desk: the application package (settings, database, catalog, pricing,
requests and their review, mail, jobs, the public pages and the JSON API)."""
