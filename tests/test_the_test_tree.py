"""The test tree's own rules: what several folders share lives in tests/support/ (a pytest plugin
for fixtures, plain modules for helpers), so no test module or conftest imports another one, and
there is one way to wait for another process."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def imports_of(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            yield node.level, node.module or ""
        elif isinstance(node, ast.Import):
            yield from ((0, alias.name) for alias in node.names)


def test_no_test_module_or_conftest_imports_another_only_tests_support():
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        if (TESTS / "support") in path.parents:
            continue
        for level, module in imports_of(path):
            outside_support = module.startswith("tests.") and not module.startswith("tests.support")
            if level or outside_support or module == "tests":
                offenders.append(f"{path.relative_to(TESTS)} imports {'.' * level}{module}")
    assert not offenders, "move what is shared to tests/support/:\n" + "\n".join(offenders)


def test_there_is_one_wait_for():
    definers = [str(path.relative_to(TESTS)) for path in TESTS.rglob("*.py")
                if any(isinstance(node, ast.FunctionDef) and node.name == "wait_for"
                       for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))))]
    assert definers == ["support/processes.py"], definers
