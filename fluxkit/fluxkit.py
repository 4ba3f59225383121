"""The Reflex app: pages, the API in front, and the gates around both."""

import reflex as rx

from fluxkit import jobs, logs
from fluxkit.api.app import OUTER_LAYERS, create_api
from fluxkit.pages import dashboard, forgot_password, reset_password, settings, sign_in, sign_up, verify_email
from fluxkit.pages import billing_cancel, billing_success, pricing
from fluxkit.pages import calendar as calendar_page
from fluxkit.pages import chat as chat_page
from fluxkit.pages import faqs as faqs_page
from fluxkit.pages import mail as mail_page
from fluxkit.pages import invite as invite_page
from fluxkit.pages import notifications as notifications_page
from fluxkit.pages import organizations as organizations_page
from fluxkit.pages import tasks as tasks_page
from fluxkit.pages import users as users_page
from fluxkit.state import live
from fluxkit.state.api_keys import ApiKeysState
from fluxkit.state.auth import AliasState
from fluxkit.state.chat import ChatBadgeState, ChatState
from fluxkit.state.dashboard import DashboardState
from fluxkit.state.faqs import FaqsState
from fluxkit.state.palette import after_load as palette_after_load
from fluxkit.state.billing import TOPIC as BILLING_TOPIC, BillingBannerState, BillingState, PricingState
from fluxkit.state.calendar import CalendarState
from fluxkit.state.mail import MailBadgeState, MailState
from fluxkit.state.notifications import BellState, NotificationsState
from fluxkit.state.organizations import OrganizationsState, OrgSwitcherState
from fluxkit.state.tasks import TasksState
from fluxkit.state.users import UsersState
from fluxkit.state.session import SessionGate
from fluxkit.state.settings import AppearanceState, SettingsState
from fluxkit.state.shell import ShellState

logs.configure()

app = rx.App(
    head_components=[rx.el.script(src="/fluxkit.js")],
    # Outermost last: RequestLog -> OriginGuard -> EdgeGate -> FastAPI routes -> Reflex.
    api_transformer=[create_api(), *OUTER_LAYERS],
)
# Before Reflex's own hydrate middleware, so a tab's previous owner's data never reaches it.
app.add_middleware(SessionGate(), index=0)
app.register_lifespan_task(live.relay)
app.register_lifespan_task(jobs.scheduler)

for module in (sign_in, sign_up, forgot_password, reset_password, verify_email):
    app.add_page(module.page, route=module.ROUTE, title=module.TITLE, on_load=module.ON_LOAD)

for module in (dashboard, settings, pricing, billing_success, billing_cancel, tasks_page, notifications_page, chat_page):
    app.add_page(module.page, route=module.ROUTE, title=module.TITLE, on_load=[ShellState.load, module.ON_LOAD, *palette_after_load(module.ROUTE)])

app.add_page(users_page.page, route=users_page.ROUTE, title=users_page.TITLE, on_load=[ShellState.load, users_page.ON_LOAD])

# A webhook changed the user's plan: every open tab of theirs shows it without a reload.
live.on_change(BILLING_TOPIC, PricingState.refresh, BillingState.refresh, BillingBannerState.load)
# Tasks or notifications changed (another tab, the API, a job): rows, stat cards, bell.
live.on_change("tasks", TasksState.refresh)
live.on_change("notifications", BellState.refresh, NotificationsState.refresh)
# Dashboard: its stat cards, chart, lists and checklist follow every change they show
# (tasks, notifications, mail, calendar, plan, organizations, email verified, a dismissal).
live.on_change("tasks", DashboardState.refresh)
live.on_change("notifications", DashboardState.refresh)
live.on_change("mail", DashboardState.refresh)
live.on_change("calendar", DashboardState.refresh)
live.on_change(BILLING_TOPIC, DashboardState.refresh)
live.on_change("organizations", DashboardState.refresh)
live.on_change("account", DashboardState.refresh)
live.on_change("dashboard", DashboardState.refresh)
# API keys created or revoked in another tab or through the REST API (Settings).
live.on_change("api_keys", ApiKeysState.refresh)
# An admin changed users (every admin's list), or this user's own role or status: the shell
# re-checks who they are (a suspended or deleted user's tab finds no session: sign-in).
live.on_change("users", UsersState.refresh)
live.on_change("account", ShellState.load)
# Settings: appearance, picture or profile changed on another device or through the API.
live.on_change("preferences", AppearanceState.load, SettingsState.refresh)
live.on_change("profile", AppearanceState.load, SettingsState.refresh)
# A message, receipt, typing or group change in one of the user's conversations.
live.on_change("chat", ChatState.refresh, ChatBadgeState.refresh)

# Mail: a message arrived, or the mailbox changed in another tab or through the API.
app.add_page(mail_page.page, route=mail_page.ROUTE, title=mail_page.TITLE, on_load=[ShellState.load, mail_page.ON_LOAD])
live.on_change("mail", MailState.refresh, MailBadgeState.refresh)

# FAQs: global, so an admin's change is announced to every signed-in tab (live.touch_all).
app.add_page(faqs_page.page, route=faqs_page.ROUTE, title=faqs_page.TITLE, on_load=[ShellState.load, faqs_page.ON_LOAD])
live.on_change("faqs", FaqsState.refresh)
# A role change (users admin) shows or hides the admin controls on an open FAQs page.
live.on_change("account", FaqsState.refresh)

# Calendar: an event or an answer changed for this user (theirs, or one they are invited to).
app.add_page(calendar_page.page, route=calendar_page.ROUTE, title=calendar_page.TITLE, on_load=[ShellState.load, calendar_page.ON_LOAD])
live.on_change("calendar", CalendarState.refresh)

# Organizations: members, roles or invitations changed (the page and the sidebar switcher).
app.add_page(organizations_page.page, route=organizations_page.ROUTE, title=organizations_page.TITLE, on_load=[ShellState.load, organizations_page.ON_LOAD])
app.add_page(invite_page.page, route=invite_page.ROUTE, title=invite_page.TITLE, on_load=[ShellState.load, invite_page.ON_LOAD])
live.on_change("organizations", OrganizationsState.refresh, OrgSwitcherState.refresh)


def _redirecting() -> rx.Component:
    return rx.center(rx.spinner(), min_height="100vh")


app.add_page(_redirecting, route="/", title="FluxKit", on_load=AliasState.to_dashboard)
app.add_page(_redirecting, route="/login", title="FluxKit", on_load=AliasState.to_sign_in)
app.add_page(_redirecting, route="/register", title="FluxKit", on_load=AliasState.to_sign_up)
