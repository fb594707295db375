import pytest
from django.core.exceptions import ImproperlyConfigured

from gddt.core.env import env_bool, env_choice, env_int, env_list, env_str


@pytest.mark.parametrize("value,expected", [("true", True), ("TRUE", True), ("1", True), ("yes", True),
                                            ("false", False), ("0", False), ("off", False)])
def test_booleans_accept_only_true_and_false_spellings(monkeypatch, value, expected):
    monkeypatch.setenv("GDDT_X", value)
    assert env_bool("GDDT_X", not expected) is expected


@pytest.mark.parametrize("value", ["ture", "2", "enabled"])
def test_a_misspelt_boolean_stops_the_start(monkeypatch, value):
    monkeypatch.setenv("GDDT_X", value)
    with pytest.raises(ImproperlyConfigured):
        env_bool("GDDT_X", False)


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
