"""/two-factor: the second step of sign-in for an account with two-factor on (a code from the
authenticator app, or a backup code), reached after the password, an emailed link or social
sign-in answered "twoFactorRedirect"."""

import reflex as rx

from fluxkit import routes
from fluxkit.components.auth_form import auth_card, field, form_error, submit
from fluxkit.state.two_factor import CODE_FORM, SecondStepState

ROUTE = routes.TWO_FACTOR
TITLE = "Two-factor sign-in · FluxKit"
ON_LOAD = SecondStepState.open_second_step


def page() -> rx.Component:
    return auth_card(
        "Two-factor sign-in",
        rx.cond(
            SecondStepState.use_backup,
            rx.text("Enter one of your backup codes. Each works once.", color_scheme="gray", size="2"),
            rx.text("Enter the 6-digit code your authenticator app shows for FluxKit.", color_scheme="gray", size="2"),
        ),
        form_error(),
        rx.form(
            rx.vstack(
                rx.cond(
                    SecondStepState.use_backup,
                    field(
                        "Backup code",
                        "code",
                        id="two-factor-code",
                        autocomplete="off",
                        placeholder="xxxxx-xxxxx",
                        auto_focus=True,
                    ),
                    field(
                        "Authentication code",
                        "code",
                        id="two-factor-code",
                        autocomplete="one-time-code",
                        placeholder="123456",
                        input_mode="numeric",
                        max_length=7,
                        auto_focus=True,
                    ),
                ),
                rx.checkbox(
                    "Trust this device for 30 days",
                    checked=SecondStepState.trust_device,
                    on_change=SecondStepState.set_trust,
                    id="two-factor-trust",
                    name="trustDevice",
                    size="2",
                ),
                submit("Verify", id="two-factor-submit"),
                spacing="3",
                width="100%",
            ),
            id=CODE_FORM,
            on_submit=SecondStepState.verify,
            reset_on_submit=False,
            width="100%",
        ),
        rx.button(
            rx.cond(SecondStepState.use_backup, "Use a code from my app instead", "Use a backup code instead"),
            type="button",
            variant="ghost",
            size="2",
            on_click=SecondStepState.toggle_backup,
            id="two-factor-switch",
        ),
        rx.text(
            "Lost your phone and your codes? ",
            rx.link("Start again", href=routes.SIGN_IN, id="two-factor-restart", underline="always"),
            size="2",
            color_scheme="gray",
        ),
    )
