"""Settings from the environment (and an optional .env), each with a default that runs on one laptop."""
from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import load_dotenv

ROOT = Path(__file__).resolve().parents[2]
INSTANCE = ROOT / "instance"
LOGO_MAX_BYTES = 256 * 1024  # a logo is carried in every license's frozen inputs


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _int(name: str, default: int) -> int:
    raw = _env(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"setting {name} must be a whole number, got {raw!r}") from exc


def _float(name: str, default: float) -> float:
    raw = _env(name)
    if raw is None:
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, got {raw!r}") from exc


def _bool(name: str, default: bool) -> bool:
    raw = _env(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(instance: Path) -> str:
    """SECRET_KEY from the environment, or generated once and kept in instance/ with 0600."""
    from_env = _env("SECRET_KEY")
    if from_env:
        return from_env
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


@dataclass
class Settings:
    database_url: str
    secret_key: str
    redis_url: str | None = None
    mail_url: str | None = None
    mail_from: str = "Syndication Desk <licensing@syndication-desk.org>"
    public_base_url: str = "http://127.0.0.1:5000"
    seller_name: str = "Middle East Eye Ltd"
    seller_address: str = "Example House, 1 Example Street, London EC1A 1AA, United Kingdom"
    seller_country: str = "GB"
    seller_vat_number: str = "GB123456789"
    seller_bank_details: str = "Sort code 00-00-00, account 12345678, IBAN GB00EXMP00000012345678"
    # What EN 16931 and UK company law want on an invoice: a structured address (lines separated by
    # ";"), the company number (the seller's identifier, BT-30, when no VAT id may be printed),
    # legal form and registered office; the account for credit transfer, checked at start.
    seller_address_lines: str = "Example House; 1 Example Street"
    seller_city: str = "London"
    seller_postcode: str = "EC1A 1AA"
    seller_company_number: str = "01234567"
    seller_legal_form: str = "Private company limited by shares"
    seller_registered_office: str = "Registered in England and Wales, Example House, 1 Example Street, London EC1A 1AA"
    seller_iban: str = "GB33BUKB20201555555555"  # the IBAN registry's example account
    seller_bic: str = "BUKBGB22"
    seller_payment_means: str = "transfer,card"  # credit transfer to the IBAN, card through the pay link
    mail_message_id_domain: str = ""  # empty: PUBLIC_BASE_URL's host
    vies_check: bool = False  # ask the EU's VIES service whether a buyer's VAT id is registered
    vies_url: str = "https://ec.europa.eu/taxation_customs/vies/rest-api/check-vat-number"
    # The licensor on licenses and the standard terms: its English ("licence" in en-GB, "license" in
    # en-US), its logo (a PNG, JPEG or SVG file: absolute, or relative to the instance folder; empty:
    # the name alone), the law and courts of the agreement, and the address for questions about the terms
    seller_english: str = "en-GB"
    seller_logo: str = ""
    governing_law: str = "England and Wales"  # "governed by the law of …"
    jurisdiction: str = "England and Wales"  # "the courts of … have exclusive jurisdiction"
    terms_contact_email: str = "licensing@syndication-desk.org"
    currency: str = "GBP"
    default_article_language: str = "en"
    review_target_working_days: int = 2
    needs_info_expiry_days: int = 14
    page_cache_seconds: int = 60  # public pages kept in memory (and by browsers) this long; 0: off
    payment_terms_days: int = 14
    overdue_reminder_days: str = "3,10,30"  # days after the due date; each reminder is sent once
    license_expiry_reminder_days: int = 14  # days before the end of a license's term
    stripe_secret_key: str | None = None
    stripe_publishable_key: str | None = None
    stripe_webhook_secret: str | None = None
    stripe_api_base: str | None = None  # unset: the real Stripe API
    stripe_allow_live_keys: bool = False
    stripe_timeout_seconds: int = 10
    json_logs: bool = False
    jobs_mode: str | None = None  # inline, thread or rq; unset: rq with REDIS_URL, else thread
    trust_proxy: bool = False
    rate_limits: bool = True  # RATELIMIT_ENABLED=0 in the environment turns them off (load tests only)
    session_idle_hours: float = 12  # a signed-in session unused this long ends
    trusted_hosts: str | None = None  # comma-separated; unset: the host of PUBLIC_BASE_URL only
    export_max_rows: int = 100_000  # a CSV export larger than this asks for a narrower period
    # Referrer domains that are the licensee's own page seen through someone else's host, accepted for
    # every license: the AMP caches (Google's and Bing's) serve a licensee's AMP page from their hosts
    usage_allowed_domains: str = "ampproject.org,bing-amp.com"
    testing: bool = False
    instance_path: Path = INSTANCE  # where relative file settings (SELLER_LOGO) are looked up
    extra: dict = field(default_factory=dict)

    def __repr__(self) -> str:  # never print secrets
        hidden = {"secret_key", "stripe_secret_key", "stripe_webhook_secret", "database_url", "mail_url",
                  "redis_url"}
        shown = ", ".join(f"{k}={'***' if k in hidden and v else v!r}" for k, v in vars(self).items())
        return f"Settings({shown})"

    def reminder_days(self) -> tuple[int, ...]:
        """OVERDUE_REMINDER_DAYS ("3,10,30") as sorted whole days after the due date."""
        raw = str(self.overdue_reminder_days or "").replace(" ", "")
        if not raw:
            return ()
        try:
            days = sorted({int(part) for part in raw.split(",") if part})
        except ValueError as exc:
            raise ValueError(f"OVERDUE_REMINDER_DAYS must be whole days such as 3,10,30, got {raw!r}") from exc
        if any(d < 1 or d > 3650 for d in days):
            raise ValueError(f"OVERDUE_REMINDER_DAYS must be between 1 and 3650 days, got {raw!r}")
        return tuple(days)

    def payment_means(self) -> frozenset[str]:
        """SELLER_PAYMENT_MEANS ("transfer,card") as a set."""
        means = frozenset(part.strip().lower() for part in self.seller_payment_means.split(",") if part.strip())
        if not means or means - {"transfer", "card"}:
            raise ValueError(f"SELLER_PAYMENT_MEANS is transfer, card or both, got {self.seller_payment_means!r}")
        return means

    def message_id_domain(self) -> str:
        """The domain of every Message-ID: the seller's own (the setting, else PUBLIC_BASE_URL's host)."""
        return self.mail_message_id_domain or urlsplit(self.public_base_url).hostname or "localhost"

    def seller_logo_data_uri(self) -> str:
        """SELLER_LOGO as a data: URI ("" when unset). A license carries its logo in its frozen inputs,
        so a logo replaced later never changes an issued document's bytes. Refuses a missing file, a
        file that is not a PNG, JPEG or SVG (by its first bytes, not its name), or one over 256 KB."""
        if not self.seller_logo:
            return ""
        path = Path(self.seller_logo).expanduser()
        path = path if path.is_absolute() else self.instance_path / path
        if not path.is_file():
            raise ValueError(f"SELLER_LOGO: no such file {str(path)!r}")
        data = path.read_bytes()
        if len(data) > LOGO_MAX_BYTES:
            raise ValueError(f"SELLER_LOGO: {path.name} is {len(data):,} bytes; at most {LOGO_MAX_BYTES:,}")
        head = data[:512].lstrip()
        mime = ("image/png" if data.startswith(b"\x89PNG\r\n\x1a\n") else "image/jpeg" if data.startswith(b"\xff\xd8\xff")
                else "image/svg+xml" if head.startswith((b"<svg", b"<?xml")) and b"<svg" in data[:4096] else "")
        if not mime:
            raise ValueError(f"SELLER_LOGO: {path.name} is not a PNG, JPEG or SVG image")
        return f"data:{mime};base64,{base64.b64encode(data).decode()}"

    def usage_allowed_domain_set(self) -> frozenset[str]:
        """USAGE_ALLOWED_DOMAINS ("ampproject.org,bing-amp.com") as lower-case domains."""
        return frozenset(d.strip().lower().strip(".") for d in self.usage_allowed_domains.split(",") if d.strip())

    def trusted_host_list(self) -> list[str]:
        """The hosts requests may name (Flask's TRUSTED_HOSTS): TRUSTED_HOSTS, else PUBLIC_BASE_URL's."""
        if self.trusted_hosts:
            return [h.strip().lower() for h in self.trusted_hosts.split(",") if h.strip()]
        return [(urlsplit(self.public_base_url).hostname or "localhost").lower()]

    def check(self, *more: Callable[[Settings], None]) -> None:
        """Refuse settings that must never run by accident. `more`: checks owned by features (core
        imports none), such as billing's check of the seller's IBAN and BIC."""
        if not self.session_idle_hours > 0:
            raise ValueError("SESSION_IDLE_HOURS must be more than 0")
        if self.export_max_rows < 1:
            raise ValueError("EXPORT_MAX_ROWS must be at least 1")
        self.payment_means()
        for extra_check in more:
            extra_check(self)
        if self.jobs_mode not in (None, "inline", "thread", "rq"):
            raise RuntimeError("JOBS_MODE must be inline, thread or rq")
        if self.jobs_mode == "rq" and not self.redis_url:
            raise RuntimeError("JOBS_MODE=rq needs REDIS_URL")
        self.reminder_days()  # a typo in the reminder days fails at start, not at the first daily run
        if self.seller_english not in ("en-GB", "en-US"):
            raise ValueError("SELLER_ENGLISH must be en-GB or en-US")
        self.seller_logo_data_uri()  # a wrong logo fails at start, not at the first approval
        if not 0 <= self.license_expiry_reminder_days <= 365:
            raise ValueError("LICENSE_EXPIRY_REMINDER_DAYS must be between 0 and 365")
        key = self.stripe_secret_key or ""
        if key.startswith(("sk_live_", "rk_live_")) and not self.stripe_allow_live_keys:
            raise RuntimeError("STRIPE_SECRET_KEY is a live key; set STRIPE_ALLOW_LIVE_KEYS=1 to really take money")

    @classmethod
    def from_env(cls, instance: Path = INSTANCE, **overrides) -> Settings:
        load_dotenv(ROOT / ".env", override=False)
        instance.mkdir(parents=True, exist_ok=True)
        values = dict(
            instance_path=instance,
            database_url=_env("DATABASE_URL", f"sqlite:///{instance / 'syndication.db'}"),
            secret_key=overrides.pop("secret_key", None) or _secret_key(instance),
            redis_url=_env("REDIS_URL"),
            mail_url=_env("MAIL_URL"),
            mail_from=_env("MAIL_FROM", cls.mail_from),
            public_base_url=_env("PUBLIC_BASE_URL", f"http://127.0.0.1:{_int('PORT', 5000)}"),
            seller_name=_env("SELLER_NAME", cls.seller_name),
            seller_address=_env("SELLER_ADDRESS", cls.seller_address),
            seller_country=_env("SELLER_COUNTRY", cls.seller_country),
            seller_vat_number=_env("SELLER_VAT_NUMBER", cls.seller_vat_number),
            seller_bank_details=_env("SELLER_BANK_DETAILS", cls.seller_bank_details),
            seller_address_lines=_env("SELLER_ADDRESS_LINES", cls.seller_address_lines),
            seller_city=_env("SELLER_CITY", cls.seller_city),
            seller_postcode=_env("SELLER_POSTCODE", cls.seller_postcode),
            seller_company_number=_env("SELLER_COMPANY_NUMBER", cls.seller_company_number),
            seller_legal_form=_env("SELLER_LEGAL_FORM", cls.seller_legal_form),
            seller_registered_office=_env("SELLER_REGISTERED_OFFICE", cls.seller_registered_office),
            seller_iban=_env("SELLER_IBAN", cls.seller_iban),
            seller_bic=_env("SELLER_BIC", cls.seller_bic),
            seller_payment_means=_env("SELLER_PAYMENT_MEANS", cls.seller_payment_means),
            mail_message_id_domain=_env("MAIL_MESSAGE_ID_DOMAIN", ""),
            vies_check=_bool("VIES_CHECK", False),
            vies_url=_env("VIES_URL", cls.vies_url),
            seller_english=_env("SELLER_ENGLISH", cls.seller_english),
            seller_logo=_env("SELLER_LOGO", cls.seller_logo),
            governing_law=_env("GOVERNING_LAW", cls.governing_law),
            jurisdiction=_env("JURISDICTION", cls.jurisdiction),
            terms_contact_email=_env("TERMS_CONTACT_EMAIL", cls.terms_contact_email),
            currency=_env("CURRENCY", cls.currency),
            review_target_working_days=_int("REVIEW_TARGET_WORKING_DAYS", cls.review_target_working_days),
            needs_info_expiry_days=_int("NEEDS_INFO_EXPIRY_DAYS", cls.needs_info_expiry_days),
            page_cache_seconds=_int("PAGE_CACHE_SECONDS", cls.page_cache_seconds),
            payment_terms_days=_int("PAYMENT_TERMS_DAYS", cls.payment_terms_days),
            overdue_reminder_days=_env("OVERDUE_REMINDER_DAYS", cls.overdue_reminder_days),
            license_expiry_reminder_days=_int("LICENSE_EXPIRY_REMINDER_DAYS", cls.license_expiry_reminder_days),
            stripe_secret_key=_env("STRIPE_SECRET_KEY"),
            stripe_publishable_key=_env("STRIPE_PUBLISHABLE_KEY"),
            stripe_webhook_secret=_env("STRIPE_WEBHOOK_SECRET"),
            stripe_api_base=_env("STRIPE_API_BASE"),
            stripe_allow_live_keys=_bool("STRIPE_ALLOW_LIVE_KEYS", False),
            stripe_timeout_seconds=_int("STRIPE_TIMEOUT_SECONDS", cls.stripe_timeout_seconds),
            json_logs=_env("LOG_FORMAT", "text") == "json",
            jobs_mode=_env("JOBS_MODE"),
            trust_proxy=_bool("TRUST_PROXY", False),
            rate_limits=_bool("RATELIMIT_ENABLED", True),
            session_idle_hours=_float("SESSION_IDLE_HOURS", cls.session_idle_hours),
            trusted_hosts=_env("TRUSTED_HOSTS"),
            export_max_rows=_int("EXPORT_MAX_ROWS", cls.export_max_rows),
            usage_allowed_domains=_env("USAGE_ALLOWED_DOMAINS", cls.usage_allowed_domains),
        )
        values.update(overrides)
        return cls(**values)
