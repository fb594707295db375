"""The demo (`gddt demo`): offices in Hà Nội and Hồ Chí Minh City, officers with known passwords, enrolment codes."""

from dataclasses import dataclass

from django.db import transaction

from gddt.accounts.models import Role, RoleAssignment, User, UserKind
from gddt.accounts.services import officer_create, otp_device_confirmed, otp_enrolment_code_issue
from gddt.audit.services import audit_record
from gddt.offices.models import Office
from gddt.offices.services import offices_import_csv

DEMO_OFFICES_CSV = """code,name,parent_code
07906,BHXH cơ sở Bình Thạnh,79
07901,BHXH cơ sở Sài Gòn,79
00101,BHXH cơ sở Hoàn Kiếm,01
00102,BHXH cơ sở Cầu Giấy,01
"""
DEMO_PASSWORD = "gddt-demo-2026"  # noqa: S105 - printed by `gddt demo` on purpose; demo systems only


@dataclass(frozen=True)
class DemoOfficer:
    username: str
    office_code: str
    roles: tuple[str, ...]
    full_name: str


DEMO_OFFICERS = (
    DemoOfficer("demo.hn.verifier", "00101", (Role.VERIFIER,), "Nguyễn Thị Tiếp Nhận"),
    DemoOfficer("demo.hn.approver", "00101", (Role.APPROVER,), "Trần Văn Phê Duyệt"),
    DemoOfficer("demo.hcm.verifier", "07906", (Role.VERIFIER,), "Lê Thị Tiếp Nhận"),
    DemoOfficer("demo.hcm.approver", "07906", (Role.APPROVER,), "Phạm Văn Phê Duyệt"),
    DemoOfficer("demo.director.01", "01", (Role.DIRECTOR,), "Hoàng Văn Giám Đốc"),
    DemoOfficer("demo.director.79", "79", (Role.DIRECTOR,), "Võ Thị Giám Đốc"),
    DemoOfficer("demo.admin", "00", (Role.ADMIN,), "Đặng Văn Quản Trị"),
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    office_code: str
    office_name: str
    roles: tuple[str, ...]
    password: str
    enrolment_code: str | None  # None once the officer has set up the authenticator app


class DemoNotReady(Exception):
    """The reference offices are missing: `gddt init` has not run."""


@transaction.atomic
def demo_load() -> list[DemoAccount]:
    """Demo offices in Hà Nội and Hồ Chí Minh City and demo officers with a known password, each officer who has
    not set up the authenticator app yet with a fresh enrolment code. Safe to run again: a second run finds
    everything as the first left it (a changed demo password or role is put back) and only issues new codes."""
    if Office.objects.filter(code__in=["00", "01", "79"]).count() < 3:
        raise DemoNotReady
    offices_import_csv(text=DEMO_OFFICES_CSV)
    accounts = []
    for spec in DEMO_OFFICERS:
        office = Office.objects.get(code=spec.office_code)
        officer = User.objects.filter(username=spec.username).first()
        if officer is None:
            officer = officer_create(
                username=spec.username,
                office=office,
                roles=list(spec.roles),
                password=DEMO_PASSWORD,
                full_name=spec.full_name,
            )
            audit_record(
                action="officer.create",
                target=spec.username,
                detail={"office": office.code, "roles": list(spec.roles), "demo": True},
            )
        else:
            _demo_officer_restore(officer, spec, office)
        if Role.ADMIN in spec.roles and not (officer.is_staff and officer.is_superuser):
            # The demo administrator also reaches the Django admin (/quan-tri/), after the second factor.
            officer.is_staff = officer.is_superuser = True
            officer.save(update_fields=["is_staff", "is_superuser"])
        # Codes are hashed, so a run cannot show an earlier run's codes again: it issues new ones.
        code = None if otp_device_confirmed(user=officer) else otp_enrolment_code_issue(officer=officer).code
        accounts.append(
            DemoAccount(
                username=spec.username,
                office_code=office.code,
                office_name=office.name,
                roles=spec.roles,
                password=DEMO_PASSWORD,
                enrolment_code=code,
            )
        )
    return accounts


def _demo_officer_restore(officer: User, spec: DemoOfficer, office: Office) -> None:
    changed = []
    if officer.kind != UserKind.OFFICER or officer.office_id != office.pk or not officer.is_active:
        officer.kind, officer.office, officer.is_active = UserKind.OFFICER, office, True
        changed += ["kind", "office", "is_active"]
    if not officer.check_password(DEMO_PASSWORD):
        officer.set_password(DEMO_PASSWORD)
        changed.append("password")
    if changed:
        officer.save(update_fields=changed)
    assignments = RoleAssignment.objects.filter(user=officer, office=office)
    if sorted(a.role for a in assignments) != sorted(spec.roles) or any(a.starts_on or a.ends_on for a in assignments):
        assignments.delete()
        for role in spec.roles:
            RoleAssignment.objects.create(user=officer, office=office, role=role)
