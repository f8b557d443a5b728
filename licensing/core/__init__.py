"""Infrastructure shared by every feature: settings, database, users, mail, jobs, security, text."""
