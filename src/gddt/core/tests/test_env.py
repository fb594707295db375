import ast
import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from gddt.core.env import env_bool, env_choice, env_int, env_list, env_str


@pytest.mark.parametrize(
    "value,expected",
    [("true", True), ("TRUE", True), ("True", True), ("false", False), ("FALSE", False), ("False", False)],
)
def test_booleans_are_true_or_false_in_any_case(monkeypatch, value, expected):
    monkeypatch.setenv("GDDT_X", value)
    assert env_bool("GDDT_X", not expected) is expected


@pytest.mark.parametrize("default", [True, False])
def test_an_unset_or_empty_boolean_is_the_default(monkeypatch, default):
    monkeypatch.delenv("GDDT_X", raising=False)
    assert env_bool("GDDT_X", default) is default
    monkeypatch.setenv("GDDT_X", "")
    assert env_bool("GDDT_X", default) is default


@pytest.mark.parametrize("value", ["1", "0", "yes", "no", "on", "off", "ture", "2", "enabled", "t"])
def test_any_other_spelling_of_a_boolean_stops_the_start_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("GDDT_X", value)
    with pytest.raises(ImproperlyConfigured) as refused:
        env_bool("GDDT_X", False)
    assert str(refused.value) == f"GDDT_X must be true or false (in any case), not {value!r}"


def test_a_secret_may_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cr3t\n")
    monkeypatch.setenv("GDDT_S_FILE", str(secret))
    monkeypatch.delenv("GDDT_S", raising=False)
    assert env_str("GDDT_S") == "s3cr3t"


def test_numbers_lists_and_choices_are_checked(monkeypatch):
    monkeypatch.setenv("GDDT_N", "-1")
    with pytest.raises(ImproperlyConfigured):
        env_int("GDDT_N", 3, minimum=0)
    monkeypatch.setenv("GDDT_N", "abc")
    with pytest.raises(ImproperlyConfigured):
        env_int("GDDT_N", 3)
    monkeypatch.setenv("GDDT_L", " a, b ,,c ")
    assert env_list("GDDT_L", []) == ["a", "b", "c"]
    monkeypatch.setenv("GDDT_C", "carrier-pigeon")
    with pytest.raises(ImproperlyConfigured):
        env_choice("GDDT_C", "file", {"file", "console"})


PACKAGE = Path(__file__).resolve().parents[2]
DOCS = [PACKAGE.parents[1] / "README.md", PACKAGE.parents[1] / "docs" / "operator.md"]
READERS = {"env_str", "env_bool", "env_int", "env_float", "env_list", "env_choice", "getenv"}


def environment_variables_read() -> dict[str, str]:
    """Every environment variable the code reads, by name, with where: env_*("NAME", ...), os.getenv("NAME"),
    os.environ.get("NAME"), os.environ["NAME"] and any call given a "GDDT_..." name, anywhere in the package but
    its tests."""
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "tests" in path.relative_to(PACKAGE).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = None
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                func = node.func
                called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                environ_get = called == "get" and isinstance(func, ast.Attribute) and _is_environ(func.value)
                # A reader of its own (e.g. one that parses a URL setting) is caught by the GDDT_ name it is given.
                first = node.args[0].value
                own_reader = isinstance(first, str) and re.fullmatch(r"GDDT_[A-Z0-9_]+", first)
                if called in READERS or environ_get or own_reader:
                    name = first
            elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load) and _is_environ(node.value):
                name = node.slice.value if isinstance(node.slice, ast.Constant) else None
            if isinstance(name, str):
                found.setdefault(name, f"{path.relative_to(PACKAGE)}:{node.lineno}")
    return found


def _is_environ(node: ast.expr) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr == "environ"
    return isinstance(node, ast.Name) and node.id == "environ"


def test_the_scan_finds_the_settings_and_the_serve_command():
    found = environment_variables_read()
    assert {
        "GDDT_DATA_DIR",
        "DATABASE_URL",
        "GDDT_DEBUG",
        "GDDT_SECURE_COOKIES",
        "GDDT_LOG_LEVEL",
        "GDDT_WEB_WORKERS",
    } <= set(found)


def test_every_environment_variable_the_code_reads_is_documented():
    docs = "\n".join(path.read_text(encoding="utf-8") for path in DOCS)
    missing = {
        name: where
        for name, where in environment_variables_read().items()
        if not re.search(rf"(?<![A-Z0-9_]){re.escape(name)}(?![A-Z0-9_])", docs)
    }
    assert missing == {}, "document these in README.md (Configuration) or docs/operator.md"
