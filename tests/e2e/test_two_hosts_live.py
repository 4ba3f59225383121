"""Two FluxKit hosts behind nginx without sticky sessions: what an operator gets from deploy/.

Two separate `fluxkit serve` processes (tests/support/cluster.py) on 127.0.0.2 and 127.0.0.3,
each with its own data folder, share one PostgreSQL database and one Redis database; Debian's
nginx runs the site from deploy/nginx/fluxkit.conf (TLS with a throw-away certificate) in
front. Browsers (Chromium) and an API client only ever talk to nginx, which spreads requests
and websockets round-robin. The frontend is built once for the module (`fluxkit build
--no-prerender`, in a private copy of the project) and both hosts serve that build.

Which host holds a tab is read from Reflex's socket record in Redis (the owning worker's
instance id; each host runs one worker, so one id per host).

Needs nginx; PostgreSQL (FLUXKIT_TEST_DATABASE_URL if PostgreSQL, else FLUXKIT_TEST_POSTGRES_URL,
names the server; the test makes its own database beside it, `<name>_two_hosts`); Redis
(FLUXKIT_TEST_CLUSTER_REDIS_URL, default db 7, flushed); Chromium. Without them it skips, under
CI=true it fails.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from sqlalchemy.engine import make_url
from sqlmodel import Session

from fluxkit.db import engine_for
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, need_a_browser, submit_sign_in
from tests.support.cluster import (
    NGINX,
    SITE,
    Host,
    Nginx,
    fail_timeout,
    nginx_site,
    port_free_on,
    self_signed_certificate,
)
from tests.support.environment import need
from tests.support.factories import make_user
from tests.support.live_server import ROOT, project_copy

pytestmark = [pytest.mark.e2e, pytest.mark.live, pytest.mark.postgres, pytest.mark.redis, pytest.mark.timeout(900)]

REDIS_URL = os.environ.get("FLUXKIT_TEST_CLUSTER_REDIS_URL", "redis://127.0.0.1:6379/7")
PROXY = "127.0.0.1"
ADDRESSES = ("127.0.0.2", "127.0.0.3")
PASSWORD = "two-hosts-passphrase"
RECONNECT_WITHIN = 5.0
CACHE = os.environ.get("FLUXKIT_TEST_CLUSTER_CACHE", "")


def _redis():
    import redis

    return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)


def _answers(check) -> bool:
    try:
        return bool(check())
    except Exception:
        return False


def _pg_server_url() -> str:
    """FLUXKIT_TEST_DATABASE_URL when it is PostgreSQL, else FLUXKIT_TEST_POSTGRES_URL (as the
    migration tests): the server where this test makes its own database."""
    configured = os.environ.get("FLUXKIT_TEST_DATABASE_URL", "")
    if configured.startswith("postgresql"):
        return configured
    return os.environ.get("FLUXKIT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@contextlib.contextmanager
def _own_database(server_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database beside FLUXKIT_TEST_DATABASE_URL's, dropped afterwards."""
    url = make_url(server_url)
    name = f"{url.database}_two_hosts"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _app_copy() -> tuple[Path, int, bool]:
    """(project copy, the proxy's HTTPS port, whether the copy holds a build for that port).

    FLUXKIT_TEST_CLUSTER_CACHE=<folder> keeps the copy and its build between runs (while
    working on this test): the code is refreshed, the frontend is not rebuilt.
    """
    if not CACHE:
        return project_copy("fluxkit-two-hosts-app-"), port_free_on(PROXY), False
    cache = Path(CACHE)
    root, port_file = cache / "app", cache / "https_port"
    if (root / ".web" / "build" / "fluxkit-build.json").is_file() and port_file.is_file():
        for folder in ("fluxkit", "deploy", "alembic", "tests"):
            shutil.copytree(ROOT / folder, root / folder, dirs_exist_ok=True)
        shutil.copy2(ROOT / "rxconfig.py", root / "rxconfig.py")
        return root, int(port_file.read_text()), True
    shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir(parents=True)
    shutil.move(project_copy("fluxkit-two-hosts-app-"), root)
    port = port_free_on(PROXY)
    port_file.write_text(str(port))
    return root, port, False


