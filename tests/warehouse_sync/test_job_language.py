"""What background jobs write for people (run logs, run errors, error-log entries) reads in the
reader's language, whatever language the job cluster was started in or the organization uses."""

import pytest
from django.utils import translation

from integrations.core.models import SyncRun
from integrations.fortnox.errors import FortnoxNotConnected
from integrations.warehouse_sync import tasks


@pytest.mark.parametrize(("cluster_language", "organization_language"), [("sv", "en"), ("en", "sv")])
def test_a_warehouse_runs_failure_reads_in_each_readers_language(tenant, settings, cluster_language,
                                                               organization_language):
    settings.LANGUAGE_CODE = cluster_language
    tenant.organization.language = organization_language
    tenant.organization.save(update_fields=["language"])
    run = tasks.do_queue_sync(tenant.organization, trigger=SyncRun.Trigger.MANUAL)

    with translation.override(cluster_language):  # the job cluster's own language (this folder reads English)
        tasks.execute_run(run.pk)  # no Fortnox connection: the run fails with a message for people

    worded = {}
    for language in ("sv", "en"):
        with translation.override(language):
            worded[language] = FortnoxNotConnected("The organization has not connected Fortnox").user_message
    assert worded["sv"] != worded["en"]  # the catalogue has it, so the language shows
    run.refresh_from_db()
    assert run.status == SyncRun.Status.FAILED
    for reader in ("sv", "en"):
        with translation.override(reader):
            assert run.error == worded[reader]


def test_run_counts_read_as_words_on_the_page_and_in_logs(tenant):
    from integrations.core.run_counts import label

    with translation.override("en"):
        assert label("orders_created") == "Orders: created"
        assert label("purchase_orders_not_applied").startswith("Purchase orders: changed in Fortnox")
        assert label("created_in_fortnox") == "Created in Fortnox"
        assert label("stock_written") == "Stock levels: written to Fortnox"
        assert label("something_new") == "Something new"
