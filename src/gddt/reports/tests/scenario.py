"""One small history whose figures are worked out by hand in the tests (not a test module itself)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from gddt.offices.models import Office
from gddt.registrations.models import Dossier
from gddt.reports.services import report_figures_refresh
from gddt.reports.tests.history import act, document, local, local_office, submit


@dataclass
class Scenario:
    today: date
    day0: date  # the first day of the period the tests ask for
    dossiers: dict[str, Dossier]


def scenario_build(*, hn_verifier, hn_approver, hcm_verifier, hcm_approver) -> Scenario:
    """Hà Nội (01) with a local office 01001, and Hồ Chí Minh (79):
    d1 chosen 01, submitted day0 09:00 with one photo online; verified and approved at 79 on day1 (30 h).
    d2 chosen 01001, submitted day0 10:00; a photo supplied at 01, verified and approved at 01 on day2 (52 h).
    d3 chosen 01, submitted day1; rejected at 01 on day3 (data_mismatch).
    d4 chosen 01, submitted 45 days ago, expired 15 days ago, reopened at 01 on day3: open, 31+ days old.
    d5 chosen 79, submitted on day2: open. d6 chosen 01, submitted a minute ago: open, 0-3 days old."""
    hanoi, hcm = Office.objects.get(code="01"), Office.objects.get(code="79")
    local_hanoi = local_office("01001", "01", "BHXH cơ sở Hoàn Kiếm")
    today = timezone.localdate()
    day0 = today - timedelta(days=10)
    day1, day2, day3 = (day0 + timedelta(days=n) for n in (1, 2, 3))
    d1 = submit(office=hanoi, at=local(day0, 9), online_documents=1)
    act(d1, "verify", at=local(day1, 11), office=hcm, actor=hcm_verifier)
    act(d1, "approve", at=local(day1, 15), office=hcm, actor=hcm_approver)
    d2 = submit(office=local_hanoi, at=local(day0, 10))
    document(d2, at=local(day2, 9), office=hanoi, officer=hn_verifier)
    act(d2, "verify", at=local(day2, 10), office=hanoi, actor=hn_verifier)
    act(d2, "approve", at=local(day2, 14), office=hanoi, actor=hn_approver)
    d3 = submit(office=hanoi, at=local(day1, 8))
    act(d3, "reject", at=local(day3, 8), office=hanoi, actor=hn_verifier, reason="data_mismatch")
    d4 = submit(office=hanoi, at=local(today - timedelta(days=45), 8))
    act(d4, "expire", at=local(today - timedelta(days=15), 8))
    act(d4, "reopen", at=local(day3, 9), office=hanoi, actor=hn_verifier)
    d5 = submit(office=hcm, at=local(day2, 16))
    d6 = submit(office=hanoi, at=timezone.now() - timedelta(minutes=1))
    report_figures_refresh()
    return Scenario(today=today, day0=day0, dossiers={"d1": d1, "d2": d2, "d3": d3, "d4": d4, "d5": d5, "d6": d6})
