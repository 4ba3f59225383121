"""Social sign-in providers, spoken to through Authlib: OAuth 2.0 authorization code with PKCE
(S256) for all of them, plus OpenID Connect (discovery, JWKS, a signed ID token checked for
issuer, audience, expiry and nonce) for Google and the generic provider.

Google and the generic OpenID Connect provider share one code path (Google is an issuer
with discovery like any other); GitHub speaks plain OAuth 2.0, so its person comes from its
REST API: the numeric user id, and the primary *verified* address from /user/emails.
"""

from __future__ import annotations

import threading
import time
import warnings
from dataclasses import dataclass

import httpx
import joserfc.errors
from authlib.deprecate import AuthlibDeprecationWarning

from fluxkit.services.errors import InvalidToken, Unavailable
from fluxkit.settings import OAuthClient, get_settings

# Authlib 1.9 announces, at import, that `authlib.jose` and its httpx client move elsewhere
# in 2.0; the pinned version is the one tested, so the notice is not news to the log.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.httpx_client import OAuth2Client
    from authlib.jose import JsonWebKey, jwt
    from authlib.jose.errors import JoseError as AuthlibJoseError
    from authlib.oidc.core import CodeIDToken

# Authlib 1.9's jose runs on joserfc and lets either library's errors through.
JoseError = (AuthlibJoseError, joserfc.errors.JoseError)

GOOGLE_ISSUER = "https://accounts.google.com"
TIMEOUT_SECONDS = 10.0
DISCOVERY_TTL_SECONDS = 3600.0
CLOCK_LEEWAY_SECONDS = 120


@dataclass(frozen=True)
class GitHubEndpoints:
    authorize: str = "https://github.com/login/oauth/authorize"
    token: str = "https://github.com/login/oauth/access_token"
    api: str = "https://api.github.com"


# Module-level so a test can point GitHub at a loopback double of its API.
GITHUB = GitHubEndpoints()


@dataclass(frozen=True)
class Provider:
    id: str  # "google", "github", "oidc": the {provider} of the routes
    label: str  # "Google", "GitHub", or FLUXKIT_OIDC_NAME
    client: OAuthClient
    issuer: str = ""  # OpenID Connect providers only

    @property
    def is_oidc(self) -> bool:
        return bool(self.issuer)

    @property
    def scope(self) -> str:
        return "openid email profile" if self.is_oidc else "read:user user:email"


@dataclass(frozen=True)
class Profile:
    """The person as the provider vouches for them."""

    provider: str
    account_id: str
    email: str
    email_verified: bool
    name: str


def configured() -> list[Provider]:
    """The providers whose credentials are set, in button order."""
    oauth = get_settings().oauth
    found = []
    if oauth.google.configured:
        found.append(Provider("google", "Google", oauth.google, GOOGLE_ISSUER))
    if oauth.github.configured:
        found.append(Provider("github", "GitHub", oauth.github))
    if oauth.oidc.configured:
        found.append(Provider("oidc", oauth.oidc.name, oauth.oidc, oauth.oidc.issuer))
    return found


def get(provider_id: object) -> Provider | None:
    return next((p for p in configured() if p.id == provider_id), None)


# ---- OpenID Connect discovery and keys (cached per issuer) ------------------------------------

_cache_lock = threading.Lock()
_discovery: dict[str, tuple[float, dict]] = {}
_jwks: dict[str, tuple[float, dict]] = {}


def _fetch_json(url: str, **kwargs) -> dict:
    try:
        response = httpx.get(url, timeout=TIMEOUT_SECONDS, follow_redirects=False, **kwargs)
        response.raise_for_status()
        body = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise Unavailable("The sign-in provider did not answer. Try again in a moment.") from exc
    if not isinstance(body, dict):
        raise Unavailable("The sign-in provider gave an answer we could not read.")
    return body


def discovery(issuer: str) -> dict:
    """The issuer's /.well-known/openid-configuration, which must name the same issuer."""
    with _cache_lock:
        cached = _discovery.get(issuer)
    if cached and time.monotonic() - cached[0] < DISCOVERY_TTL_SECONDS:
        return cached[1]
    document = _fetch_json(f"{issuer}/.well-known/openid-configuration")
    if document.get("issuer", "").rstrip("/") != issuer.rstrip("/"):
        raise Unavailable("The sign-in provider's configuration names another issuer.")
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(document.get(key), str):
            raise Unavailable("The sign-in provider's configuration is incomplete.")
    with _cache_lock:
        _discovery[issuer] = (time.monotonic(), document)
    return document


def _key_set(jwks_uri: str, *, fresh: bool = False):
    with _cache_lock:
        cached = _jwks.get(jwks_uri)
    if fresh or not cached or time.monotonic() - cached[0] >= DISCOVERY_TTL_SECONDS:
        cached = (time.monotonic(), _fetch_json(jwks_uri))
        with _cache_lock:
            _jwks[jwks_uri] = cached
    return JsonWebKey.import_key_set(cached[1])


