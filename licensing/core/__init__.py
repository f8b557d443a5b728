"""Infrastructure both packages use: settings, database, users and sign-in, mail, jobs, documents and
PDF rendering, security, limits, logs, static assets, page cache, templating, money and places. It
imports no feature."""
