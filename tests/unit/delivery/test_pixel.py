"""The pixel: a token signed for one license is refused for any other; obvious bots are told apart;
a referrer becomes a registrable domain, never a path, an IP address or a user name."""
from __future__ import annotations

import pytest

from licensing.delivery.rules.pixel import (
    is_bot,
    pixel_key,
    pixel_path,
    pixel_token,
    referrer_domain,
    registrable_domain,
    verify_pixel_token,
)

KEY = pixel_key("test-secret")


@pytest.fixture(autouse=True)
def no_cached_answers():
    """Each test asks afresh: an answer cached by an earlier test (or process) cannot stand in for the rule."""
    registrable_domain.cache_clear()
    is_bot.cache_clear()


def test_key_is_derived_and_fixed():
    # HMAC-SHA256(b"test-secret", b"syndication-desk/pixel/v1")
    assert KEY.hex() == "0089ff0895f970268a54587f5878b5ed9bd6e910ce5287499da42743ba3283a0"
    assert pixel_key(b"test-secret") == KEY
    assert pixel_key("other-secret") != KEY


def test_token_is_fixed_for_a_license():
    # HMAC-SHA256(KEY, b"pixel:LIC-2026-000001"), its first 32 hex digits (checked with the stdlib by hand)
    assert pixel_token(KEY, "LIC-2026-000001") == "123eebb740a6c4776b8b596e2179234e"
    assert pixel_token(KEY, " lic-2026-000001 ") == "123eebb740a6c4776b8b596e2179234e"  # case, spaces


@pytest.mark.parametrize(("number", "token_of", "key", "accepted"), [
    ("LIC-2026-000001", "LIC-2026-000001", KEY, True),
    ("lic-2026-000001", "LIC-2026-000001", KEY, True),
    ("LIC-2026-000002", "LIC-2026-000001", KEY, False),   # another license's HMAC is refused
    ("LIC-2026-000001", "LIC-2026-000001", pixel_key("x"), False),  # signed with another key
])
def test_verify(number, token_of, key, accepted):
    assert verify_pixel_token(key, number, pixel_token(KEY, token_of)) is accepted


@pytest.mark.parametrize("token", ["", "0" * 32, "zz", None, 12, "0" * 64])
def test_malformed_tokens_are_refused(token):
    assert verify_pixel_token(KEY, "LIC-2026-000001", token) is False


def test_uppercase_token_of_the_right_license_is_accepted():
    assert verify_pixel_token(KEY, "LIC-2026-000001", pixel_token(KEY, "LIC-2026-000001").upper()) is True


def test_pixel_path():
    assert pixel_path("lic-2026-000001", "ab12") == "/p/LIC-2026-000001/ab12.gif"


@pytest.mark.parametrize(("user_agent", "bot"), [
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
     False),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 "
     "Mobile/15E148 Safari/604.1", False),
    ("Mozilla/5.0 (Linux; Android 10; CUBOT X19) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 "
     "Mobile Safari/537.36",
     False),
    ("Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)", False),
    ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", True),
    ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", True),
    ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", True),
    ("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", True),
    ("Twitterbot/1.0", True),
    ("WhatsApp/2.23.20.0 A", True),
    ("TelegramBot (like TwitterBot)", True),
    ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)", True),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
     True),
    ("curl/8.5.0", True),
    ("python-requests/2.32.3", True),
    ("Go-http-client/1.1", True),
    ("Mozilla/5.0 (compatible; SomeNewCrawler/0.1)", True),
    ("", True),
    (None, True),
])
def test_is_bot(user_agent, bot):
    assert is_bot(user_agent) is bot


@pytest.mark.parametrize(("referrer", "domain"), [
    ("https://www.example.com/news/story?id=3#top", "example.com"),
    ("https://user:secret@WWW.Example.co.uk:8443/path?q=1", "example.co.uk"),
    ("https://news.bbc.co.uk/x", "bbc.co.uk"),
    ("https://foo.github.io/post", "foo.github.io"),  # a platform's private suffix keeps blogs apart
    ("https://a.b.c.blogspot.com/", "c.blogspot.com"),
    ("https://www-example-com.cdn.ampproject.org/c/s/www.example.com/a", "example.com"),  # AMP cache
    ("https://my--site-example-org.cdn.ampproject.org/c/s/x", "example.org"),  # "--" stood for "-"
    ("https://bücher.de/x", "xn--bcher-kva.de"),
    ("https://example.com./", "example.com"),
    ("http://localhost:5000/page", "localhost"),
    ("http://192.168.1.10/page", ""),  # never an IP address
    ("http://[2001:db8::1]/page", ""),
    ("http://[::1]:8080/", ""),
    ("android-app://com.google.android.gm/", ""),
    ("file:///home/me/x.html", ""),
    ("", ""),
    (None, ""),
    ("not a url", ""),
    ("http://[broken/", ""),
    ("https://exa_mple.com/", ""),
    ("https://" + "a" * 250 + ".com/", ""),
])
def test_referrer_domain(referrer, domain):
    assert referrer_domain(referrer) == domain


@pytest.mark.parametrize(("host", "domain"), [
    ("WWW.EXAMPLE.COM", "example.com"),
    ("co.uk", "co.uk"),  # a bare public suffix has no registrable domain: kept as it is
    ("10.0.0.1", ""),
    ("", ""),
])
def test_registrable_domain(host, domain):
    assert registrable_domain(host) == domain


# Every fetcher known by name (written out here), each seen by its name alone: followed by a letter, the
# generic "...bot" rule (which needs a word break) cannot see it.
NAMED_FETCHERS = (
    "googlebot", "bingbot", "yandexbot", "baiduspider", "duckduckbot", "applebot", "slurp", "petalbot",
    "facebookexternalhit", "facebookcatalog", "twitterbot", "slackbot", "slack-imgproxy", "discordbot",
    "telegrambot", "whatsapp/", "linkedinbot", "skypeuripreview", "embedly", "pinterestbot", "redditbot",
    "ahrefsbot", "semrushbot", "mj12bot", "dotbot", "bytespider", "gptbot", "ccbot", "claudebot",
    "perplexitybot", "amazonbot", "headlesschrome", "phantomjs", "lighthouse", "pingdom", "uptimerobot",
    "curl/", "wget/", "python-requests", "python-urllib", "python-httpx", "aiohttp", "go-http-client",
    "java/", "okhttp", "libwww-perl", "node-fetch", "axios/", "scrapy", "httpclient",
)


@pytest.mark.parametrize("name", NAMED_FETCHERS)
def test_each_named_fetcher_is_a_bot(name):
    assert is_bot(f"Mozilla/5.0 (compatible; {name.capitalize()}x)") is True


@pytest.mark.parametrize(("referrer", "domain"), [
    ("https://www-example-com.cdn.ampproject.org/c/s/www.example.com/a", "example.com"),
    ("https://news-my--paper-co-uk.cdn.ampproject.org/v/s/a", "my-paper.co.uk"),  # "--" is a "-"
    ("https://a1b2c3d4e5f6.cdn.ampproject.org/c/a", "ampproject.org"),  # a hashed name: the cache's own
    ("https://a-b.c-d.cdn.ampproject.org/c/a", "ampproject.org"),  # not one label: the cache's own
    ("http:///no-host", ""),
])
def test_the_publisher_behind_an_amp_cache_and_referrers_without_a_host(referrer, domain):
    assert referrer_domain(referrer) == domain
