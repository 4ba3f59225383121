"""Typed configuration, read once from the environment.

Every knob FluxKit has lives here; the README documents each variable.
"""

from __future__ import annotations

import functools
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from limits import parse as parse_limit

from fluxkit.services.plans import INTERVALS, PAID_PLANS

SESSION_COOKIE = "fluxkit.session_token"


@dataclass(frozen=True)
class StripeSettings:
    """Billing is on only when the secret key, the webhook secret and every price id are set."""

    secret_key: str = ""
    webhook_secret: str = ""
    # ((plan, interval), price id) for each paid plan and interval, from STRIPE_PRICE_<PLAN>_<INTERVAL>.
    prices: tuple[tuple[tuple[str, str], str], ...] = ()
    # Optional: the Customer Portal configuration `fluxkit billing setup` created.
    portal_configuration: str = ""
    # Where the Stripe client sends requests; only changed for a local test double.
    api_base: str = ""

    def price_id(self, plan: str, interval: str) -> str:
        return dict(self.prices).get((plan, interval), "")

    def plan_of_price(self, price_id: str) -> tuple[str, str] | None:
        for key, value in self.prices:
            if value and value == price_id:
                return key
        return None

    @property
    def missing(self) -> tuple[str, ...]:
        """The environment variables still needed for billing to work."""
        names = []
        if not self.secret_key:
            names.append("STRIPE_SECRET_KEY")
        if not self.webhook_secret:
            names.append("STRIPE_WEBHOOK_SECRET")
        names.extend(price_env_name(plan, interval) for (plan, interval), value in self.prices if not value)
        return tuple(names)

    @property
    def enabled(self) -> bool:
        return not self.missing


def price_env_name(plan: str, interval: str) -> str:
    return f"STRIPE_PRICE_{plan.upper()}_{interval.upper()}"


def _stripe_settings(env) -> StripeSettings:
    prices = tuple(
        ((plan.id, interval), env.get(price_env_name(plan.id, interval), "").strip())
        for plan in PAID_PLANS
        for interval in INTERVALS
    )
    return StripeSettings(
        secret_key=env.get("STRIPE_SECRET_KEY", "").strip(),
        webhook_secret=env.get("STRIPE_WEBHOOK_SECRET", "").strip(),
        prices=prices,
        portal_configuration=env.get("STRIPE_PORTAL_CONFIGURATION", "").strip(),
        api_base=env.get("STRIPE_API_BASE", "").strip().rstrip("/"),
    )


@dataclass(frozen=True)
class OAuthClient:
    """One social sign-in provider's app credentials (and, for OpenID Connect, its issuer)."""

    client_id: str = ""
    client_secret: str = ""
    issuer: str = ""  # the generic OpenID Connect provider only (discovery at /.well-known)
    name: str = ""  # what its button says: "Sign in with <name>"

    @property
    def configured(self) -> bool:
        return bool(self.client_id and self.client_secret)


@dataclass(frozen=True)
class OAuthSettings:
    """Social sign-in: a provider is offered only when its client id and secret are set."""

    google: OAuthClient = field(default_factory=OAuthClient)
    github: OAuthClient = field(default_factory=OAuthClient)
    oidc: OAuthClient = field(default_factory=OAuthClient)


def _oauth_settings(env) -> OAuthSettings:
    def read(prefix: str) -> OAuthClient:
        return OAuthClient(
            client_id=env.get(f"{prefix}_CLIENT_ID", "").strip(),
            client_secret=env.get(f"{prefix}_CLIENT_SECRET", "").strip(),
        )

    oidc = read("FLUXKIT_OIDC")
    issuer = env.get("FLUXKIT_OIDC_ISSUER", "").strip().rstrip("/")
    oidc = OAuthClient(
        client_id=oidc.client_id if issuer else "",
        client_secret=oidc.client_secret if issuer else "",
        issuer=issuer,
        name=env.get("FLUXKIT_OIDC_NAME", "").strip()[:40] or "single sign-on",
    )
    return OAuthSettings(google=read("FLUXKIT_OAUTH_GOOGLE"), github=read("FLUXKIT_OAUTH_GITHUB"), oidc=oidc)


@dataclass(frozen=True)
class Settings:
    base_url: str
    database_url: str
    redis_url: str | None
    smtp_url: str | None
    mail_from: str
    secret_key: str
    trusted_proxy_hops: int
    data_dir: Path
    extra_origins: tuple[str, ...] = ()
    api_rate_limit: str = "600/minute"
    # While Redis does not answer: "memory" counts limits in each worker's memory (looser: each
    # worker has its own budget), "refuse" answers 503 with Retry-After wherever a limit applies.
    rate_limits_without_redis: str = "memory"
    stripe: StripeSettings = field(default_factory=StripeSettings)
    oauth: OAuthSettings = field(default_factory=OAuthSettings)

    @property
    def base_origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def trusted_origins(self) -> tuple[str, ...]:
        """Origins allowed for CORS, the websocket and cookie-carrying POSTs."""
        origins = [self.base_origin, *self.extra_origins]
        return tuple(dict.fromkeys(o.rstrip("/") for o in origins if o))

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def session_cookie_name(self) -> str:
        # Browsers refuse a __Secure- cookie that is not Secure, so only under https.
        return f"__Secure-{SESSION_COOKIE}" if self.secure_cookies else SESSION_COOKIE

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def url(self, path: str) -> str:
        """An absolute link for emails, always built from FLUXKIT_BASE_URL."""
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")


def _secret_key(data_dir: Path) -> str:
    """FLUXKIT_SECRET_KEY, or one generated once into a git-ignored local file."""
    if key := os.environ.get("FLUXKIT_SECRET_KEY"):
        return key
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'fluxkit.db').resolve()}"


@functools.cache
def get_settings() -> Settings:
    env = os.environ
    data_dir = Path(env.get("FLUXKIT_DATA_DIR", "var")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    hops = env.get("FLUXKIT_TRUSTED_PROXY_HOPS", "0").strip() or "0"
    if not hops.isdigit():
        raise ValueError("FLUXKIT_TRUSTED_PROXY_HOPS must be a whole number (0 or more)")
    extra = tuple(o.strip() for o in env.get("FLUXKIT_TRUSTED_ORIGINS", "").split(",") if o.strip())
    api_rate = env.get("FLUXKIT_API_RATE_LIMIT", "").strip() or "600/minute"
    try:
        parse_limit(api_rate)
    except ValueError:
        raise ValueError("FLUXKIT_API_RATE_LIMIT must read like 600/minute or 10000/hour") from None
    without_redis = env.get("FLUXKIT_RATE_LIMITS_WITHOUT_REDIS", "").strip().lower() or "memory"
    if without_redis not in ("memory", "refuse"):
        raise ValueError("FLUXKIT_RATE_LIMITS_WITHOUT_REDIS must be memory or refuse")
    return Settings(
        base_url=env.get("FLUXKIT_BASE_URL", "http://localhost:3000").rstrip("/"),
        database_url=env.get("DATABASE_URL") or _sqlite_url(data_dir),
        redis_url=env.get("REDIS_URL") or None,
        smtp_url=env.get("SMTP_URL") or None,
        mail_from=env.get("FLUXKIT_MAIL_FROM", "FluxKit <no-reply@localhost>"),
        secret_key=_secret_key(data_dir),
        trusted_proxy_hops=int(hops),
        data_dir=data_dir,
        extra_origins=extra,
        api_rate_limit=api_rate,
        rate_limits_without_redis=without_redis,
        stripe=_stripe_settings(env),
        oauth=_oauth_settings(env),
    )
