"""One error -> HTTP status mapping: each service error's status comes from its semantic base.

/api/auth, /api/billing and /api/v1 all answer with `fluxkit/api/errors.py`; a feature's error
picks its status by subclassing Forbidden, Conflict, NotFound... in services/errors.py.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import fluxkit.services
from fluxkit.api.errors import STATUS_OF, service_error, status_of
from fluxkit.services import (
    api_keys,
    billing,
    calendar,
    faqs,
    imports,
    passkeys,
    ratelimit,
    social_accounts,
    tasks,
    two_factor,
    users_admin,
)
from fluxkit.services import organizations as orgs
from fluxkit.services.billing import webhooks as billing_webhooks
from fluxkit.services.errors import Conflict, InvalidInput, ServiceError

EXPECTED = {
    tasks.TransitionRefused: 409,
    tasks.NotOwner: 403,
    calendar.NotOrganizer: 403,
    orgs.NotAllowed: 403,
    orgs.TwoFactorRequired: 403,
    users_admin.Refused: 409,
    api_keys.TooManyKeys: 409,
    api_keys.SessionRequired: 403,
    billing.PlanLimitReached: 402,
    billing.AlreadySubscribed: 409,
    billing.NoBillingAccount: 404,
    billing.StripeUnavailable: 503,
    billing.BillingNotConfigured: 503,
    ratelimit.LimitsUnavailable: 503,  # Redis down with FLUXKIT_RATE_LIMITS_WITHOUT_REDIS=refuse
    faqs.AdminRequired: 404,
    billing_webhooks.InvalidSignature: 400,
    billing_webhooks.InvalidEvent: 400,
    social_accounts.LinkNeeded: 401,
    social_accounts.NoEmail: 401,
    passkeys.AlreadyRegistered: 409,
    passkeys.TooManyPasskeys: 409,
    passkeys.LastSignInMethod: 409,
}


def _service_errors() -> set[type[ServiceError]]:
    for info in pkgutil.walk_packages(fluxkit.services.__path__, "fluxkit.services."):
        importlib.import_module(info.name)
    found, todo = set(), [ServiceError]
    while todo:
        kind = todo.pop()
        for sub in kind.__subclasses__():
            if sub.__module__.startswith("fluxkit.services.") and sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


@pytest.mark.parametrize("kind, status", EXPECTED.items(), ids=lambda v: getattr(v, "__name__", str(v)))
def test_each_feature_error_answers_the_status_of_its_base(kind, status):
    assert status_of(kind("message")) == status


def test_every_feature_error_is_accounted_for():
    """A new error gets its status by choosing a base; list it above so its answer is pinned."""
    features = {
        kind for kind in _service_errors() if kind not in STATUS_OF and kind.__module__ != "fluxkit.services.errors"
    }
    features.discard(billing_webhooks.DuplicateEvent)  # control flow: the webhook answers 200 "duplicate"
    features.discard(imports.ImportRefused)  # built from a report: pinned by its own test below
    features.discard(two_factor.SecondStepLimited)  # carries its verdict: answered 429 with Retry-After
    assert features - EXPECTED.keys() == set()


def test_a_refused_import_is_invalid_input_naming_the_file():
    refused = imports.ImportRefused(imports.ImportReport(refused=[imports.ImportProblem("4", "No title.")]), "task")
    assert status_of(refused) == 422
    assert refused.fields == {"file": refused.message} and "1 task was refused" in refused.message


def test_a_conflict_names_no_field_and_invalid_input_names_each():
    refused = service_error(tasks.TransitionRefused("No.", fields={"status": "No."}))
    assert (refused.status_code, refused.body) == (409, b'{"error":"invalid_transition","message":"No."}')
    invalid = service_error(InvalidInput("Fix it.", fields={"title": "Enter a title."}))
    assert invalid.status_code == 422 and b'"fields":{"title":"Enter a title."}' in invalid.body
    assert issubclass(tasks.TransitionRefused, Conflict)
