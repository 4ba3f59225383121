"""The Reflex app: pages, the API in front, and the gates around both."""

import reflex as rx

from fluxkit import jobs, logs, routes, serving
from fluxkit.api.app import create_api, outer_layers
from fluxkit.components import first_paint
from fluxkit.components.error_pages import not_found_page, reconnecting_banner
from fluxkit.pages import (
    billing_cancel,
    billing_success,
    dashboard,
    forgot_password,
    landing,
    pricing,
    reset_password,
    settings,
    sign_in,
    sign_up,
    two_factor,
    verify_email,
)
from fluxkit.pages import calendar as calendar_page
from fluxkit.pages import chat as chat_page
from fluxkit.pages import faqs as faqs_page
from fluxkit.pages import invite as invite_page
from fluxkit.pages import mail as mail_page
from fluxkit.pages import notifications as notifications_page
from fluxkit.pages import organizations as organizations_page
from fluxkit.pages import tasks as tasks_page
from fluxkit.pages import users as users_page
from fluxkit.services import topics
from fluxkit.state import errors, live
from fluxkit.state import shell as shell_state
from fluxkit.state.api_keys import ApiKeysState
from fluxkit.state.auth import AliasState
from fluxkit.state.billing import BillingBannerState, BillingState, PricingState
from fluxkit.state.calendar.page import CalendarState
from fluxkit.state.chat import ChatBadgeState, ChatState
from fluxkit.state.dashboard import DashboardState
from fluxkit.state.event_args import EventArgsGate
from fluxkit.state.faqs import FaqsState
from fluxkit.state.landing import VisitorState
from fluxkit.state.mail import MailBadgeState, MailState
from fluxkit.state.notifications import BellState, NotificationsState
from fluxkit.state.organizations import OrganizationsState, OrgSwitcherState
from fluxkit.state.palette import after_load as palette_after_load
from fluxkit.state.passkeys import PasskeysState
from fluxkit.state.session import SessionGate
from fluxkit.state.settings import AppearanceState, SettingsState
from fluxkit.state.shell import ShellState
from fluxkit.state.tasks.page import TasksState
from fluxkit.state.two_factor import TwoFactorSettingsState
from fluxkit.state.users import UsersState

logs.configure()

# Every signed-in page. The edge gate protects exactly their routes (and the paths below
# them): registering a page here is what makes it need a session. Each loads the shell first
# (who is signed in, the bell, badges), then the page.
SIGNED_IN_PAGES = (
    dashboard,
    tasks_page,
    mail_page,
    chat_page,
    calendar_page,
    notifications_page,
    organizations_page,
    invite_page,
    users_page,
    faqs_page,
    pricing,
    billing_success,
    billing_cancel,
    settings,
)
SIGNED_IN_ROUTES = tuple(module.ROUTE for module in SIGNED_IN_PAGES)

app = rx.App(
    # The first-paint hints first: they run before anything is drawn.
    head_components=[
        *first_paint.head_components(),
        rx.el.script(src="/fluxkit.js", defer=True),
        rx.el.script(src="/passkeys.js", defer=True),
    ],
    # A failed handler: a plain message with a reference that the log carries too.
    backend_exception_handler=errors.backend_exception_handler,
    # While the websocket is down, on every page: "Reconnecting…".
    extra_app_wraps={(3, "Reconnecting"): lambda stateful: reconnecting_banner() if stateful else None},
    # Outermost last: RequestLog -> OriginGuard -> EdgeGate -> FastAPI routes -> PagePaths -> Reflex.
    api_transformer=[serving.PagePaths, create_api(), *outer_layers(SIGNED_IN_ROUTES)],
)
# Before Reflex's own hydrate middleware, so a tab's previous owner's data never reaches it.
app.add_middleware(SessionGate(), index=0)
# Then the arguments: an event whose payload does not fit its handler is refused unrun.
app.add_middleware(EventArgsGate(), index=1)
app.register_lifespan_task(live.relay, receiver=ShellState.live)
app.register_lifespan_task(jobs.scheduler)
app.register_lifespan_task(serving.worker_heartbeat)  # tabs of a dead worker keep their state

for module in (sign_in, sign_up, forgot_password, reset_password, verify_email, two_factor):
    app.add_page(module.page, route=module.ROUTE, title=module.TITLE, on_load=module.ON_LOAD)

