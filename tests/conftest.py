"""The shared fixtures live in tests/support/, loaded here as pytest plugins so every folder sees
the same ones without importing another folder's conftest. A folder's own conftest holds only
what that folder alone uses."""

pytest_plugins = [
    "tests.support.database",
    "tests.support.tenants",
    "tests.support.processes",
    "tests.support.fortnox",
    "tests.support.hr_sync",
    "tests.support.absences",
    "tests.support.warehouse_sync",
    "tests.support.sandbox_stream",
]


def pytest_collection_modifyitems(items):
    """The longest tests first (those that declare a longer timeout, then the ones marked slow), so
    the two workers share them from the start instead of one worker finishing a long test alone
    at the end. The sort is stable, so each worker collects the same order."""

    def weight(item):
        timeout = item.get_closest_marker("timeout")
        return (-(timeout.args[0] if timeout and timeout.args else 0), item.get_closest_marker("slow") is None)

    items.sort(key=weight)
