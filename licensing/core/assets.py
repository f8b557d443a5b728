"""Static files with a fingerprint: cached by browsers for a year, and never stale.

Every `url_for('static', ...)` gets `?v=` and the first 12 hex digits of the file's SHA-256. A request
that carries the file's current fingerprint is answered as immutable for a year, so a browser loads
the stylesheet and scripts once instead of revalidating them on every page. A changed file gets a new
URL; a request with an old or no fingerprint keeps Flask's default (revalidate every time).
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from flask import Flask, Response, request

IMMUTABLE = "public, max-age=31536000, immutable"
_FINGERPRINT_LENGTH = 12


class Fingerprints:
    """SHA-256 prefixes of the files under one folder, recomputed when a file's size or mtime changes."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder).resolve()
        self._known: dict[str, tuple[int, int, str]] = {}

    def of(self, filename: str) -> str | None:
        """The fingerprint of `filename` (relative to the folder), or None when it is not a file there."""
        path = (self.folder / filename).resolve()
        if not path.is_relative_to(self.folder):
            return None
        try:
            stat = path.stat()
        except OSError:
            return None
        known = self._known.get(filename)
        if known and known[:2] == (stat.st_mtime_ns, stat.st_size):
            return known[2]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:_FINGERPRINT_LENGTH]
        self._known[filename] = (stat.st_mtime_ns, stat.st_size, digest)  # one dict store: no lock needed
        return digest


def init_app(app: Flask) -> None:
    if not app.static_folder:
        return
    fingerprints = Fingerprints(app.static_folder)
    app.extensions["static_fingerprints"] = fingerprints

    @app.url_defaults
    def add_fingerprint(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "v" not in values:
            fingerprint = fingerprints.of(values.get("filename", ""))
            if fingerprint:
                values["v"] = fingerprint

    @app.after_request
    def cache_fingerprinted(response: Response) -> Response:
        if request.endpoint == "static" and response.status_code in (200, 304):
            wanted = request.args.get("v")
            if wanted and wanted == fingerprints.of((request.view_args or {}).get("filename", "")):
                response.headers["Cache-Control"] = IMMUTABLE
        return response
