"""Dashboard: stat cards, the created-vs-completed chart, recent tasks, upcoming events and the
onboarding checklist, all from the dashboard service for the user of the session.

Every handler re-derives the user from the session; the only thing the browser chooses is the
chart's range, which the service checks (7, 30 or 90 days).
"""

from __future__ import annotations

import reflex as rx

from fluxkit.services import dashboard as dashboard_service
from fluxkit.services import profile
from fluxkit.services.dashboard import DayPoint, RecentTask, Step, UpcomingEvent
from fluxkit.services.dto import Identity
from fluxkit.state.paged_list import ReloadMixin
from fluxkit.state.session import SignedInState, service_call

RANGE_CHOICES = [str(days) for days in dashboard_service.RANGES]
ACTIVITY_ITEMS = 5


class DashboardState(ReloadMixin, SignedInState):
    name: str = ""
    email: str = ""
    email_verified: bool = False
    active_sessions: int = 0
    activity: list[profile.Activity] = []  # recent security activity (the audit log)
    range_days: str = str(dashboard_service.DEFAULT_RANGE)
    # stat cards
    tasks_total: int = 0
    tasks_pending: int = 0
    tasks_in_progress: int = 0
    completion_rate: int = 0
    events_next_7_days: int = 0
    unread_mail: int = 0
    unread_notifications: int = 0
    # the chart and the lists
    chart: list[DayPoint] = []
    recent_tasks: list[RecentTask] = []
    upcoming_events: list[UpcomingEvent] = []
    has_tasks: bool = False
    timezone: str = "UTC"
    # onboarding
    steps: list[Step] = []
    steps_done: int = 0
    show_checklist: bool = False

    @rx.var
    def chart_created(self) -> int:
        return sum(p.created for p in self.chart)

    @rx.var
    def chart_completed(self) -> int:
        return sum(p.completed for p in self.chart)

    def _reload(self, me: Identity) -> rx.event.EventSpec | None:
        self._reading()
        with service_call() as call:
            data = dashboard_service.summary(call.db, me.user.id, self.range_days)
            account = profile.overview(call.db, me, limit=ACTIVITY_ITEMS)
        if call.refused:
            return call.toast
        self.name, self.email, self.email_verified = account.name, account.email, account.email_verified
        self.active_sessions, self.activity = account.active_sessions, account.activity
        s = data.stats
        self.tasks_total, self.tasks_pending, self.tasks_in_progress = (
            s.tasks_total,
            s.tasks_pending,
            s.tasks_in_progress,
        )
        self.completion_rate, self.events_next_7_days = s.completion_rate, s.events_next_7_days
        self.unread_mail, self.unread_notifications = s.unread_mail, s.unread_notifications
        self.chart = data.chart
        self.recent_tasks = data.recent_tasks
        self.upcoming_events = data.upcoming_events
        self.has_tasks = data.has_tasks
        self.timezone = data.timezone
        self.steps = data.onboarding.steps
        self.steps_done = data.onboarding.done
        self.show_checklist = data.onboarding.visible
        self.loaded = True
        return None

    @rx.event
    def load(self):
        """on_load: everything on the page, for the range chosen last in this tab."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        return self._reload(me)

    @rx.event
    def set_range(self, value: str):
        """The chart's segmented control: 7, 30 or 90 days."""
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        with service_call() as call:
            days = dashboard_service.clean_range(value)
            self.chart = dashboard_service.chart(call.db, me.user.id, days)
        if call.refused:
            return call.toast
        self.range_days = str(days)
        return None

    @rx.event
    def dismiss_checklist(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        return self._change(me, dashboard_service.dismiss_checklist, "Checklist hidden.")

    @rx.event
    def skip_plan_step(self):
        me = self._current_identity()
        if me is None:
            return self._to_sign_in()
        return self._change(
            me, dashboard_service.skip_plan_step, "You stay on the Free plan. Upgrade any time on Pricing."
        )

    def _change(self, me: Identity, action, message: str):
        with service_call() as call:
            action(call.db, me.user.id)
        if call.refused:
            return call.toast
        self._reload(me)
        return rx.toast.success(message)