# What the shell shows beside every signed-in page; read with the page's own data in one event.
shell_state.register_shell(
    AppearanceState.load,
    OrgSwitcherState.refresh,
    BellState.refresh,
    MailBadgeState.refresh,
    ChatBadgeState.arrive,  # the tab's first presence heartbeat and the Chat badge's count
    BillingBannerState.load,
)
for module in SIGNED_IN_PAGES:
    shell_state.register_page(module.ROUTE, module.ON_LOAD, *palette_after_load(module.ROUTE))
    app.add_page(module.page, route=module.ROUTE, title=module.TITLE, on_load=ShellState.open_page(module.ROUTE))

# The settings sub-pages (/settings/profile, ...): signed-in pages below /settings.
for route, title, sub_page in settings.SUB_PAGES:
    shell_state.register_page(route, settings.SUB_PAGE_ON_LOAD, *settings.SUB_PAGE_EXTRA_LOADS.get(route, ()))
    app.add_page(sub_page, route=route, title=title, on_load=ShellState.open_page(route))

# Live updates: when a service announces a topic for a user (fluxkit/services/live.py), every
# open tab of that user runs these handlers; each re-reads what it shows through the gated path.
LIVE_HANDLERS = {
    # Tasks changed (another tab, the REST API, an assignment, a job): rows and stat cards,
    # and the calendar, which shows the tasks due in its range.
    topics.TASKS: (TasksState.refresh, CalendarState.refresh, DashboardState.refresh),
    topics.NOTIFICATIONS: (BellState.refresh, NotificationsState.refresh, DashboardState.refresh),
    topics.MAIL: (MailState.refresh, MailBadgeState.refresh, DashboardState.refresh),
    # A message, receipt, typing or group change in one of the user's conversations.
    topics.CHAT: (ChatState.refresh, ChatBadgeState.refresh),
    # An event or an answer changed (theirs, or one they are invited to).
    topics.CALENDAR: (CalendarState.refresh, DashboardState.refresh),
    # A webhook changed the plan: pricing, the billing section, the past-due banner.
    topics.BILLING: (PricingState.refresh, BillingState.refresh, BillingBannerState.load, DashboardState.refresh),
    topics.ORGANIZATIONS: (OrganizationsState.refresh, OrgSwitcherState.refresh, DashboardState.refresh),
    # This user's own role or status changed (users admin): the shell re-checks who they are
    # (a suspended or deleted user's tab finds no session: sign-in); admin controls follow.
    topics.ACCOUNT: (
        ShellState.load,
        FaqsState.refresh,
        DashboardState.refresh,
        TwoFactorSettingsState.refresh,
        OrgSwitcherState.refresh,  # two-factor turned on or off: an organization may open or close
    ),
    topics.USERS: (UsersState.refresh,),  # every admin's list
    topics.FAQS: (FaqsState.refresh,),  # global: announced to every signed-in tab (live.touch_all)
    topics.API_KEYS: (ApiKeysState.refresh,),
    topics.PASSKEYS: (PasskeysState.refresh,),  # added, renamed, removed or used elsewhere
    # Appearance, picture or profile changed on another device or through the API.
    topics.PREFERENCES: (AppearanceState.load, SettingsState.refresh),
    topics.PROFILE: (AppearanceState.load, SettingsState.refresh),
    topics.DASHBOARD: (DashboardState.refresh,),  # a checklist step dismissed
}
for topic, handlers in LIVE_HANDLERS.items():
    live.on_change(topic, *handlers)
# States that are on screen on their own page only: a tab showing another page does not
# re-read them on a change (their page's on_load reads them when the tab returns).
for module, state in (
    (tasks_page, TasksState),
    (calendar_page, CalendarState),
    (dashboard, DashboardState),
    (mail_page, MailState),
    (chat_page, ChatState),
    (notifications_page, NotificationsState),
    (users_page, UsersState),
    (faqs_page, FaqsState),
):
    live.shown_only_on(module.ROUTE, state)


def _redirecting() -> rx.Component:
    return rx.center(rx.spinner(), min_height="100vh")


# The public front door: what FluxKit is, for anyone; "Open dashboard" for the signed in.
app.add_page(landing.page, route=landing.ROUTE, title=landing.TITLE, on_load=landing.ON_LOAD)
# Any address that is no page: the product's 404, with the ways back.
app.add_page(not_found_page, route="404", title="Page not found · FluxKit", on_load=VisitorState.check)
app.add_page(_redirecting, route=routes.LOGIN, title="FluxKit", on_load=AliasState.to_sign_in)
app.add_page(_redirecting, route=routes.REGISTER, title="FluxKit", on_load=AliasState.to_sign_up)
