"""/sign-in"""

import reflex as rx

from fluxkit import routes
from fluxkit.components.auth_form import auth_card, field, form_error, submit
from fluxkit.components.social import social_buttons
from fluxkit.state.auth import AuthState
from fluxkit.state.passkeys import PasskeySignInState

ROUTE = routes.SIGN_IN
TITLE = "Sign in · FluxKit"
ON_LOAD = AuthState.open_page


def _passkey() -> rx.Component:
    """Beside the password form: any passkey of this site the device or phone has (assets/passkeys.js)."""
    return rx.vstack(
        rx.hstack(
            rx.separator(size="4", flex="1"),
            rx.text("or", size="1", color_scheme="gray"),
            rx.separator(size="4", flex="1"),
            align="center",
            width="100%",
        ),
        rx.button(
            rx.icon("fingerprint", size=16),
            "Sign in with a passkey",
            type="button",
            variant="outline",
            size="3",
            width="100%",
            on_click=PasskeySignInState.start,
            loading=PasskeySignInState.pending,
            id="passkey-sign-in",
        ),
        rx.cond(
            PasskeySignInState.error != "",
            rx.callout(
                PasskeySignInState.error, icon="circle-alert", color_scheme="red", id="passkey-error", width="100%"
            ),
        ),
        spacing="3",
        width="100%",
        on_mount=PasskeySignInState.open,
    )


def page() -> rx.Component:
    return auth_card(
        "Sign in",
        "Welcome back. Sign in to your account.",
        form_error(),
        rx.cond(
            AuthState.link_notice != "",
            rx.callout(AuthState.link_notice, icon="mail-check", color_scheme="green", id="link-sent", width="100%"),
        ),
        social_buttons("Sign in"),
        rx.form(
            rx.vstack(
                field(
                    "Email",
                    "email",
                    id="sign-in-email",
                    type="email",
                    autocomplete="email",
                    placeholder="you@example.com",
                ),
                field("Password", "password", id="sign-in-password", type="password", autocomplete="current-password"),
                rx.link("Forgot your password?", href=routes.FORGOT_PASSWORD, size="2", id="forgot-link"),
                submit("Sign in", id="sign-in-submit"),
                rx.button(
                    "Email me a sign-in link",
                    type="button",
                    variant="soft",
                    size="2",
                    width="100%",
                    on_click=AuthState.email_link,
                    disabled=AuthState.pending,
                    id="email-link",
                ),
                spacing="3",
                width="100%",
            ),
            id="sign-in-form",
            on_submit=AuthState.sign_in,
            width="100%",
        ),
        _passkey(),
        rx.text(
            "No account yet? ",
            rx.link("Create one", href=routes.SIGN_UP, id="sign-up-link", underline="always"),
            size="2",
        ),
        rx.text(
            "Did not get the verification email? ",
            rx.link("Send it again", href=routes.VERIFY_EMAIL, id="resend-link", underline="always"),
            size="2",
            color_scheme="gray",
        ),
    )
