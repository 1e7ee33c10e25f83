"""Every page of Brygga's own apps (read from the URL resolver, so a page added tomorrow is checked
tomorrow) asks who is there before it answers: an anonymous visitor and a signed-in person with no
organization get no page (a login, a 403 or a 404 instead). What each role of an organization may open is
tested app by app; the URL fuzzer (tests/fuzz) proves no input reaches another organization's rows."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.support.tenants import make_tenant

PACKAGES_OF_BRYGGA = ("organizations", "hr", "warehouse", "integrations")
# Called by machines and people who have no session in Brygga yet, each guarded its own way.
PUBLIC = {
    "healthz",  # the load balancer's probe: says only whether a job cluster answers
    "fortnox_consent_webhook",  # Fortnox's call: only from its host, confirmed with Fortnox (tests/connection)
    # Fortnox's app market sends customers here: a stranger is asked to log in, a person is offered
    # only the organizations where they manage settings (tests/connection/test_connect_flow.py).
    "fortnox_activate",
}
# A person's own settings (the language they read Brygga in): a login, no organization.
PERSONAL = {"preferences"}
SAMPLE = {"int": 1, "string": "x", "slug": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000000"}


def pages() -> list[tuple[str, str]]:
    """(name, url) of every URL pattern whose view lives in Brygga's own packages."""
    found = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern) and pattern.name and pattern.callback.__module__.split(".")[0] in PACKAGES_OF_BRYGGA:
                converters = pattern.pattern.converters
                kwargs = {name: SAMPLE[type(c).__name__.removesuffix("Converter").lower()] for name, c in converters.items()}
                found.append((pattern.name, reverse(namespace + pattern.name, kwargs=kwargs)))

    walk(get_resolver().url_patterns, "")
    return found


def test_the_walk_finds_the_pages_of_every_app():
    names = {name for name, _url in pages()}
    for expected in ("employee_list", "pick_queue", "hr_conflicts", "hr_conflict_resolve", "integration_errors",
                     "fortnox_connection", "warehouse_sync_settings", "members"):
        assert expected in names


@pytest.mark.parametrize("who", ["anonymous", "no organization"])
def test_a_stranger_opens_no_page_of_brygga_s(db, client, django_user_model, who):
    make_tenant("Alfa AB", "556036-0793", "alfa")  # rows with the ids the pages are called with
    allowed = PUBLIC
    if who == "no organization":
        client.force_login(django_user_model.objects.create_user(email="nobody@example.test", password="pw-for-tests-1"))
        allowed = PUBLIC | PERSONAL
    opened = []
    for name, url in pages():
        if name in allowed:
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code < 300:
                opened.append(f"{method.upper()} {url} ({name}): {response.status_code}")
    assert not opened, "\n".join(opened)
