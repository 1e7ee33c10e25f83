"""The test databases: PostgreSQL's emptied with DELETE between tests that commit.

A test that commits (`transactional_db`, `live_server`: every test with a job cluster, a listener
or the sandbox over HTTP) ends with Django's `flush`, which on PostgreSQL is one TRUNCATE of every
table. TRUNCATE gives each of the ~75 tables and their indexes new files: 2 s a test on CI's busy
machine, against 0.15 s for DELETE on tables that hold a test's handful of rows. Foreign keys are
deferred to the end of the flush's transaction, so the order of the DELETEs does not matter; a
flush that must reset sequences or cascade beyond the tables named keeps Django's TRUNCATE."""


def pytest_configure(config):
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return [f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};" for table in tables]

    DatabaseOperations.sql_flush = sql_flush
