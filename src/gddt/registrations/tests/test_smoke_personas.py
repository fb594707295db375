from gddt.accounts.selectors import officer_has_role
from gddt.offices.models import Office


def test_personas_hold_their_roles_in_their_own_subtree_only(hanoi_verifier, hcm_approver, outsider):
    hanoi, hcm = Office.objects.get(code="01"), Office.objects.get(code="79")
    assert officer_has_role(hanoi_verifier, {"verifier"}, office=hanoi)
    assert not officer_has_role(hanoi_verifier, {"verifier"}, office=hcm)
    assert officer_has_role(hcm_approver, {"approver"}, office=hcm)
    assert not officer_has_role(outsider, {"verifier", "approver", "director", "admin"})
