"""/verify-email?token=... (also the place to ask for a new link)"""

import reflex as rx

from fluxkit import routes
from fluxkit.components.auth_form import auth_card, field, form_error, sent_panel, submit
from fluxkit.state.auth import AuthState

ROUTE = routes.VERIFY_EMAIL
TITLE = "Verify your email · FluxKit"
ON_LOAD = AuthState.verify


def _resend_form() -> rx.Component:
    return rx.cond(
        AuthState.done,
        sent_panel(
            "Check your email",
            rx.text("If ", rx.text.strong(AuthState.sent_to), " still needs verifying, we sent a new link.", size="2"),
        ),
        rx.fragment(
            form_error(),
            rx.form(
                rx.vstack(
                    field(
                        "Email",
                        "email",
                        id="resend-email",
                        type="email",
                        autocomplete="email",
                        placeholder="you@example.com",
                    ),
                    submit("Send a new link", id="resend-submit"),
                    spacing="3",
                    width="100%",
                ),
                id="resend-form",
                on_submit=AuthState.resend,
                width="100%",
            ),
        ),
    )


def page() -> rx.Component:
    return auth_card(
        "Verify your email",
        "",
        rx.match(
            AuthState.verify_status,
            ("checking", rx.hstack(rx.spinner(), rx.text("Checking your link…"), align="center")),
            (
                "verified",
                rx.vstack(
                    rx.callout(
                        "Your email is verified. You can sign in now.",
                        icon="circle-check",
                        color_scheme="green",
                        id="verified",
                        width="100%",
                    ),
                    rx.link(
                        rx.button("Sign in", size="3", width="100%"),
                        href=routes.SIGN_IN,
                        width="100%",
                        id="verified-sign-in",
                    ),
                    width="100%",
                ),
            ),
            (
                "resend",
                rx.vstack(
                    rx.text("Enter the email you signed up with and we will send a new verification link.", size="2"),
                    _resend_form(),
                    width="100%",
                ),
            ),
            rx.vstack(
                rx.text(
                    "This link is invalid, has expired or was already used. Enter your email to get a new one.",
                    size="2",
                    id="verify-invalid",
                ),
                _resend_form(),
                width="100%",
            ),
        ),
        rx.link("Back to sign in", href=routes.SIGN_IN, size="2"),
    )