def forget_cached() -> None:
    """Drop cached discovery documents and keys (tests, and a provider that rotated everything)."""
    with _cache_lock:
        _discovery.clear()
        _jwks.clear()


# ---- the two legs of the redirect ----------------------------------------------------------------


def _client(provider: Provider, redirect_uri: str) -> OAuth2Client:
    return OAuth2Client(
        client_id=provider.client.client_id,
        client_secret=provider.client.client_secret,
        scope=provider.scope,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        timeout=TIMEOUT_SECONDS,
    )


def authorization_url(provider: Provider, redirect_uri: str, *, state: str, code_verifier: str, nonce: str) -> str:
    """Where to send the browser: the provider's consent page with state, PKCE and nonce."""
    endpoint = discovery(provider.issuer)["authorization_endpoint"] if provider.is_oidc else GITHUB.authorize
    extra = {"nonce": nonce} if provider.is_oidc else {"allow_signup": "true"}
    with _client(provider, redirect_uri) as client:
        url, _ = client.create_authorization_url(endpoint, state=state, code_verifier=code_verifier, **extra)
    return url


def _refused(message: str = "The sign-in could not be completed. Try again.") -> InvalidToken:
    return InvalidToken(message)


def exchange(provider: Provider, redirect_uri: str, *, code: str, code_verifier: str, nonce: str) -> Profile:
    """Trade the code (with the PKCE verifier) for tokens and check who they are about."""
    token_endpoint = discovery(provider.issuer)["token_endpoint"] if provider.is_oidc else GITHUB.token
    with _client(provider, redirect_uri) as client:
        try:
            token = client.fetch_token(
                token_endpoint, code=code, code_verifier=code_verifier, headers={"Accept": "application/json"}
            )
        except httpx.HTTPError as exc:
            raise Unavailable("The sign-in provider did not answer. Try again in a moment.") from exc
        except Exception as exc:  # Authlib's OAuthError and kin: the provider refused the code
            raise _refused() from exc
        if provider.is_oidc:
            return _oidc_profile(provider, token, nonce)
        return _github_profile(provider, client)


def _oidc_profile(provider: Provider, token: dict, nonce: str) -> Profile:
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise _refused()
    jwks_uri = discovery(provider.issuer)["jwks_uri"]
    options = {"iss": {"essential": True, "value": provider.issuer}, "sub": {"essential": True}}
    params = {"nonce": nonce, "client_id": provider.client.client_id, "access_token": token.get("access_token")}
    claims = None
    for fresh in (False, True):  # a key we have not seen yet: the provider rotated its keys
        try:
            claims = jwt.decode(
                id_token,
                _key_set(jwks_uri, fresh=fresh),
                claims_cls=CodeIDToken,
                claims_options=options,
                claims_params=params,
            )
            break
        except (*JoseError, ValueError) as exc:
            if fresh:
                raise _refused() from exc
    try:
        claims.validate(leeway=CLOCK_LEEWAY_SECONDS)
    except JoseError as exc:
        raise _refused() from exc
    # The ID token must carry the nonce this browser's flow was started with (CodeIDToken
    # only checks it when the token has one).
    if claims.get("nonce") != nonce:
        raise _refused()
    email, verified = claims.get("email"), claims.get("email_verified")
    if not isinstance(email, str) and token.get("access_token"):
        # Some providers put the address only in the userinfo answer.
        userinfo = discovery(provider.issuer).get("userinfo_endpoint")
        if isinstance(userinfo, str):
            info = _fetch_json(userinfo, headers={"Authorization": f"Bearer {token['access_token']}"})
            if info.get("sub") == claims["sub"]:
                email, verified = info.get("email"), info.get("email_verified")
    name = claims.get("name") or claims.get("given_name") or ""
    return Profile(
        provider=provider.id,
        account_id=str(claims["sub"])[:255],
        email=email if isinstance(email, str) else "",
        email_verified=verified is True or verified == "true",
        name=name if isinstance(name, str) else "",
    )


def _github_profile(provider: Provider, client: OAuth2Client) -> Profile:
    headers = {"Accept": "application/vnd.github+json"}
    try:
        user = client.get(f"{GITHUB.api}/user", headers=headers)
        emails = client.get(f"{GITHUB.api}/user/emails", headers=headers)
        user.raise_for_status()
        person = user.json()
        listed = emails.json() if emails.status_code == 200 else []
    except (httpx.HTTPError, ValueError) as exc:
        raise Unavailable("GitHub did not answer. Try again in a moment.") from exc
    if not isinstance(person, dict) or not isinstance(person.get("id"), int):
        raise _refused()
    # Only the primary address, and only when GitHub has verified it.
    primary = next(
        (e for e in listed if isinstance(e, dict) and e.get("primary") is True and isinstance(e.get("email"), str)),
        None,
    )
    name = person.get("name") or person.get("login") or ""
    return Profile(
        provider=provider.id,
        account_id=str(person["id"]),
        email=primary["email"] if primary else "",
        email_verified=bool(primary and primary.get("verified") is True),
        name=name if isinstance(name, str) else "",
    )
