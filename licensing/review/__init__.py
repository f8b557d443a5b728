"""The staff side: the review queue, decisions, notes, bulk work, expiry and the daily digest, as pages
and as the staff API."""
