"""The tracking pixel's three decisions, made per hit and so kept cheap: is this URL's token the one we
signed for this license, is the fetcher a bot, and which site sent the reader.

Privacy: only the referrer's registrable domain and the day are kept. The reader's IP address, any
cookie and the referring page's path never reach the counters; an IP-address host counts as no domain.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from functools import lru_cache
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList

TOKEN_HEX = 32  # 128 bits of the HMAC-SHA256: enough that guessing one is hopeless, short enough for a URL
_KEY_LABEL = b"syndication-desk/pixel/v1"
MAX_DOMAIN = 253
_HOST_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$")
AMP_CACHE_SUFFIX = ".cdn.ampproject.org"


def pixel_key(secret_key: str | bytes) -> bytes:
    """A key for pixel tokens only, derived from the app's secret (a leaked pixel key signs nothing else)."""
    secret = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return hmac.new(secret, _KEY_LABEL, hashlib.sha256).digest()


def pixel_token(key: bytes, license_number: str) -> str:
    digest = hmac.new(key, b"pixel:" + license_number.strip().upper().encode(), hashlib.sha256).hexdigest()
    return digest[:TOKEN_HEX]


def verify_pixel_token(key: bytes, license_number: str, token: str) -> bool:
    """Constant-time: the token signed for exactly this license number, or False."""
    if not isinstance(token, str) or len(token) != TOKEN_HEX:
        return False
    return hmac.compare_digest(pixel_token(key, license_number), token.lower())


def pixel_path(license_number: str, token: str) -> str:
    return f"/p/{license_number.strip().upper()}/{token}.gif"


# ---------------------------------------------------------------- bots

# Named fetchers first (search engines, link previews, SEO crawlers, AI crawlers, HTTP libraries,
# headless browsers), then the convention that a robot names itself "...bot", "crawler" or "spider".
_BOT_NAMES = (
    "googlebot", "bingbot", "yandexbot", "baiduspider", "duckduckbot", "applebot", "slurp", "petalbot",
    "facebookexternalhit", "facebookcatalog", "twitterbot", "slackbot", "slack-imgproxy", "discordbot",
    "telegrambot", "whatsapp/", "linkedinbot", "skypeuripreview", "embedly", "pinterestbot", "redditbot",
    "ahrefsbot", "semrushbot", "mj12bot", "dotbot", "bytespider", "gptbot", "ccbot", "claudebot",
    "perplexitybot", "amazonbot", "headlesschrome", "phantomjs", "lighthouse", "pingdom", "uptimerobot",
    "curl/", "wget/", "python-requests", "python-urllib", "python-httpx", "aiohttp", "go-http-client",
    "java/", "okhttp", "libwww-perl", "node-fetch", "axios/", "scrapy", "httpclient",
)
_BOT_WORD = re.compile(r"(?:bot|crawler|spider|scraper)\b|\+https?://")
# Phones whose maker's name ends in "bot" (Android user agents carry the model name).
_NOT_BOTS = re.compile(r"\bcubot\b")


@lru_cache(maxsize=4096)  # a handful of browser versions make most hits; bounded whatever is sent
def is_bot(user_agent: str | None) -> bool:
    """Obvious bots only: a fetcher that names itself, or no user agent at all. A human behind an
    e-mail image proxy (GoogleImageProxy, Yahoo's) is a reader, not a bot."""
    ua = (user_agent or "").strip().lower()
    if not ua:
        return True
    if any(name in ua for name in _BOT_NAMES):
        return True
    return bool(_BOT_WORD.search(_NOT_BOTS.sub("", ua)))


# ---------------------------------------------------------------- referrer


@lru_cache(maxsize=1)
def _suffixes() -> PublicSuffixList:
    return PublicSuffixList()  # the list the package ships; no network


def _amp_cache_origin(host: str) -> str:
    """The publisher's host behind a Google AMP cache host ("www-example-com.cdn.ampproject.org" serves
    www.example.com): "-" stood for ".", "--" for "-". Hashed names (too long to encode) stay as they are."""
    label = host[: -len(AMP_CACHE_SUFFIX)]
    if "." in label or not label:
        return host
    decoded = label.replace("--", "\0").replace("-", ".").replace("\0", "-")
    return decoded if "." in decoded else host


@lru_cache(maxsize=4096)  # the same few sites send most hits; the list look-up costs ~25 µs
def registrable_domain(host: str) -> str:
    """The site a host belongs to: its registrable domain (public suffix + one label, from the Public
    Suffix List, private section included so that two blogs on one platform stay apart); a host with
    no public suffix (localhost) as it is; "" for an IP address or anything that is not a host name."""
    host = host.strip().lower().rstrip(".")
    if not host or len(host) > MAX_DOMAIN:
        return ""
    try:
        ipaddress.ip_address(host.strip("[]"))
        return ""
    except ValueError:
        pass
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return ""
    if not _HOST_RE.match(host):
        return ""
    if host.endswith(AMP_CACHE_SUFFIX):
        host = _amp_cache_origin(host)
    return _suffixes().privatesuffix(host) or host


def referrer_domain(referrer: str | None) -> str:
    """The registrable domain of a Referer header ("" when absent, not http(s), or an IP address):
    never its path, query, user name, password or port."""
    if not referrer:
        return ""
    try:
        parts = urlsplit(referrer.strip())
        host = parts.hostname or ""
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https"):
        return ""
    return registrable_domain(host)
