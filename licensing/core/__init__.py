"""Infrastructure shared by every feature (settings, database, documents and PDF, mail)."""
