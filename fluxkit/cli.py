"""The `fluxkit` command: migrate the database, create users, seed the demo account.

    fluxkit migrate                                   apply alembic/versions up to head
    printf '%s\\n' "$PW" | fluxkit create-user --email a@b.c --name "A B" --password-stdin [--admin]
    fluxkit seed                                      the demo account, created once
    fluxkit make-admin EMAIL                          give an existing account the admin role
    fluxkit backup FILE                               a consistent copy of the SQLite database
    fluxkit billing setup                             Stripe products and prices; prints the settings
    fluxkit build [--port 8080] [--no-prerender]      build the production frontend once (.web/build)
    fluxkit serve [--host H] [--port P] [--workers N] serve that build and the backend on one port

Every command works on the database from fluxkit/settings.py (DATABASE_URL, default the
SQLite file under FLUXKIT_DATA_DIR). Problems a user can fix end with a one-line message on
stderr and exit code 1, never a traceback.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from fluxkit import routes

DEMO_EMAIL = "demo@fluxkit.dev"
DEMO_NAME = "Demo User"
DEMO_PASSWORD = "fluxkit-demo-2026"

CLI_META_AGENT = "fluxkit-cli"


class CommandFailed(Exception):
    """A problem the user can fix; its message is printed without a traceback."""


# ---- helpers -------------------------------------------------------------------------------


def _database_label() -> str:
    from fluxkit.settings import get_settings

    return make_url(get_settings().database_url).render_as_string(hide_password=True)


def _alembic_ini() -> Path:
    """alembic.ini in the current directory, else the one in the checkout FluxKit runs from."""
    for candidate in (Path.cwd() / "alembic.ini", Path(__file__).resolve().parent.parent / "alembic.ini"):
        if candidate.is_file() and (candidate.parent / "alembic" / "env.py").is_file():
            return candidate
    raise CommandFailed("alembic.ini not found: run this from the FluxKit project folder.")


def _meta():
    from fluxkit.services.audit import RequestMeta

    return RequestMeta(ip="", user_agent=CLI_META_AGENT)


def _database_problem(exc: sa.exc.SQLAlchemyError) -> CommandFailed:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    if "no such table" in text or ("relation" in text and "does not exist" in text):
        return CommandFailed(
            f"the database at {_database_label()} has no FluxKit tables yet: run `fluxkit migrate` first."
        )
    return CommandFailed(f"database error at {_database_label()}: {text}")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    if not sys.stdin.isatty():
        raise CommandFailed("give the password on standard input with --password-stdin.")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise CommandFailed("the two passwords differ.")
    return first


# ---- commands ------------------------------------------------------------------------------


def cmd_migrate(args: argparse.Namespace) -> None:
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    from alembic import command
    from fluxkit.settings import get_settings

    config = Config(str(_alembic_ini()))
    config.attributes["configure_logger"] = False
    url = get_settings().database_url
    head = ScriptDirectory.from_config(config).get_current_head()

    def current() -> str | None:
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as connection:
                return MigrationContext.configure(connection).get_current_revision()
        finally:
            engine.dispose()

    try:
        before = current()
        if before == head and args.revision in ("head", head):
            print(f"{_database_label()} is up to date (revision {head}).")
            return
        command.upgrade(config, args.revision)
        after = current()
    except CommandError as exc:
        raise CommandFailed(str(exc)) from None
    except sa.exc.SQLAlchemyError as exc:
        raise _database_problem(exc) from None
    print(f"Migrated {_database_label()} from {before or 'an empty database'} to revision {after}.")


def cmd_create_user(args: argparse.Namespace) -> None:
    from fluxkit.db import session_scope
    from fluxkit.services import accounts
    from fluxkit.services.errors import InvalidInput

    password = _read_password(args.password_stdin)
    new = accounts.NewUser(email=args.email, name=args.name, password=password, admin=args.admin)
    try:
        with session_scope() as db:
            user = accounts.create_verified_user(db, new, _meta())
    except InvalidInput as exc:
        raise CommandFailed(exc.message) from None
    except sa.exc.IntegrityError:
        raise CommandFailed("An account with this email already exists.") from None
    except sa.exc.SQLAlchemyError as exc:
        raise _database_problem(exc) from None
    kind = "admin" if user.is_admin else "user"
    print(f"Created {kind} {user.email} ({user.name}); they can sign in now.")


def cmd_seed(args: argparse.Namespace) -> None:
    from fluxkit.db import session_scope
    from fluxkit.services import accounts, passwords
    from fluxkit.settings import get_settings

    new = accounts.NewUser(email=DEMO_EMAIL, name=DEMO_NAME, password=DEMO_PASSWORD, admin=True)
    try:
        with session_scope() as db:
            existing = accounts.user_by_email(db, DEMO_EMAIL)
            if existing is None:
                accounts.create_verified_user(db, new, _meta())
                status = "Created the demo account"
            else:
                matches, _ = passwords.verify_password(DEMO_PASSWORD, existing.password_hash)
                status = "The demo account already exists" if matches else None
    except sa.exc.IntegrityError:
        status = "The demo account already exists"  # created by a concurrent seed
    except sa.exc.SQLAlchemyError as exc:
        raise _database_problem(exc) from None

    if status is None:
        print(
            f"The demo account {DEMO_EMAIL} exists, but its password was changed since seeding; it was left as it is."
        )
        return
    print(f"{status}. Sign in at {get_settings().url(routes.SIGN_IN)} with:")
    print(f"  email:    {DEMO_EMAIL}")
    print(f"  password: {DEMO_PASSWORD}")


def cmd_make_admin(args: argparse.Namespace) -> None:
    from fluxkit.db import session_scope
    from fluxkit.services import users_admin
    from fluxkit.services.errors import InvalidInput

    try:
        with session_scope() as db:
            user = users_admin.make_admin(db, args.email, _meta())
    except InvalidInput as exc:
        raise CommandFailed(exc.message) from None
    except sa.exc.SQLAlchemyError as exc:
        raise _database_problem(exc) from None
    print(f"{user.email} ({user.name}) is an admin: they see Users in the sidebar after their next page load.")


def cmd_billing_setup(args: argparse.Namespace) -> None:
    import stripe

    from fluxkit.services import billing, plans
    from fluxkit.services.billing import catalog as billing_catalog
    from fluxkit.services.billing import webhooks as billing_webhooks
    from fluxkit.settings import get_settings, price_env_name

    settings = get_settings()
    key = settings.stripe.secret_key
    if not key:
        raise CommandFailed("set STRIPE_SECRET_KEY to your Stripe test-mode secret key (sk_test_...) first.")
    if not key.startswith(("sk_test_", "rk_test_")):
        raise CommandFailed(
            "STRIPE_SECRET_KEY is not a test-mode key (sk_test_...): this command only sets up a Stripe test account."
        )
    try:
        result = billing_catalog.ensure_catalog(billing.stripe_client())
    except stripe.AuthenticationError:
        raise CommandFailed("Stripe refused STRIPE_SECRET_KEY: check that it is a valid secret key.") from None
    except stripe.StripeError as exc:
        raise CommandFailed(f"Stripe answered with an error: {exc.user_message or exc}") from None
    for line in result.created:
        print(f"# created {line}")
    for line in result.reused:
        print(f"# already there: {line}")
    webhook = settings.url("/api/billing/webhook")
    print("#")
    print("# Add these settings to FluxKit's environment:")
    for plan in plans.PAID_PLANS:
        for interval in plans.INTERVALS:
            print(f"{price_env_name(plan.id, interval)}={result.prices[(plan.id, interval)]}")
    print(f"STRIPE_PORTAL_CONFIGURATION={result.portal_configuration}")
    print("# and keep STRIPE_SECRET_KEY as it is. For STRIPE_WEBHOOK_SECRET (whsec_...), either run")
    print(f"#   stripe listen --forward-to {webhook}")
    print(f"# or add an endpoint for {webhook} in the Stripe Dashboard (Developers > Webhooks) with the events")
    print(f"#   {', '.join(billing_webhooks.HANDLED_EVENTS)}")
    print("# and copy its signing secret.")


def cmd_backup(args: argparse.Namespace) -> None:
    from fluxkit.db import backup_sqlite
    from fluxkit.settings import get_settings

    if not get_settings().is_sqlite:
        raise CommandFailed(
            f"the database is {_database_label()}: back it up with pg_dump (see README, Backup and restore)."
        )
    try:
        pages = backup_sqlite(args.file)
    except FileExistsError:
        raise CommandFailed(f"{args.file} already exists; choose a new file name.") from None
    except (sqlite3.Error, OSError) as exc:
        raise CommandFailed(f"could not back up {_database_label()}: {exc}") from None
    print(f"Backed up {_database_label()} to {args.file} ({pages} pages).")


def _project_root() -> Path:
    """The FluxKit project folder (with rxconfig.py): the current one, else this checkout."""
    for candidate in (Path.cwd(), Path(__file__).resolve().parent.parent):
        if (candidate / "rxconfig.py").is_file():
            return candidate
    raise CommandFailed("rxconfig.py not found: run this from the FluxKit project folder.")


def cmd_build(args: argparse.Namespace) -> None:
    import subprocess

    from fluxkit import production

    root = _project_root()
    try:
        stamp = production.build(root, port=args.port, prerender=args.prerender)
    except subprocess.CalledProcessError as exc:
        raise CommandFailed(f"the frontend build failed (exit status {exc.returncode}), see above.") from None
    print(
        f"Built the production frontend in {root / production.BUILD_DIR} in {stamp['seconds']} s "
        f"(the pages reach the backend at {stamp['api_url']}). Start it with `fluxkit serve`."
    )


def cmd_serve(args: argparse.Namespace) -> None:
    from fluxkit import production

    if args.workers is not None and args.workers > 1 and not os.environ.get("REDIS_URL"):
        raise CommandFailed(
            f"--workers {args.workers} needs REDIS_URL: without Redis each worker would keep its own tabs' state."
        )
    try:
        production.serve(_project_root(), host=args.host, port=args.port, workers=args.workers)
    except production.BuildMissing as exc:
        raise CommandFailed(str(exc)) from None


# ---- entry point -----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fluxkit",
        description="FluxKit management commands. They use the database from DATABASE_URL "
        "(default: the SQLite file under FLUXKIT_DATA_DIR, ./var).",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    migrate = commands.add_parser(
        "migrate",
        help="apply database migrations (alembic upgrade head)",
        description="Apply the migrations in alembic/versions/ with Alembic.",
    )
    migrate.add_argument("revision", nargs="?", default="head", help="target revision (default: head)")
    migrate.set_defaults(handler=cmd_migrate)

    create = commands.add_parser(
        "create-user",
        help="create a verified user who can sign in at once",
        description="Create a verified user. The password is read from standard input "
        "(--password-stdin), or asked for twice on a terminal.",
    )
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from the first line of standard input"
    )
    create.add_argument("--admin", action="store_true", help="give the user the admin role")
    create.set_defaults(handler=cmd_create_user)

    seed = commands.add_parser(
        "seed",
        help=f"create the demo admin account ({DEMO_EMAIL}) if missing and print its sign-in",
        description="Create the demo admin account once; running it again changes nothing.",
    )
    seed.set_defaults(handler=cmd_seed)

    make_admin = commands.add_parser(
        "make-admin",
        help="give an existing account the admin role (the users admin at /users)",
        description="Give the account with this email the admin role. It is written to the audit log.",
    )
    make_admin.add_argument("email")
    make_admin.set_defaults(handler=cmd_make_admin)

    backup = commands.add_parser(
        "backup",
        help="copy the SQLite database to FILE, consistently, while FluxKit runs",
        description="Copy the SQLite database with SQLite's online backup API. For PostgreSQL use pg_dump.",
    )
    backup.add_argument("file", help="where to write the copy (must not exist)")
    backup.set_defaults(handler=cmd_backup)

    billing_cmd = commands.add_parser(
        "billing",
        help="Stripe billing tools",
        description="Stripe billing tools. They use STRIPE_SECRET_KEY (and STRIPE_API_BASE, if set).",
    )
    billing_commands = billing_cmd.add_subparsers(dest="billing_command", metavar="SUBCOMMAND", required=True)
    billing_setup = billing_commands.add_parser(
        "setup",
        help="create FluxKit's products, prices and portal settings in a Stripe test account",
        description="Create (or find again) a Stripe product per paid plan with a monthly and a yearly price, "
        "and a Customer Portal configuration, then print the settings FluxKit needs. Safe to run again.",
    )
    billing_setup.set_defaults(handler=cmd_billing_setup)

    build = commands.add_parser(
        "build",
        help="build the production frontend once, into .web/build (then: fluxkit serve)",
        description="Compile the pages and build the production frontend into .web/build/client. "
        "Run it again after a code or dependency change, or when FLUXKIT_BASE_URL changes.",
    )
    build.add_argument(
        "--port", type=int, default=8080, help="the port `serve` will use, when FLUXKIT_BASE_URL is unset (8080)"
    )
    build.add_argument(
        "--no-prerender",
        dest="prerender",
        action="store_false",
        help="skip prerendering the pages to HTML (faster build; pages render in the browser)",
    )
    build.set_defaults(handler=cmd_build)

    serve = commands.add_parser(
        "serve",
        help="serve the existing production build and the backend on one port, without rebuilding",
        description="Start the production server (Granian) with the build from `fluxkit build`: the pages, "
        "/api and the websocket on HOST:PORT. Nothing is compiled or built; without a build it refuses to start.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port to listen on (8080)")
    serve.add_argument(
        "--workers", type=int, default=None, help="worker processes (default: Reflex's choice; >1 needs REDIS_URL)"
    )
    serve.set_defaults(handler=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.handler(args)
    except CommandFailed as exc:
        print(f"fluxkit {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
