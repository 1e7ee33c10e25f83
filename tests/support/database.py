"""The test databases: migrated once a run and copied to every xdist worker; PostgreSQL's emptied
with DELETE between tests that commit.

**One migration a run.** Under xdist every worker has a test database of its own (test_<name>_gwN
on PostgreSQL, <SQLITE_TEST_NAME>_gwN on SQLite; the job clusters, live servers and listeners a
test starts reach it by that name). Migrating one takes ~6 s on a quiet machine and 25–30 s when
CI's five workers all migrate at once on two cores. So the first worker to need its database
migrates a template (the test database's name + `_template`) and every worker, that one too,
copies it: PostgreSQL with CREATE DATABASE … TEMPLATE, SQLite with its backup API (which also
reads what is still in the template's -wal file). A file lock in the temp directory takes the
workers one at a time and holds the run's id (xdist's testrunuid): the template is migrated
afresh in every run, so a changed migration never meets an old template. The controller drops
the template when the run ends. `-n 0` and `-n 1`, `--reuse-db` (without `--create-db`) and an
in-memory SQLite keep pytest-django's own way: each database migrated where it is.

**DELETE, not TRUNCATE.** A test that commits (`transactional_db`, `live_server`: every test with
a job cluster, a listener or the sandbox over HTTP) ends with Django's `flush`, which on
PostgreSQL is one TRUNCATE of every table. TRUNCATE gives each of the ~75 tables and their
indexes new files: 2 s a test on CI's busy machine, against 0.15 s for DELETE on tables that hold
a test's handful of rows. Foreign keys are deferred to the end of the flush's transaction, so the
order of the DELETEs does not matter; a flush that must reset sequences or cascade beyond the
tables named keeps Django's TRUNCATE."""

import contextlib
import fcntl
import hashlib
import sqlite3
import sys
import tempfile
from functools import partial
from pathlib import Path

import pytest


def pytest_configure(config):
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return [f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};" for table in tables]

    DatabaseOperations.sql_flush = sql_flush


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request, django_db_modify_db_settings_parallel_suffix, django_db_keepdb, django_db_createdb):
    """pytest-django's hook just before it creates the test databases: on a worker of a run with
    several, each database is created by copying the run's template instead of by migrating."""
    from django.db import connections

    worker = getattr(request.config, "workerinput", None)
    if not worker or worker["workercount"] < 2 or (django_db_keepdb and not django_db_createdb):
        yield
        return
    copied = [connection for connection in connections.all() if _template_name(connection, worker["workerid"])]
    for connection in copied:
        connection.creation.create_test_db = partial(_create_from_template, connection, worker)
    yield
    for connection in copied:
        del connection.creation.create_test_db


def pytest_sessionfinish(session):
    """The controller of an xdist run drops the templates its workers made (a lock file is left
    for each)."""
    if not session.config.pluginmanager.has_plugin("dsession"):
        return
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    with session.config.stash[blocking_manager_key].unblock():
        for connection in connections.all():
            template = _template_name(connection)
            if not template or not (lock := _lock_path(connection, template)).exists():
                continue
            try:
                _drop(connection, template)
            except Exception as error:  # a run stopped with Ctrl-C can leave a worker on it
                print(f"\nThe test database template {template} is left behind: {error}", file=sys.stderr)
            else:
                lock.unlink()


def _template_name(connection, worker_id: str | None = None) -> str | None:
    """The template of this run's test databases, named after them; None for an in-memory SQLite,
    which cannot be shared."""
    name = connection.creation._get_test_db_name()
    if connection.vendor == "sqlite" and connection.creation.is_in_memory_db(name):
        return None
    return f"{name.removesuffix(f'_{worker_id}') if worker_id else name}_template"


def _lock_path(connection, template: str) -> Path:
    s = connection.settings_dict
    key = hashlib.sha256(f"{connection.vendor}:{s['HOST']}:{s['PORT']}:{template}".encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"brygga-test-template-{key}.lock"


def _create_from_template(connection, worker, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
    """Django's create_test_db for one worker: the template, migrated by the first worker of the
    run to get the lock, copied to this worker's test database."""
    from django.conf import settings

    creation = connection.creation
    name = creation._get_test_db_name()
    template = _template_name(connection, worker["workerid"])
    with open(_lock_path(connection, template), "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        lock.seek(0)
        if lock.read() != worker["testrunuid"]:
            _drop(connection, template)
            connection.settings_dict["TEST"]["NAME"] = template
            try:
                type(creation).create_test_db(creation, verbosity=verbosity, autoclobber=True, serialize=False)
            finally:
                connection.settings_dict["TEST"]["NAME"] = name
            lock.seek(0)
            lock.truncate()
            lock.write(worker["testrunuid"])
            lock.flush()
        # CREATE DATABASE … TEMPLATE needs the template without connections.
        connection.close()
        _drop(connection, name)
        if connection.vendor == "postgresql":
            with creation._nodb_cursor() as cursor:
                quote = connection.ops.quote_name
                cursor.execute(f"CREATE DATABASE {quote(name)} TEMPLATE {quote(template)}")
        else:
            with contextlib.closing(sqlite3.connect(template)) as source, contextlib.closing(sqlite3.connect(name)) as copy:
                source.backup(copy)
    settings.DATABASES[connection.alias]["NAME"] = name
    connection.settings_dict["NAME"] = name
    if serialize:
        connection._test_serialized_contents = creation.serialize_db_to_string()
    connection.ensure_connection()
    return name


def _drop(connection, name: str) -> None:
    """A test database gone (with an SQLite database's -wal and -shm files, which would otherwise
    be replayed into the next database of that name)."""
    if connection.vendor == "postgresql":
        with connection.creation._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}")
    else:
        for path in (name, f"{name}-wal", f"{name}-shm"):
            Path(path).unlink(missing_ok=True)
