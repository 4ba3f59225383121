"""The signed-in app shell: sidebar, header with user menu and theme, phone menu."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx
from reflex.style import set_color_mode

from fluxkit import routes
from fluxkit.components import first_paint
from fluxkit.components.bell import bell
from fluxkit.components.billing import past_due_banner
from fluxkit.components.brand import brand_link
from fluxkit.components.chat_badge import chat_heartbeat, chat_nav_badge
from fluxkit.components.mail_badge import mail_nav_badge
from fluxkit.components.org_switcher import sidebar_org_switcher, two_factor_notice
from fluxkit.components.palette import palette, palette_button
from fluxkit.components.theme import theme_menu
from fluxkit.navigation import ADMIN_ONLY, NAV_ITEMS
from fluxkit.routes import DASHBOARD, SETTINGS
from fluxkit.services.preferences import THEMES
from fluxkit.state.settings import APPLY_THEME_ID, AppearanceState
from fluxkit.state.shell import ShellState

# A live count beside a nav item (href -> component).
NAV_BADGES: dict[str, Callable[[], rx.Component]] = {routes.CHAT: chat_nav_badge, routes.MAIL: mail_nav_badge}


def brand() -> rx.Component:
    return brand_link(DASHBOARD, heading=True)


def nav_link(label: str, href: str, icon: str) -> rx.Component:
    active = ShellState.router.url.path.startswith(href)
    return rx.link(
        rx.hstack(
            rx.icon(icon, size=18),
            rx.text(label, size="3"),
            *([rx.spacer(), NAV_BADGES[href]()] if href in NAV_BADGES else []),
            align="center",
            spacing="3",
            width="100%",
        ),
        href=href,
        id=f"nav-{label.lower()}",
        underline="none",
        padding="8px 12px",
        border_radius="8px",
        width="100%",
        color=rx.cond(active, rx.color("accent", 11), rx.color("gray", 11)),
        bg=rx.cond(active, rx.color("accent", 3), "transparent"),
        _hover={"bg": rx.color("gray", 3), "color": rx.color("gray", 12)},
    )


def _nav_item(label: str, href: str, icon: str) -> rx.Component:
    link = nav_link(label, href, icon)
    if href not in ADMIN_ONLY:
        return link
    # Before the shell's state arrives, the first-paint hint says whether to show it.
    hinted = rx.box(nav_link(label, href, icon), class_name=first_paint.ADMIN_HINT, width="100%")
    return rx.cond(ShellState.is_admin, link, rx.cond(ShellState.loaded, rx.fragment(), hinted))


def nav_list() -> rx.Component:
    return rx.vstack(*[_nav_item(*item) for item in NAV_ITEMS], spacing="1", width="100%")


def sidebar() -> rx.Component:
    return rx.vstack(
        brand(),
        sidebar_org_switcher(),
        rx.divider(),
        nav_list(),
        width="240px",
        min_width="240px",
        height="100vh",
        position="sticky",
        top="0",
        padding="20px 12px",
        spacing="4",
        border_right=f"1px solid {rx.color('gray', 5)}",
        bg=rx.color("gray", 2),
        display=["none", "none", "flex"],
    )


def phone_menu() -> rx.Component:
    """The sidebar as a sheet from the left on a phone. A Radix dialog (the palette's, already on
    every signed-in page), not rx.drawer: that loaded the vaul library on every page for it."""
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.icon_button(rx.icon("menu", size=20), variant="ghost", aria_label="Menu", id="phone-menu")
        ),
        rx.dialog.content(
            rx.dialog.title(
                "Menu", position="absolute", width="1px", height="1px", overflow="hidden", clip="rect(0 0 0 0)"
            ),
            rx.vstack(
                rx.hstack(
                    brand(),
                    rx.spacer(),
                    rx.dialog.close(rx.icon_button(rx.icon("x", size=18), variant="ghost", aria_label="Close menu")),
                    width="100%",
                    align="center",
                ),
                sidebar_org_switcher(),
                rx.divider(),
                rx.dialog.close(nav_list()),
                spacing="4",
            ),
            position="fixed",
            top="0",
            left="0",
            width="260px",
            max_width="85vw",
            height="100%",
            max_height="100vh",
            margin="0",
            padding="20px 12px",
            border_radius="0",
            bg=rx.color("gray", 2),
            id="phone-menu-sheet",
        ),
    )


def user_menu() -> rx.Component:
    return rx.dropdown_menu.root(
        rx.dropdown_menu.trigger(
            rx.button(
                rx.avatar(
                    src=AppearanceState.avatar_url,
                    fallback=ShellState.user_name[:1].upper(),
                    size="2",
                    radius="full",
                    id="user-menu-avatar",
                    aria_hidden="true",  # decorative: the name beside it says who this is
                ),
                # Shown from desktop widths; below, visually hidden but still the button's name.
                rx.text(
                    ShellState.user_name,
                    size="2",
                    position=["absolute", "absolute", "static"],
                    width=["1px", "1px", "auto"],
                    height=["1px", "1px", "auto"],
                    overflow=["hidden", "hidden", "visible"],
                    clip_path=["inset(50%)", "inset(50%)", "none"],
                    white_space="nowrap",
                ),
                rx.icon("chevron-down", size=14),
                variant="ghost",
                id="user-menu",
                # Named by its content, the user's name (a label beside it failed axe's
                # label-content-name-mismatch); aria-haspopup tells it opens a menu.
            )
        ),
        rx.dropdown_menu.content(
            rx.box(
                rx.text(ShellState.user_name, weight="bold", size="2", id="user-menu-name"),
                rx.text(ShellState.user_email, size="1", color_scheme="gray", id="user-menu-email"),
                padding="6px 8px",
            ),
            rx.dropdown_menu.separator(),
            rx.dropdown_menu.item(
                rx.hstack(rx.icon("settings", size=14), rx.text("Settings"), align="center"),
                on_click=rx.redirect(SETTINGS),
                id="user-menu-settings",
            ),
            rx.dropdown_menu.item(
                rx.hstack(rx.icon("log-out", size=14), rx.text("Sign out"), align="center"),
                on_click=ShellState.sign_out,
                color="red",
                id="sign-out",
            ),
            align="end",
        ),
    )


def header(title: str) -> rx.Component:
    return rx.hstack(
        rx.box(phone_menu(), display=["block", "block", "none"]),
        rx.heading(
            title,
            size="5",
            id="page-title",
            min_width="0",
            overflow="hidden",
            text_overflow="ellipsis",
            white_space="nowrap",
        ),
        rx.spacer(),
        palette_button(),
        bell(),
        theme_menu(on_choose=AppearanceState.choose_theme),
        user_menu(),
        align="center",
        width="100%",
        padding="12px 20px",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        position="sticky",
        top="0",
        bg=rx.color("gray", 1),
        z_index="10",
    )


def appearance(page: rx.Component) -> rx.Component:
    """The user's saved theme, accent and density, read on every page (ShellState.open_page)
    and applied here; the first-paint hints (components/first_paint.py) stand in until then.

    The colour mode lives in the browser (Reflex's ThemeProvider, reachable only from the
    page): AppearanceState presses one of these hidden buttons to apply the saved theme.
    """
    return rx.theme(
        *[
            rx.el.button(
                on_click=set_color_mode(mode),
                id=f"{APPLY_THEME_ID}-{mode}",
                type="button",
                tab_index=-1,
                aria_hidden="true",
                style={"display": "none"},
            )
            for mode in THEMES
        ],
        page,
        accent_color=AppearanceState.accent,
        scaling=rx.cond(AppearanceState.density == "compact", "90%", "100%"),
        has_background=False,
        data_density=AppearanceState.density,
        # "pending" until the saved appearance is read: the first-paint accent applies meanwhile.
        data_appearance=rx.cond(AppearanceState.theme == "", "pending", "ready"),
        data_accent=AppearanceState.accent,
    )


def page_skeleton() -> rx.Component:
    """A page's shape while its data is on the way: never zeros or an empty state."""
    return rx.vstack(
        rx.skeleton(rx.box(height="36px"), loading=True, width="40%"),
        rx.skeleton(rx.box(height="72px"), loading=True, width="100%"),
        *[rx.skeleton(rx.box(height="44px"), loading=True, width="100%") for _ in range(5)],
        spacing="3",
        width="100%",
        id="page-loading",
        aria_busy="true",
    )


