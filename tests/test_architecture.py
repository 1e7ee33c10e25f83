"""The direction of imports between Brygga's rooms (docs/architecture.md), read from the source
with `ast` (imports inside functions count too: they are dependencies all the same)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOMAINS = ("organizations", "hr", "warehouse")
SANDBOX = "fortnox_sandbox"
DEV_TOOLS = "devtools"  # benchmarks and chaos runs: they drive the product and the sandbox together
SEAM = "integrations.fortnox"
# From the bottom up: a room imports only rooms before it here (docs/architecture.md).
ROOMS = (
    "organizations", "hr", "warehouse", SEAM, "integrations.core", "integrations.connection",
    "integrations.hr_sync", "integrations.absence_sync", "integrations.warehouse_sync", "integrations.fortnox_events",
)
# Only the seam talks HTTP to Fortnox. `urllib.parse` builds and reads URLs and sends nothing.
HTTP_MODULES = ("requests", "requests_oauthlib", "oauthlib", "http.client", "urllib.request", "urllib3", "httpx",
                "aiohttp")
# The settings and URLs install the sandbox (when it is enabled) and the dev tools (with DEBUG or the sandbox).
WIRING = ("config/settings.py", "config/urls.py")

def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module `path` imports, absolute (`from . import x` gives package.x)."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module
            found.add(origin)
            found.update(f"{origin}.{alias.name}" for alias in node.names)
    return found


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def room_of(module: str) -> str | None:
    return max((room for room in ROOMS if within(module, room)), key=len, default=None)


def source_files(*tops: str):
    for top in tops:
        base = ROOT / top.replace(".", "/")
        files = [base.with_suffix(".py")] if base.with_suffix(".py").exists() else sorted(base.rglob("*.py"))
        for path in files:
            if "migrations" not in path.parts:
                yield path


def offending(files, forbidden) -> list[str]:
    return sorted(f"{path.relative_to(ROOT)} imports {name}" for path in files for name in imports_of(path)
                  if any(within(name, bad) for bad in forbidden))


def product_files():
    return list(source_files("config", *DOMAINS, "integrations"))


def test_the_domains_know_nothing_of_fortnox_or_the_sandbox():
    assert offending(source_files(*DOMAINS), ("integrations", SANDBOX)) == []


def test_the_sandbox_imports_no_product_code():
    sandbox = list(source_files(SANDBOX))
    assert sandbox, "the sandbox was not found: update SANDBOX"
    assert offending(sandbox, ("config", *DOMAINS, "integrations", DEV_TOOLS)) == []


def test_the_product_imports_the_sandbox_and_the_dev_tools_only_where_the_settings_install_them():
    files = [path for path in product_files() if path.relative_to(ROOT).as_posix() not in WIRING]
    assert offending(files, (SANDBOX, DEV_TOOLS)) == []


def test_only_the_seam_sends_http():
    files = [path for path in product_files() if not within(module_name(path), SEAM)]
    assert offending(files, HTTP_MODULES) == []


def test_the_seam_imports_nothing_above_it():
    first_party = ("config", *DOMAINS, "integrations", SANDBOX, DEV_TOOLS)
    found = [line for line in offending(source_files(SEAM), first_party) if not line.split(" imports ")[1].startswith(SEAM)]
    assert found == []


def room_graph() -> dict[str, set[str]]:
    graph = {room: set() for room in ROOMS}
    for path in product_files():
        source = room_of(module_name(path))
        for name in imports_of(path):
            target = room_of(name)
            if source and target and target != source:
                graph[source].add(target)
    return graph


def test_the_rooms_import_each_other_without_loops():
    graph = room_graph()
    loops = []

    def visit(room, path):
        for target in sorted(graph[room]):
            if target in path:
                loops.append(" → ".join(path[path.index(target):] + [target]))
            else:
                visit(target, path + [target])

    for room in ROOMS:
        visit(room, [room])
    assert sorted(set(loops)) == []


def test_each_room_imports_only_the_rooms_below_it():
    upward = [f"{source} imports {target}" for source, targets in room_graph().items() for target in targets
              if ROOMS.index(target) > ROOMS.index(source)]
    assert sorted(upward) == []


@pytest.mark.parametrize("source, target", [
    ("integrations.hr_sync", "integrations.core"),
    ("integrations.core", SEAM),
    ("hr", "organizations"),
])
def test_the_graph_sees_the_imports_that_are_there(source, target):
    assert target in room_graph()[source]  # the checks above are only as good as what they read
