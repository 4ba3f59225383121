"""/forgot-password"""

import reflex as rx

from fluxkit import routes
from fluxkit.components.auth_form import auth_card, field, form_error, sent_panel, submit
from fluxkit.state.auth import AuthState

ROUTE = routes.FORGOT_PASSWORD
TITLE = "Forgot password · FluxKit"
ON_LOAD = AuthState.open_page


def page() -> rx.Component:
    return auth_card(
        "Forgot your password?",
        "Enter your email and we will send you a link to choose a new one.",
        rx.cond(
            AuthState.done,
            sent_panel(
                "Check your email",
                rx.text(
                    "If an account exists for ",
                    rx.text.strong(AuthState.sent_to),
                    ", we sent a reset link. It works once, within 1 hour.",
                    size="2",
                ),
            ),
            rx.fragment(
                form_error(),
                rx.form(
                    rx.vstack(
                        field(
                            "Email",
                            "email",
                            id="forgot-email",
                            type="email",
                            autocomplete="email",
                            placeholder="you@example.com",
                        ),
                        submit("Send reset link", id="forgot-submit"),
                        spacing="3",
                        width="100%",
                    ),
                    id="forgot-form",
                    on_submit=AuthState.forgot,
                    width="100%",
                ),
            ),
        ),
        rx.link("Back to sign in", href=routes.SIGN_IN, size="2"),
    )
