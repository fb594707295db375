from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from gddt.accounts.models import ApiToken, RoleAssignment, User, UserKind
from gddt.audit.models import AuditEvent


def run(*args: str, **options) -> str:
    out = StringIO()
    call_command("officer", *args, stdout=out, **options)
    return out.getvalue()


def test_it_creates_an_officer_with_roles_and_a_generated_password_printed_once(db):
    output = run(
        "create",
        "hn.new",
        "--office",
        "01",
        "--role",
        "verifier",
        "--role",
        "approver",
        "--full-name",
        "Nguyễn Văn Mới",
    )
    officer = User.objects.get(username="hn.new")
    password = next(line.split(": ", 1)[1] for line in output.splitlines() if line.startswith("password: "))
    assert officer.kind == UserKind.OFFICER and officer.office.code == "01"
    assert officer.get_full_name() == "Nguyễn Văn Mới"
    assert officer.check_password(password) and len(password) >= 16
    roles = RoleAssignment.objects.filter(user=officer).values_list("role", flat=True)
    assert sorted(roles) == ["approver", "verifier"]
    assert AuditEvent.objects.filter(action="officer.create", target="hn.new").exists()


def test_it_keeps_the_given_password_and_does_not_print_it(db):
    output = run("create", "hcm.new", "--office", "79", "--role", "approver", "--password", "Mot-mat-khau-dai-2026")
    assert "Mot-mat-khau-dai-2026" not in output
    assert User.objects.get(username="hcm.new").check_password("Mot-mat-khau-dai-2026")


def test_a_password_given_as_an_argument_is_warned_about_on_standard_error(db):
    out, err = StringIO(), StringIO()
    call_command(
        "officer",
        "create",
        "hcm.new",
        "--office",
        "79",
        "--role",
        "approver",
        "--password",
        "Mot-mat-khau-dai-2026",
        stdout=out,
        stderr=err,
    )
    assert "process list" in err.getvalue() and "--password-file" in err.getvalue()
    assert "Mot-mat-khau-dai-2026" not in err.getvalue() + out.getvalue()


def test_it_reads_the_password_from_a_file_without_a_warning(db, tmp_path):
    secret = tmp_path / "password"
    secret.write_text("Mot-mat-khau-trong-tep-2026\n", encoding="utf-8")
    err = StringIO()
    output = run(
        "create", "hn.file", "--office", "01", "--role", "verifier", "--password-file", str(secret), stderr=err
    )
    assert User.objects.get(username="hn.file").check_password("Mot-mat-khau-trong-tep-2026")
    assert "password: " not in output and err.getvalue() == ""


def test_it_reads_the_password_from_standard_input(db):
    output = run(
        "create",
        "hn.stdin",
        "--office",
        "01",
        "--role",
        "verifier",
        "--password-stdin",
        stdin=StringIO("Mot-mat-khau-tu-stdin-2026\n"),
    )
    assert User.objects.get(username="hn.stdin").check_password("Mot-mat-khau-tu-stdin-2026")
    assert "Mot-mat-khau-tu-stdin-2026" not in output


def test_it_asks_for_the_password_twice_at_a_prompt(db, monkeypatch):
    answers = iter(["Mot-mat-khau-go-vao-2026", "Mot-mat-khau-go-vao-2026", "Mot-mat-khau-go-vao-2026", "khac"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    run("create", "hn.prompt", "--office", "01", "--role", "verifier", "--password")
    assert User.objects.get(username="hn.prompt").check_password("Mot-mat-khau-go-vao-2026")
    with pytest.raises(CommandError, match="differ"):
        run("create", "hn.prompt2", "--office", "01", "--role", "verifier", "--password")
    assert not User.objects.filter(username="hn.prompt2").exists()


def test_an_unreadable_or_empty_password_source_is_named_and_nothing_is_created(db, tmp_path):
    with pytest.raises(CommandError, match="--password-file"):
        run("create", "hn.x", "--office", "01", "--role", "verifier", "--password-file", str(tmp_path / "none"))
    (tmp_path / "empty").write_text("", encoding="utf-8")
    with pytest.raises(CommandError, match="--password-file"):
        run("create", "hn.x", "--office", "01", "--role", "verifier", "--password-file", str(tmp_path / "empty"))
    with pytest.raises(CommandError, match="--password-stdin"):
        run("create", "hn.x", "--office", "01", "--role", "verifier", "--password-stdin", stdin=StringIO(""))
    (tmp_path / "weak").write_text("123\n", encoding="utf-8")
    with pytest.raises(CommandError, match="password"):
        run("create", "hn.x", "--office", "01", "--role", "verifier", "--password-file", str(tmp_path / "weak"))
    assert not User.objects.filter(username="hn.x").exists()


def test_it_refuses_an_unknown_office_naming_it_and_creates_nothing(db):
    with pytest.raises(CommandError, match="99999"):
        run("create", "x.officer", "--office", "99999", "--role", "verifier")
    assert not User.objects.filter(username="x.officer").exists()


def test_it_refuses_an_unknown_role_naming_it_and_creates_nothing(db):
    with pytest.raises(CommandError, match="boss"):
        run("create", "x.officer", "--office", "01", "--role", "verifier", "--role", "boss")
    assert not User.objects.filter(username="x.officer").exists()


def test_it_refuses_a_weak_password_and_a_taken_username(db, hanoi_verifier):
    with pytest.raises(CommandError, match="password"):
        run("create", "x.officer", "--office", "01", "--role", "verifier", "--password", "123")
    with pytest.raises(CommandError, match="username"):
        run("create", "hn.verifier", "--office", "01", "--role", "verifier")
    assert not User.objects.filter(username="x.officer").exists()


def test_it_refuses_a_username_of_digits_only_which_belongs_to_citizens(db):
    with pytest.raises(CommandError, match="username"):
        run("create", "001090012345", "--office", "01", "--role", "verifier")


def test_it_prints_a_token_that_works_on_the_officer_api(client, hanoi_director):
    token = run("token", "hn.director", "--days", "2").strip()
    assert token.startswith("gddt_")
    row = ApiToken.objects.get(user=hanoi_director)
    assert 1.9 < (row.expires_at - row.created_at).total_seconds() / 86400 <= 2
    response = client.get("/api/v1/office/staff", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200


def test_it_gives_tokens_to_officers_only(citizen):
    with pytest.raises(CommandError, match="No officer"):
        run("token", citizen.user.username)
    with pytest.raises(CommandError, match="No officer"):
        run("token", "nobody.here")
    assert not ApiToken.objects.exists()


def test_revoked_tokens_stop_working(client, hanoi_director):
    token = run("token", "hn.director").strip()
    assert "revoked 1 token" in run("revoke-tokens", "hn.director")
    response = client.get("/api/v1/office/staff", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401
    assert AuditEvent.objects.filter(action="token.revoke", target="hn.director").exists()


def test_it_resets_the_authenticator_of_an_officer(hanoi_verifier):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=hanoi_verifier, name="phone", confirmed=True)
    assert "removed 1" in run("otp-reset", "hn.verifier")
    assert not TOTPDevice.objects.filter(user=hanoi_verifier).exists()
