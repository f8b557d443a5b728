"""The publisher's pages and API: find an article, ask to republish it, follow the request."""
