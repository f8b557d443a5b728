"""Public pages from memory: a page that every visitor who is not signed in sees alike (an
article, the catalogue) is rendered once and then answered from a small per-process cache for
`PAGE_CACHE_SECONDS` (default 60; 0 turns it off), with an ETag (a 304 for a browser that has it)
and `Cache-Control: public, max-age=...` so that a browser or a proxy can keep it as long.

Not cached: anything but a GET, a signed-in visitor (staff see their own navigation), a visitor
with a message waiting to be shown (a flash), a page that made a CSRF token (it is the visitor's
own), and any answer but a 200. Pages change only when the catalogue is imported again or a new
rate card changes an article's "from" price, so a visitor sees such a change within the lifetime
of an entry."""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import Flask, Response, current_app, g, make_response, request, session

from licensing.core.timedcache import TimedCache

MAX_ENTRIES = 512
MAX_BODY = 256 * 1024
MAX_BYTES = 16 * 1024 * 1024  # per process: a crawler walking every search of the catalogue stays bounded


@dataclass(frozen=True)
class Entry:
    body: bytes
    mimetype: str
    etag: str


class PageCache:
    """At most `size` pages and `max_bytes` of bodies, each for `ttl` seconds."""

    def __init__(self, ttl: float, size: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES):
        self.ttl = ttl
        self._pages = TimedCache(ttl, size, max_bytes, weight=lambda entry: len(entry.body))

    def get(self, key: str) -> Entry | None:
        return self._pages.get(key)

    def put(self, key: str, body: bytes, mimetype: str) -> Entry:
        entry = Entry(body, mimetype, hashlib.sha256(body).hexdigest()[:32])
        self._pages.put(key, entry)
        return entry

    def clear(self) -> None:
        self._pages.clear()


def page_cache(app: Flask) -> PageCache | None:
    ttl = app.config["SETTINGS"].page_cache_seconds
    if ttl <= 0:
        return None
    return app.extensions.setdefault("page_cache", PageCache(ttl))


def _cacheable() -> bool:
    # The session is read (not the user: that would be a query); Flask then adds Vary: Cookie.
    return request.method == "GET" and "_user_id" not in session and "_flashes" not in session


def _answer(entry: Entry, ttl: float) -> Response:
    if request.if_none_match.contains(entry.etag):
        response = Response(status=304)
    else:
        response = Response(entry.body, mimetype=entry.mimetype)
    response.set_etag(entry.etag)
    response.headers["Cache-Control"] = f"public, max-age={int(ttl)}"
    return response


def cached_public_page(view: Callable) -> Callable:
    """Serve the view's 200 answer from memory for visitors who are not signed in."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        cache = page_cache(current_app)
        if cache is None or not _cacheable():
            return view(*args, **kwargs)
        key = request.full_path
        entry = cache.get(key)
        if entry is None:
            response = make_response(view(*args, **kwargs))
            if (response.status_code != 200 or response.direct_passthrough or "Set-Cookie" in response.headers
                    or session.modified or not _cacheable()  # e.g. the view flashed a message
                    or "csrf_token" in g):  # a CSRF token was made for this page: it belongs to one visitor
                return response
            body = response.get_data()
            if len(body) > MAX_BODY:
                return response
            entry = cache.put(key, body, response.mimetype or "text/html")
        return _answer(entry, cache.ttl)

    return wrapper