@dataclass
class Cluster:
    url: str  # nginx, what browsers and API clients use
    hosts: list[Host]
    cert: Path
    database_url: str
    nginx: Nginx
    browser: object = None
    _emails: list[str] = field(default_factory=list)

    def user(self, name: str) -> str:
        email = f"{name}-{time.time_ns()}@example.com"
        engine = engine_for(self.database_url)
        try:
            with Session(engine, expire_on_commit=False) as db:
                make_user(db, email, name.title(), password=PASSWORD)
        finally:
            engine.dispose()
        return email

    def client(self, forwarded_for: str) -> httpx.Client:
        """An API client through nginx, from its own address (as if behind one more proxy)."""
        return httpx.Client(
            base_url=self.url,
            verify=str(self.cert),
            timeout=15,
            headers={"Origin": self.url, "X-Forwarded-For": forwarded_for},
        )

    def sign_in(self, client: httpx.Client, email: str) -> None:
        response = client.post("/api/auth/sign-in/email", json={"email": email, "password": PASSWORD})
        assert response.status_code == 200, response.text

    def host_direct(self, host: Host, forwarded_for: str, cookies=None) -> httpx.Client:
        """A client straight to one host, sending what nginx sends (the proxy's X-Forwarded-For)."""
        return httpx.Client(
            base_url=host.url,
            timeout=15,
            cookies=cookies,
            headers={"Origin": self.url, "X-Forwarded-For": f"{forwarded_for}, {PROXY}", "X-Forwarded-Proto": "https"},
        )


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    need("nginx", Path(NGINX).exists(), "install Debian's nginx package")
    server_url = _pg_server_url()
    reachable = _answers(lambda: sa.create_engine(server_url, poolclass=sa.pool.NullPool).connect().close() or True)
    need("PostgreSQL", reachable, f"{server_url}; set FLUXKIT_TEST_POSTGRES_URL")
    need("Redis", _answers(lambda: _redis().ping()), f"no Redis at {REDIS_URL}; set FLUXKIT_TEST_CLUSTER_REDIS_URL")
    need_a_browser()

    work = Path(tempfile.mkdtemp(prefix="fluxkit-two-hosts-"))
    root, https_port, built = _app_copy()
    nginx = None
    hosts: list[Host] = []
    _redis().flushdb()
    try:
        with _own_database(server_url) as database_url:
            http_port = port_free_on(PROXY)
            url = f"https://{PROXY}:{https_port}"
            env = {
                **os.environ,
                "FLUXKIT_BASE_URL": url,
                "DATABASE_URL": database_url,
                "REDIS_URL": REDIS_URL,
                "FLUXKIT_SECRET_KEY": "two-hosts-secret",
                # nginx, and in front of it the test's clients, each saying where it comes from.
                "FLUXKIT_TRUSTED_PROXY_HOPS": "2",
                "REFLEX_USE_NPM": "1",
                "REFLEX_TELEMETRY_ENABLED": "false",
                "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            }
            for key in ("SMTP_URL", "GRANIAN_WORKERS", "PYTEST_CURRENT_TEST", "REFLEX_API_URL"):
                env.pop(key, None)
            subprocess.run([sys.executable, "-m", "fluxkit.cli", "migrate"], cwd=root, env=env, check=True)
            if not built:  # once per session: the build bakes in the proxy's address
                subprocess.run(
                    [sys.executable, "-m", "fluxkit.cli", "build", "--no-prerender"],
                    cwd=root,
                    env=env,
                    check=True,
                    capture_output=True,
                )
            port = port_free_on(*ADDRESSES)
            hosts = [Host(f"host{n}", ip, port, root, work / f"host{n}", env) for n, ip in enumerate(ADDRESSES)]
            for host in hosts:
                host.start()
            for host in hosts:
                host.wait_up()
            cert, key = self_signed_certificate(work, PROXY)
            site = nginx_site([f"{h.address}:{h.port}" for h in hosts], PROXY, http_port, https_port, cert, key)
            nginx = Nginx(work / "nginx", site)
            nginx.start()
            deadline = time.monotonic() + 20
            while not _answers(lambda: httpx.get(f"{url}/api/health", verify=str(cert)).status_code == 200):
                assert time.monotonic() < deadline, (work / "nginx" / "error.log").read_text()[-3000:]
                time.sleep(0.2)
            yield Cluster(url=url, hosts=hosts, cert=cert, database_url=database_url, nginx=nginx)
    finally:
        if nginx is not None:
            nginx.stop()
        for host in hosts:
            host.stop()
        with contextlib.suppress(Exception):
            _redis().flushdb()
        if not CACHE:
            shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(cluster, playwright_driver):
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


_addresses = iter(range(1, 250))


@pytest.fixture
def context(browser, cluster, request):
    context = browser.new_context(
        ignore_https_errors=True, extra_http_headers={"X-Forwarded-For": f"198.51.100.{next(_addresses)}"}
    )
    context.set_default_timeout(20_000)
    yield context
    if getattr(request.node, "failed_call", False):  # keep what the tabs and servers showed
        kept = Path(CACHE or tempfile.mkdtemp(prefix="fluxkit-two-hosts-failed-")) / request.node.name
        kept.mkdir(parents=True, exist_ok=True)
        for number, page in enumerate(context.pages):
            page.screenshot(path=str(kept / f"tab-{number}.png"))
            (kept / f"tab-{number}.url").write_text(page.url)
        for host in cluster.hosts:
            (kept / f"{host.name}.log").write_text(host.log())
        shutil.copy2(cluster.nginx.prefix / "access.log", kept / "nginx-access.log")
        shutil.copy2(cluster.nginx.prefix / "error.log", kept / "nginx-error.log")
        print(f"kept screenshots and logs in {kept}")
    context.close()


# ---- tabs and hosts --------------------------------------------------------------------------


def _token(page) -> str:
    return page.evaluate("() => window.sessionStorage.getItem('token')")


def _instance(page) -> str | None:
    record = _redis().get(f"token_manager_socket_record_{_token(page)}")
    return pickle.loads(record).instance_id if record else None


def _signed_in_tasks_page(context, cluster: Cluster, email: str):
    page = context.new_page()
    page.goto(f"{cluster.url}/tasks")
    page.wait_for_url(lambda u: "/sign-in" in u)
    submit_sign_in(page, email, PASSWORD)
    page.wait_for_url(lambda u: "/tasks" in u and "/sign-in" not in u)
    expect(page.locator("#task-add, #task-empty").first).to_be_visible()
    return page


def _tasks_tab(context, cluster: Cluster):
    page = context.new_page()
    page.goto(f"{cluster.url}/tasks")
    expect(page.locator("#task-add, #task-empty").first).to_be_visible()
    deadline = time.monotonic() + 10
    while _instance(page) is None:
        assert time.monotonic() < deadline, "the tab's websocket has no socket record in Redis"
        time.sleep(0.1)
    return page


def _tabs_on_both_hosts(context, cluster: Cluster, email: str, most: int = 10) -> dict[str, list]:
    """Open /tasks tabs (one browser, one session) until both hosts hold at least one."""
    first = _signed_in_tasks_page(context, cluster, email)
    deadline = time.monotonic() + 10
    while _instance(first) is None:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    by_host: dict[str, list] = {_instance(first): [first]}
    while len(by_host) < 2:
        assert sum(map(len, by_host.values())) < most, f"{most} tabs all landed on one host"
        # nginx takes turns per request: one more request moves the next tab's turn along.
        httpx.get(f"{cluster.url}/ping", verify=str(cluster.cert))
        tab = _tasks_tab(context, cluster)
        by_host.setdefault(_instance(tab), []).append(tab)
    return by_host


def _add_task(page, title: str) -> None:
    page.click("#task-add, #task-empty-create")
    page.fill("#task-dialog-title", title)
    page.click("#task-save")
    expect(page.locator("#task-table")).to_contain_text(title)


def _task_titles(client: httpx.Client) -> set[str]:
    titles, page = set(), 1
    while True:
        response = client.get("/api/v1/tasks", params={"page": page, "page_size": 50})
        assert response.status_code == 200, response.text
        body = response.json()
        titles |= {row["title"] for row in body["items"]}
        if page >= body["pages"]:
            return titles
        page += 1


# ---- the tests ---------------------------------------------------------------------------------


def test_tabs_on_both_hosts_see_each_others_changes_live(cluster, context):
    email = cluster.user("live")
    (one, *_), (two, *_) = _tabs_on_both_hosts(context, cluster, email).values()

    _add_task(one, "Written on one host")
    expect(two.locator("#task-table")).to_contain_text("Written on one host", timeout=5_000)
    _add_task(two, "Written on the other")
    expect(one.locator("#task-table")).to_contain_text("Written on the other", timeout=5_000)

    # And through the API (another device), whichever host nginx picks.
    with cluster.client("203.0.113.10") as api:
        cluster.sign_in(api, email)
        assert api.post("/api/v1/tasks", json={"title": "From the API"}).status_code == 201
    for tab in (one, two):
        expect(tab.locator("#task-table")).to_contain_text("From the API", timeout=5_000)


def test_a_session_revoked_on_one_host_is_refused_on_the_other_at_once(cluster):
    email = cluster.user("revoked")
    first, second = cluster.hosts
    with cluster.client("203.0.113.20") as api:
        cluster.sign_in(api, email)
        cookies = dict(api.cookies)
    with cluster.host_direct(first, "203.0.113.20", cookies) as on_first:
        with cluster.host_direct(second, "203.0.113.20", cookies) as on_second:
            assert on_second.get("/api/auth/get-session").json()["user"]["email"] == email
            assert on_first.post("/api/auth/sign-out").status_code == 200
            assert on_second.get("/api/auth/get-session").json() is None
            assert on_second.get("/api/v1/tasks").status_code == 401
    with cluster.client("203.0.113.20") as api:
        api.cookies.update(cookies)
        assert api.get("/api/auth/get-session").json() is None


def test_sign_in_rate_limits_are_counted_across_hosts(cluster):
    email = cluster.user("limited")
    first, second = cluster.hosts
    wrong = {"email": email, "password": "not-the-password"}
    with cluster.host_direct(first, "203.0.113.30") as on_first:
        for _ in range(5):  # the per-address budget: 5 per 15 minutes
            assert on_first.post("/api/auth/sign-in/email", json=wrong).status_code not in (200, 429)
    with cluster.host_direct(second, "203.0.113.30") as on_second:
        assert on_second.post("/api/auth/sign-in/email", json=wrong).status_code == 429
        # Even the right password: the address is out of attempts, on every host.
        right = {"email": email, "password": PASSWORD}
        assert on_second.post("/api/auth/sign-in/email", json=right).status_code == 429
    with cluster.client("203.0.113.30") as api:
        assert api.post("/api/auth/sign-in/email", json=wrong).status_code == 429
    with cluster.client("203.0.113.31") as api:  # another address still signs in
        cluster.sign_in(api, email)


class Writer(threading.Thread):
    """A closed-loop API client through nginx: create a task, read the session, again; each
    request may be retried once (a connection error or a 5xx), as a client library would."""

    def __init__(self, cluster: Cluster, email: str, forwarded_for: str, prefix: str):
        super().__init__(daemon=True)
        self.client = cluster.client(forwarded_for)
        cluster.sign_in(self.client, email)
        self.prefix = prefix
        self.acknowledged: list[str] = []
        self.failures: list[str] = []
        self.signed_out: list[str] = []
        self.retries = 0
        self.requests = 0
        self.halt = threading.Event()

    def _request(self, method: str, path: str, **kwargs) -> httpx.Response | None:
        problem = ""
        for attempt in range(2):
            self.requests += 1
            try:
                response = self.client.request(method, path, **kwargs)
                if response.status_code < 500:
                    return response
                problem = f"{response.status_code} {response.text[:100]}"
            except httpx.HTTPError as exc:
                problem = repr(exc)
            if attempt == 0:
                self.retries += 1
                time.sleep(0.2)
        self.failures.append(f"{method} {path}: {problem}")
        return None

    def run(self) -> None:
        n = 0
        while not self.halt.is_set():
            n += 1
            title = f"{self.prefix} {n}"
            created = self._request("POST", "/api/v1/tasks", json={"title": title})
            if created is not None:
                if created.status_code == 201:
                    self.acknowledged.append(title)
                else:
                    self.failures.append(f"POST {title}: {created.status_code} {created.text[:100]}")
            session = self._request("GET", "/api/auth/get-session")
            if session is not None and (session.status_code != 200 or session.json() is None):
                self.signed_out.append(f"{session.status_code} {session.text[:100]}")
            time.sleep(1.05)  # two requests a round: under the API's 120 per minute per user

    def finish(self) -> None:
        self.halt.set()
        self.join(timeout=30)


def test_a_killed_host_s_tabs_reconnect_to_the_other_signed_in_and_intact(cluster, context):
    email = cluster.user("killed")
    by_host = _tabs_on_both_hosts(context, cluster, email)
    tabs = [tab for group in by_host.values() for tab in group]
    _add_task(tabs[0], "Before the crash")
    for tab in tabs:
        expect(tab.locator("#task-table")).to_contain_text("Before the crash", timeout=5_000)

    victim = cluster.hosts[0]
    writer = Writer(cluster, email, "203.0.113.40", "crash")
    writer.start()
    time.sleep(1.0)
    before = [_instance(tab) for tab in tabs]
    victim.kill()
    killed_at = time.monotonic()

    # Every tab ends up on the surviving host (one instance id), those of the dead host moved.
    deadline = killed_at + RECONNECT_WITHIN
    while True:
        now = [_instance(tab) for tab in tabs]
        if len(set(now)) == 1 and set(now) <= set(before):
            break
        assert time.monotonic() < deadline, f"tabs not all reconnected within {RECONNECT_WITHIN} s: {before} -> {now}"
        time.sleep(0.1)
    survivor = now[0]
    moved = [n for n, instance in enumerate(before) if instance != survivor]
    assert moved and len(moved) < len(tabs), f"the killed host held no tab, or every tab: {before} -> {now}"
    took = time.monotonic() - killed_at

    # Still signed in, page intact: the same page, the rows, and live updates reach every tab.
    time.sleep(1.0)
    writer.finish()
    for tab in tabs:
        assert "/sign-in" not in tab.url
        expect(tab.locator("#task-table")).to_contain_text("Before the crash")
    with cluster.client("203.0.113.41") as api:
        cluster.sign_in(api, email)
        assert api.post("/api/v1/tasks", json={"title": "After the crash"}).status_code == 201
        for tab in tabs:
            expect(tab.locator("#task-table")).to_contain_text("After the crash", timeout=5_000)
        # No acknowledged write lost.
        stored = _task_titles(api)
    assert writer.acknowledged, "the writer got nothing through"
    assert set(writer.acknowledged) <= stored, sorted(set(writer.acknowledged) - stored)
    assert not writer.signed_out, writer.signed_out
    print(f"reconnected within {took:.2f} s; writer: {writer.requests} requests, {writer.retries} retried")

    victim.start()  # back for the next test
    victim.wait_up()


def test_a_rolling_restart_under_load_loses_no_request_and_signs_no_one_out(cluster, context):
    email = cluster.user("rolling")
    tab = _signed_in_tasks_page(context, cluster, email)
    writers = [Writer(cluster, cluster.user(f"load{n}"), f"203.0.113.{50 + n}", f"rolling-{n}") for n in range(2)]
    for writer in writers:
        writer.start()
    time.sleep(1.0)
    downtime = {}
    for host in cluster.hosts:  # one host down, back up, then the next, as the README's runbook says:
        host.stop()
        time.sleep(0.5)
        host.start()
        downtime[host.name] = host.wait_up()
        # nginx takes a host back only once fail_timeout has passed since its last refused
        # connection; stopping the next host sooner left nginx with "no live upstreams" (502 on
        # the first try and the retry: the finding of #19).
        time.sleep(fail_timeout() + 1.0)
    for writer in writers:
        writer.finish()

    for writer in writers:
        assert writer.requests > 10, f"the load was too light to show anything: {writer.requests} requests"
        assert not writer.failures, f"requests lost beyond one retry: {writer.failures}"
        assert not writer.signed_out, f"signed out during the restart: {writer.signed_out}"
    for writer in writers:  # each writer's own account: every acknowledged task is there
        stored = _task_titles(writer.client)
        assert set(writer.acknowledged) <= stored, sorted(set(writer.acknowledged) - stored)
    with cluster.client("203.0.113.59") as api:
        cluster.sign_in(api, email)
        # The tab that stayed open through both restarts is still signed in and live.
        assert api.post("/api/v1/tasks", json={"title": "After the rolling restart"}).status_code == 201
    assert "/sign-in" not in tab.url
    expect(tab.locator("#task-table")).to_contain_text("After the rolling restart", timeout=5_000)
    requests, retries = sum(w.requests for w in writers), sum(w.retries for w in writers)
    print(f"rolling restart: hosts back after {downtime}; {requests} requests, {retries} retried")


def test_the_proxy_runs_the_documented_site_file(cluster):
    """The nginx in front is configured from deploy/nginx/fluxkit.conf, not a copy."""
    running = (cluster.nginx.prefix / "fluxkit.conf").read_text()
    documented = SITE.read_text()
    for line in ("proxy_set_header Upgrade $http_upgrade;", "proxy_read_timeout 1h;", "client_max_body_size 10m;"):
        assert line in documented and line in running
    directives = "\n".join(line.split("#")[0] for line in running.splitlines())
    assert "ip_hash" not in directives and "sticky" not in directives and "hash " not in directives
