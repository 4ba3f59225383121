"""/sign-up"""

import reflex as rx

from fluxkit import routes
from fluxkit.components.auth_form import auth_card, field, form_error, sent_panel, submit
from fluxkit.components.social import social_buttons
from fluxkit.state.auth import AuthState

ROUTE = routes.SIGN_UP
TITLE = "Create your account · FluxKit"
ON_LOAD = AuthState.open_page


def page() -> rx.Component:
    return auth_card(
        "Create your account",
        "Start with FluxKit in a minute.",
        rx.cond(
            AuthState.done,
            sent_panel(
                "Check your email",
                rx.text(
                    "If ",
                    rx.text.strong(AuthState.sent_to),
                    " can be used, we sent a link to verify it. The link works for 2 hours.",
                    size="2",
                ),
            ),
            rx.fragment(
                form_error(),
                social_buttons("Sign up"),
                rx.form(
                    rx.vstack(
                        field("Name", "name", id="sign-up-name", autocomplete="name", placeholder="Ada Lovelace"),
                        field(
                            "Email",
                            "email",
                            id="sign-up-email",
                            type="email",
                            autocomplete="email",
                            placeholder="you@example.com",
                        ),
                        field(
                            "Password", "password", id="sign-up-password", type="password", autocomplete="new-password"
                        ),
                        rx.text(
                            "At least 8 characters. Any characters you like; common passwords are refused.",
                            size="1",
                            color_scheme="gray",
                        ),
                        submit("Create account", id="sign-up-submit"),
                        spacing="3",
                        width="100%",
                    ),
                    id="sign-up-form",
                    on_submit=AuthState.sign_up,
                    width="100%",
                ),
            ),
        ),
        rx.text(
            "Already have an account? ",
            rx.link("Sign in", href=routes.SIGN_IN, id="sign-in-link", underline="always"),
            size="2",
        ),
    )
