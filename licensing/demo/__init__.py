"""Demo data: the catalog feed, the GBP rate card and one user per role."""
