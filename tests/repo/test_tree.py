"""The layout of tests/: folders mirror the package, and test modules share code only through helpers/ and conftest.py."""

import ast
from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
TEST_MODULES = sorted(TESTS.rglob("test_*.py"))
HELPERS = sorted((TESTS / "helpers").rglob("*.py"))


def imported_modules(path: Path):
    """Top-level names of every module ``path`` imports (absolute imports, at any depth of the file)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def test_there_are_test_modules_to_check():
    assert len(TEST_MODULES) > 50 and (TESTS / "conftest.py").is_file()


def test_every_test_module_lives_in_a_subfolder():
    flat = [path.name for path in TEST_MODULES if path.parent == TESTS]
    assert flat == [], f"test modules directly in tests/ (put them in the folder of what they test): {flat}"


def test_test_module_names_are_unique():
    # No __init__.py in the test folders: pytest imports each module by its basename.
    repeated = [name for name, count in Counter(path.name for path in TEST_MODULES).items() if count > 1]
    assert repeated == [], f"test module names used in more than one folder: {repeated}"
    packages = [str(path.relative_to(TESTS)) for path in TESTS.rglob("__init__.py") if path.parent.name != "helpers"]
    assert packages == [], f"__init__.py in a test folder: {packages}"


def test_no_module_imports_a_test_module_or_conftest():
    test_names = {path.stem for path in TEST_MODULES} | {"conftest"}
    offenders = [
        f"{path.relative_to(TESTS)} imports {name}"
        for path in TEST_MODULES + HELPERS
        for name in imported_modules(path)
        if name.split(".")[0] in test_names or name.split(".")[-1] in test_names
    ]
    assert offenders == [], "share code through tests/helpers/ or a fixture in conftest.py: " + "; ".join(offenders)


def test_helpers_hold_no_tests_or_fixtures():
    for path in HELPERS:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        functions = [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
        assert not [f.name for f in functions if f.name.startswith("test_")], path
        decorated = [f.name for f in functions for d in f.decorator_list if "fixture" in ast.unparse(d)]
        assert decorated == [], f"{path.relative_to(TESTS)}: fixtures belong in conftest.py: {decorated}"
