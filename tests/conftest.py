"""The base fixture set: two organizations, each with an owner, a member of every role and
an outsider (someone with an account who belongs to neither)."""

from dataclasses import dataclass

import pytest
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations
from django.test import Client

from organizations.models import Membership, Organization, User
from organizations.permissions import Role


@dataclass
class Tenant:
    organization: Organization
    owner: User
    hr_admin: User
    manager: User
    employee: User
    warehouse: User

    def member(self, role: Role) -> User:
        return {
            Role.ORG_ADMIN: self.owner, Role.HR_ADMIN: self.hr_admin, Role.MANAGER: self.manager,
            Role.EMPLOYEE: self.employee, Role.WAREHOUSE: self.warehouse,
        }[role]


def make_tenant(name: str, organisation_number: str, slug: str) -> Tenant:
    # English, so assertions read the source strings; tests about Swedish switch it on purpose.
    organization = Organization.objects.create(name=name, organisation_number=organisation_number, language="en")
    users = {}
    for role in Role:
        user = User.objects.create_user(email=f"{role.value}@{slug}.test", password="pw-for-tests-1")
        Membership.objects.create(user=user, organization=organization, role=role)
        users[role] = user
    return Tenant(
        organization=organization, owner=users[Role.ORG_ADMIN], hr_admin=users[Role.HR_ADMIN],
        manager=users[Role.MANAGER], employee=users[Role.EMPLOYEE], warehouse=users[Role.WAREHOUSE],
    )


@pytest.fixture(scope="session", autouse=True)
def emptying_tables_by_delete_on_postgresql():
    """After each transactional test Django empties every table with one TRUNCATE, which on
    PostgreSQL replaces each table's and index's files: about 0.4 s for the ~90 tables here, on
    hundreds of live-server tests. The tables hold a handful of rows, which DELETE removes in a
    few milliseconds; the flush runs in one transaction and Django's foreign keys are deferred,
    so the order does not matter. Sequences are reset the Django way when a test asks."""
    truncate = PostgresOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences:
            return truncate(self, style, tables, reset_sequences=True, allow_cascade=allow_cascade)
        return [f"DELETE FROM {self.quote_name(table)};" for table in tables]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(PostgresOperations, "sql_flush", sql_flush)
        yield


@pytest.fixture(autouse=True)
def english_by_default(settings):
    """Pages for people without a language choice (anonymous, no organization) fall back to
    LANGUAGE_CODE, Swedish in production; tests read English unless they test Swedish."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def tenant(db) -> Tenant:
    return make_tenant("Alfa AB", "556036-0793", "alfa")


@pytest.fixture
def other_tenant(db) -> Tenant:
    return make_tenant("Beta AB", "212000-0142", "beta")


@pytest.fixture
def outsider(db) -> User:
    return User.objects.create_user(email="outsider@nowhere.test", password="pw-for-tests-1")


@pytest.fixture
def client_for():
    """A logged-in test client for a user."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


def database_url_for_subprocess() -> str:
    """The test database as a DATABASE_URL, so a subprocess (a job cluster, a second worker)
    works on exactly the data the test sees."""
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}{':' + s['PASSWORD'] if s['PASSWORD'] else ''}@{s['HOST']}:{s['PORT'] or 5432}/{s['NAME']}"


def subprocess_env(**extra) -> dict:
    import os

    env = {**os.environ, "DATABASE_URL": database_url_for_subprocess(), "BRYGGA_TESTING": "1"}
    env.update({k: str(v) for k, v in extra.items()})
    return env


def at_once(work, times: int) -> None:
    """Calls `work` in `times` threads released together, standing in for as many workers; each
    thread's database connection is closed after (a transactional test cannot flush while one is open)."""
    import threading

    from django.db import connections

    released = threading.Barrier(times)

    def thread():
        try:
            released.wait()
            work()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=thread) for _ in range(times)]
    for each in threads:
        each.start()
    for each in threads:
        each.join()


@pytest.fixture
def job_cluster(transactional_db):
    """A real django-q2 cluster (`manage.py qcluster`) in its own process on the test database.
    Yields the process; waits until the cluster reports its heartbeat."""
    import subprocess
    import sys
    import time
    from pathlib import Path

    from django_q.conf import Conf
    from django_q.status import Stat

    manage = Path(__file__).resolve().parent.parent / "manage.py"
    process = subprocess.Popen(
        [sys.executable, str(manage), "qcluster"], env=subprocess_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    # Ready means a heartbeat from a cluster whose worker pool is up, not one still starting.
    while not any(s.status in (Conf.IDLE, Conf.WORKING) and s.workers for s in Stat.get_all()):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the job cluster did not start: {process.stderr.read().decode()[-2000:]}")
        time.sleep(0.2)
    yield process
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def form_data(response, **changes) -> dict:
    """What a browser would post back from the page `response` rendered: every field of its form as
    shown (a bound form's values as re-rendered after an error), with `changes` typed over them."""
    form = response.context["form"]
    data = {}
    for field in form:
        value = field.value()
        if isinstance(value, bool) or field.widget_type == "checkbox":
            if value:
                data[field.html_name] = "on"
        elif value is not None:
            data[field.html_name] = value if isinstance(value, list | str) else str(value)
    data.update(changes)
    return data
