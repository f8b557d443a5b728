"""SELLER_LOGO: read at start as a data: URI (so an issued license keeps its logo however the file
changes later), refused with a message that names the setting when it is not a usable image."""
from __future__ import annotations

import base64
import zlib
from pathlib import Path

import pytest

from licensing.core.settings import Settings


def png(width: int, height: int) -> bytes:
    """A real, minimal PNG (one grey channel), built here rather than by the code under test."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 0, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def settings(logo: str, instance: Path) -> Settings:
    return Settings("sqlite://", "k", seller_logo=logo, instance_path=instance)


def test_unset_means_the_name_alone(tmp_path):
    assert settings("", tmp_path).seller_logo_data_uri() == ""


@pytest.mark.parametrize(("name", "content", "mime"), [
    ("logo.png", png(3, 2), "image/png"),
    ("logo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20, "image/jpeg"),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>', "image/svg+xml"),
    ("logo.svg", b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', "image/svg+xml"),
    ("named-wrongly.txt", png(1, 1), "image/png"),  # the bytes decide, not the name
])
def test_a_usable_image_becomes_a_data_uri(tmp_path, name, content, mime):
    (tmp_path / name).write_bytes(content)
    uri = settings(name, tmp_path).seller_logo_data_uri()  # relative: in the instance folder
    assert uri == f"data:{mime};base64," + base64.b64encode(content).decode()
    assert settings(str(tmp_path / name), Path("/nonexistent")).seller_logo_data_uri() == uri  # absolute


@pytest.mark.parametrize(("name", "content", "message"), [
    ("missing.png", None, r"SELLER_LOGO: no such file '.*missing\.png'"),
    ("logo.png", b"GIF89a\x01\x00\x01\x00", r"SELLER_LOGO: logo\.png is not a PNG, JPEG or SVG image"),
    ("logo.svg", b"<html><body>not an svg</body></html>", r"SELLER_LOGO: logo\.svg is not a PNG, JPEG or SVG image"),
    ("big.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (256 * 1024 - 7),
     r"SELLER_LOGO: big\.png is 262,145 bytes; at most 262,144"),
])
def test_an_unusable_logo_is_refused_at_start(tmp_path, name, content, message):
    if content is not None:
        (tmp_path / name).write_bytes(content)
    with pytest.raises(ValueError, match=message):
        settings(name, tmp_path).check()


def test_the_largest_logo_allowed_is_256_kb(tmp_path):
    (tmp_path / "edge.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * (256 * 1024 - 8))
    assert settings("edge.png", tmp_path).seller_logo_data_uri().startswith("data:image/png;base64,")