def shell(
    title: str, content: Callable[[], rx.Component], loaded: rx.Var[bool] | None = None
) -> Callable[[], rx.Component]:
    """Wrap a page's content in the signed-in layout.

    `loaded`: the page state's flag that its data has arrived; until then the content is a
    skeleton (a page that has its own, as the dashboard, leaves it out).
    """

    def body() -> rx.Component:
        return content() if loaded is None else rx.cond(loaded, content(), page_skeleton())

    def page() -> rx.Component:
        return appearance(
            rx.hstack(
                sidebar(),
                rx.box(
                    header(title),
                    palette(),  # Ctrl/⌘-K
                    chat_heartbeat(),
                    # The page's one main landmark (the sidebar and header are outside it).
                    rx.el.main(
                        past_due_banner(),
                        two_factor_notice(),
                        body(),
                        style={"maxWidth": "1100px", "width": "100%"},
                        padding=["16px", "20px", "28px"],
                    ),
                    flex="1",
                    min_width="0",
                ),
                spacing="0",
                align="start",
                width="100%",
                min_height="100vh",
            )
        )

    page.__name__ = content.__name__
    # Reflex compiles a page's memoized parts into one JS module per Python module that defined
    # the page function (.web/app_components/<module>.jsx), and every page imports its module.
    # Defined here, every signed-in page would share one module holding all of them, so /tasks
    # would load the chart, markdown and drawer libraries of the other pages: the page's own.
    page.__module__ = content.__module__
    page.__qualname__ = content.__qualname__
    return page
