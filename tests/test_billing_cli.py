"""`fluxkit billing setup`: the plans as Stripe products and prices, printed as settings."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from fluxkit import cli
from fluxkit.services import plans
from tests.support.settings_env import settings_env
from tests.support.stripe_double import SECRET_KEY

ROOT = Path(__file__).resolve().parent.parent


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def settings_lines(out: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in out.splitlines() if re.match(r"^STRIPE_[A-Z_]+=", line))


def test_setup_creates_the_catalog_once_and_prints_the_settings(capsys, stripe_double):
    with settings_env(STRIPE_SECRET_KEY=SECRET_KEY, STRIPE_API_BASE=stripe_double.url):
        code, out, _ = run(capsys, "billing", "setup")
        assert code == 0
        printed = settings_lines(out)
        assert set(printed) == {
            *(f"STRIPE_PRICE_{p.id.upper()}_{i.upper()}" for p in plans.PAID_PLANS for i in plans.INTERVALS),
            "STRIPE_PORTAL_CONFIGURATION",
        }
        assert "stripe listen --forward-to http://localhost:3000/api/billing/webhook" in out
        assert "checkout.session.completed" in out and "invoice.payment_failed" in out
        assert SECRET_KEY not in out  # the secret is never echoed

        products = {p["metadata"]["fluxkit_plan"]: p for p in stripe_double.products.values()}
        assert set(products) == {"basic", "professional", "enterprise"}
        pro_yearly = stripe_double.prices[printed["STRIPE_PRICE_PROFESSIONAL_YEARLY"]]
        assert pro_yearly["unit_amount"] == 79000 and pro_yearly["recurring"]["interval"] == "year"
        assert pro_yearly["lookup_key"] == "fluxkit_professional_yearly"
        assert pro_yearly["product"] == products["professional"]["id"]

        # Again: everything is found, nothing new is created, the same settings are printed.
        code, again, _ = run(capsys, "billing", "setup")
        assert code == 0
        assert settings_lines(again) == printed
        assert len(stripe_double.prices) == 6 and len(stripe_double.products) == 3
        assert len(stripe_double.portal_configurations) == 1
        assert "# created" not in again

    # The settings it printed turn billing on.
    with settings_env(STRIPE_SECRET_KEY=SECRET_KEY, STRIPE_WEBHOOK_SECRET="whsec_x", **printed) as settings:
        assert settings.stripe.enabled
        assert settings.stripe.plan_of_price(printed["STRIPE_PRICE_BASIC_MONTHLY"]) == ("basic", "monthly")


def test_setup_refuses_without_a_key_or_with_a_live_key(capsys, stripe_double):
    with settings_env(STRIPE_SECRET_KEY=None, STRIPE_API_BASE=stripe_double.url):
        code, _, err = run(capsys, "billing", "setup")
    assert code == 1 and "set STRIPE_SECRET_KEY" in err
    with settings_env(STRIPE_SECRET_KEY="sk_live_abc", STRIPE_API_BASE=stripe_double.url):
        code, _, err = run(capsys, "billing", "setup")
    assert code == 1 and "not a test-mode key" in err
    assert stripe_double.requests == []


def test_setup_reports_a_rejected_key_or_stripe_down_in_one_line(capsys, stripe_double):
    with settings_env(STRIPE_SECRET_KEY="rk_test_wrongprefix", STRIPE_API_BASE=stripe_double.url):
        code, _, err = run(capsys, "billing", "setup")
    assert code == 1 and "refused STRIPE_SECRET_KEY" in err
    stripe_double.fail_next(1, status=400)
    with settings_env(STRIPE_SECRET_KEY=SECRET_KEY, STRIPE_API_BASE=stripe_double.url):
        code, _, err = run(capsys, "billing", "setup")
    assert code == 1 and err.startswith("fluxkit billing: Stripe answered with an error")


def test_the_command_is_listed_in_help():
    done = subprocess.run(
        [sys.executable, "-m", "fluxkit.cli", "billing", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and "setup" in done.stdout
