"""/reset-password?token=..."""

import reflex as rx

from fluxkit import routes
from fluxkit.components.auth_form import auth_card, field, form_error, submit
from fluxkit.state.auth import AuthState

ROUTE = routes.RESET_PASSWORD
TITLE = "Choose a new password · FluxKit"
ON_LOAD = AuthState.open_page


def page() -> rx.Component:
    return auth_card(
        "Choose a new password",
        "Every device signed in to your account will be signed out.",
        rx.cond(
            AuthState.done,
            rx.vstack(
                rx.callout(
                    "Your password was changed. Sign in with the new one.",
                    icon="circle-check",
                    color_scheme="green",
                    id="reset-done",
                    width="100%",
                ),
                rx.link(rx.button("Sign in", size="3", width="100%"), href=routes.SIGN_IN, width="100%"),
                width="100%",
            ),
            rx.fragment(
                form_error(),
                rx.form(
                    rx.vstack(
                        field(
                            "New password",
                            "newPassword",
                            id="reset-password",
                            type="password",
                            autocomplete="new-password",
                        ),
                        field(
                            "Repeat the new password",
                            "confirmPassword",
                            id="reset-confirm",
                            type="password",
                            autocomplete="new-password",
                        ),
                        submit("Change password", id="reset-submit"),
                        spacing="3",
                        width="100%",
                    ),
                    id="reset-form",
                    on_submit=AuthState.reset_password,
                    width="100%",
                ),
                rx.link("Ask for a new link", href=routes.FORGOT_PASSWORD, size="2"),
            ),
        ),
    )
