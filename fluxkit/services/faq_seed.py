"""The FAQs a new FluxKit installation starts with (inserted once, by migration 0007).

Answers are markdown and describe what this code base really does; admins edit them on /faqs
afterwards (the database is the only copy that counts once installed). Each entry is
(category, question, answer), in display order within its category.
"""

from __future__ import annotations

DEFAULT_FAQS: tuple[tuple[str, str, str], ...] = (
    # ---- accounts --------------------------------------------------------------------------
    (
        "accounts",
        "How do I create an account?",
        "Open **Sign up**, enter your name, email address and a password, and follow the link in "
        "the verification email. The link works for **2 hours**; you can sign in once the address "
        "is verified. If the email is already registered, that address gets a notice instead of a "
        "second account.",
    ),
    (
        "accounts",
        "I forgot my password. How do I get back in?",
        "Use **Forgot password?** on the sign-in page. We email a reset link that works once, for "
        "**1 hour**. Setting a new password signs out every session of the account, so anyone who "
        "knew the old one is out too.",
    ),
    (
        "accounts",
        "How do I change my name, email address or password?",
        "Go to **Settings**:\n\n"
        "- **Profile**: your name as other people see it (in mail, chat and calendar invitations), "
        'and your time zone, which decides what "today" and "due" mean for you.\n'
        "- **Email**: enter the new address and your password. We send a confirmation link to the "
        "new address (it works once, within 2 hours) and tell the old one; nothing changes until "
        "the link is followed.\n"
        "- **Password**: enter the current one and the new one twice. Changing it signs out every "
        "*other* session and emails you a notice.",
    ),
    (
        "accounts",
        "What are the rules for a password?",
        "Between **8 and 128 characters**, and not one of the 30,000 most common passwords. A long "
        "passphrase of a few unrelated words is easy to remember and hard to guess.",
    ),
    (
        "accounts",
        "How do I choose which notifications I get, and how?",
        "In **Settings → Notifications**, pick for each kind of notification (tasks completed or due, new mail, chat "
        "messages, calendar invitations, announcements) whether it shows **in the app**, arrives "
        "by **email at once**, or goes into a **daily digest** email. Quiet hours, in your time "
        "zone, hold emails back: what would be sent then waits for the digest.",
    ),
    (
        "accounts",
        "How do I delete my account?",
        "In **Settings → Delete account**, type your email address and your current password to confirm. Everything "
        "that belongs to the account is removed for good: sessions, tasks and their history, "
        "notifications, API keys, your copies of mail and your calendar entries. Cancel a paid "
        "subscription first, so you are not charged again; the last admin cannot delete their "
        "account. Want a copy first? Export your data (see *Data & privacy*).",
    ),
    # ---- security ----------------------------------------------------------------------------
    (
        "security",
        "How is my password stored?",
        "Only as an **argon2id** hash, never in plain text, so nobody (administrators included) can "
        "read it back. Sign-in takes the same time whether or not an account exists, so the form "
        "does not reveal who has an account.",
    ),
    (
        "security",
        "How long do I stay signed in, and how do I sign out other devices?",
        "A session lasts **7 days** and is renewed while you use it. **Settings → Sessions** lists "
        "every browser where your account is signed in, with its device and address; sign out any "
        "you do not recognise, or all of them but this one with **Sign out everywhere else**. Your session lives "
        "in an `HttpOnly` cookie that page scripts cannot "
        "read, and only a hash of it is stored on the server.",
    ),
    (
        "security",
        "Why was I asked to wait before trying again?",
        "Sign-in, sign-up and password-reset requests are rate limited: **5 per 15 minutes** from "
        "one address, **10 sign-in attempts per 15 minutes** per account and **3 reset emails an "
        "hour**. The message tells you how long to wait. This stops password guessing without "
        "locking you out for good.",
    ),
    (
        "security",
        "How do API keys work, and what if one leaks?",
        "A key (it starts with `fk_`) acts as you on the REST API under `/api/v1`. It is shown "
        "**once** when created and stored only as a hash. Revoke a key and it stops working at once. "
        "A key cannot create other keys: that needs your signed-in browser, so a leaked key cannot "
        "mint successors. Each key may make 120 requests a minute.",
    ),
    (
        "security",
        "Where can I see recent activity on my account?",
        "The **Dashboard** shows your recent security activity: sign-ins, failed attempts, password "
        "changes and sessions signed out. Anything you do not recognise? Change your password, "
        "which also signs out every other session.",
    ),
    # ---- billing -----------------------------------------------------------------------------
    (
        "billing",
        "What plans are there?",
        "| Plan | Price | Active tasks | CSV export |\n"
        "|---|---|---|---|\n"
        "| Free | $0 | 10 | No |\n"
        "| Basic | $19 a month | 100 | Yes |\n"
        "| Professional | $79 a month | 1,000 | Yes |\n"
        "| Enterprise | $199 a month | Unlimited | Yes |\n\n"
        "Completed and cancelled tasks never count. The **Pricing** page has the full comparison.",
    ),
    (
        "billing",
        "How does yearly billing work?",
        "You pay once a year, and a year costs the same as ten months: **two months are free**. You "
        "can switch between monthly and yearly in the billing portal (**Settings → Billing → "
        "Manage billing**).",
    ),
    (
        "billing",
        "Can I change or cancel my plan at any time?",
        "Yes. **Settings → Billing → Manage billing** opens Stripe's portal, where you switch plans "
        "or cancel. A switch is prorated; a cancelled plan stays active until the end of the period "
        "you paid for.",
    ),
    (
        "billing",
        "What happens to my tasks if I downgrade?",
        "Nothing is deleted. Over the Free plan's limits you can still open, edit, complete and "
        "delete everything you have; adding new active tasks and exporting CSV need a paid plan "
        "again.",
    ),
    (
        "billing",
        "What if a payment fails, and who handles my card?",
        "Stripe retries the charge over the following days and your plan stays in place meanwhile; "
        "a banner and a notification tell you, and you can update your card from **Manage "
        "billing**. Payments are processed by Stripe: FluxKit never sees or stores your card number. "
        "Every invoice is listed under **Settings → Billing**.",
    ),
    # ---- data --------------------------------------------------------------------------------
    (
        "data",
        "Where is my data stored?",
        "In this FluxKit installation's own database: a SQLite file by default, or PostgreSQL when "
        "the operator configures one. The database is the only copy that counts; a restart of the "
        "app loses nothing and signs nobody out.",
    ),
    (
        "data",
        "Can I export my tasks?",
        "Yes, on a paid plan (or whenever billing is switched off): **Export** on the Tasks page "
        "downloads every task of the current view (all pages, with its filters and search) as CSV. "
        "Cells that a spreadsheet would run as formulas are defused, reversibly, so re-importing "
        "the file restores exactly what was exported.",
    ),
    (
        "data",
        "How do I import tasks from a CSV file?",
        "**Import** on the Tasks page takes a UTF-8 CSV file (with or without a BOM) of up to 1 MB "
        "and 5,000 rows, with the same columns as an export. Every valid row becomes a task; the "
        "report lists each refused line and why. Your plan's limit on active tasks still applies.",
    ),
    (
        "data",
        "Who can see my tasks, mail and events?",
        "Only you see your tasks and notifications. A mail is seen by its sender and recipients, a "
        "chat by its members, and an event by its organizer and invitees. Every page and API call "
        "checks this on the server: another user's item is simply *not found*.",
    ),
    (
        "data",
        "Can I get a copy of everything FluxKit holds about me?",
        "Yes: **Settings → Your data → Download my data** gives you one JSON file with your profile and "
        "preferences, tasks with their history, notifications, API keys (names and dates, never "
        "the keys), sessions, your subscription, your mailbox, the chat messages you sent, your "
        "calendar events and your account's audit log. Scripts can fetch the same file from "
        "`GET /api/v1/me/export`. Nothing of anyone else's is in it.",
    ),
    (
        "data",
        "How are backups made?",
        "That is up to whoever runs this installation. FluxKit includes `fluxkit backup FILE`, a "
        "consistent copy of the SQLite database taken while the app runs; with PostgreSQL the "
        "operator uses `pg_dump`. Restoring also needs the same secret key, or every session and "
        "emailed link becomes invalid.",
    ),
    # ---- tasks -------------------------------------------------------------------------------
    (
        "tasks",
        "What do the task statuses mean, and which changes are allowed?",
        "A task is **pending**, **in progress**, **completed** or **cancelled**.\n\n"
        "- Pending and in-progress tasks can move to any other status.\n"
        "- A completed task can only be **reopened** (back to in progress).\n"
        "- A cancelled task can only be **restored** (back to pending).\n\n"
        "Every change is kept in the task's history, and completing a task sends you a "
        "notification.",
    ),
    (
        "tasks",
        "I deleted a task by mistake. Can I get it back?",
        "Yes, for **10 minutes**: click **Undo** in the banner that appears after deleting. After "
        "that the task is removed for good.",
    ),
    (
        "tasks",
        "Will I be reminded about due dates?",
        "Yes. You get a notification when an open task is due today or tomorrow, and another once it "
        'is overdue, each only once per task. "Today" follows your own timezone.',
    ),
    (
        "tasks",
        "How do I find tasks quickly?",
        "Search looks in titles and descriptions; filters narrow by status, priority, category and "
        "due date (overdue, today, this week), and the list sorts by title, status, priority, due "
        "date, created or updated. The view is kept in the address bar, so you can bookmark it. "
        "Press **Ctrl+K** (or **⌘K**) anywhere to search your tasks from the command palette.",
    ),
    (
        "tasks",
        "Can I format task descriptions?",
        "Yes, descriptions are **markdown**: headings, lists, links, `code`, tables and emphasis. "
        "Raw HTML is never run. A description can be up to 10,000 characters.",
    ),
    (
        "tasks",
        "Can I manage tasks from a script?",
        "Yes, with the REST API under `/api/v1`: list, create, change and delete tasks, read their "
        "history and your notifications. Authenticate with an API key "
        "(`Authorization: Bearer fk_...`). The interactive reference is at `/api/v1/docs`. Changes "
        "made through the API show up in your open tabs at once.",
    ),
    # ---- collaboration (mail, chat, calendar) ------------------------------------------------
    (
        "collaboration",
        "Who can I send mail to?",
        "**Mail** is internal: it goes between the accounts of this FluxKit installation, addressed "
        "by their email. A message can have up to 50 recipients (To and Cc). It arrives in their "
        "Inbox with a notification; yours goes to Sent. Replies stay together in one thread.",
    ),
    (
        "collaboration",
        "How do mail folders, drafts and the trash work?",
        "Every mailbox has **Inbox, Sent, Drafts, Archive and Trash**. Unsent messages are kept in "
        "Drafts. Moving a message to the trash is reversible; emptying the trash deletes those "
        "messages for good, from your mailbox only (the other people keep their copies).",
    ),
    (
        "collaboration",
        "Can I work on tasks with my team?",
        "Yes, in an **organization** (**Organizations** in the sidebar). Create one and invite "
        "people by email: an invitation works for 7 days and only for an account verified with "
        "that address. Members are an owner, admins and members. With an organization active "
        "(the switcher in the sidebar), the task dialog's **Assignee** lists its members: the "
        "assignee sees the task, gets a notification and can change its status; everything else "
        "stays with the task's owner.",
    ),
    (
        "collaboration",
        "What can I do in chat?",
        "Start a **direct** conversation with anyone on this installation, or a **group** of up to "
        "50 people that you can name and leave. Messages (up to 4,000 characters) arrive live; "
        "you see who is online, who is typing and who has read what. Pin or mute a conversation "
        "just for yourself.",
    ),
    (
        "collaboration",
        "How do calendar invitations work?",
        "When you create an event you can invite up to 50 people; each gets a notification and "
        "can **accept** or **decline**. Only the organizer can change or delete the event. Events "
        "can repeat daily, weekly or monthly, and times are shown in each person's own timezone.",
    ),
    (
        "collaboration",
        "Can I use my FluxKit calendar in another calendar app?",
        "Yes. Download any event as an `.ics` file, or create a private **feed URL** that calendar "
        "apps subscribe to; regenerating it stops the old URL at once. You can also import an "
        "`.ics` file (up to 1 MB): importing the same file twice adds nothing twice, and it never "
        "invites anyone.",
    ),
)


def default_rows() -> list[dict[str, object]]:
    """The default FAQs as column values, numbered within each category."""
    numbers: dict[str, int] = {}
    rows = []
    for category, question, answer in DEFAULT_FAQS:
        numbers[category] = numbers.get(category, 0) + 1
        rows.append({"category": category, "question": question, "answer": answer, "position": numbers[category]})
    return rows
