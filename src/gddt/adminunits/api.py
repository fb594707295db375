"""Public API of the administrative units: provinces and their communes, for the form's pickers."""

from django.http import HttpRequest
from ninja import Router, Schema

from gddt.adminunits.selectors import province_list, ward_list

router = Router(tags=["reference data"])


class UnitOut(Schema):
    code: str
    name: str


@router.get("/provinces", response=list[UnitOut], summary="The 34 provinces")
def provinces(request: HttpRequest) -> list[UnitOut]:
    return [UnitOut(code=p.code, name=p.name) for p in province_list()]


@router.get("/provinces/{province_code}/wards", response=list[UnitOut], summary="The communes of a province")
def wards(request: HttpRequest, province_code: str) -> list[UnitOut]:
    return [UnitOut(code=w.code, name=w.name) for w in ward_list(province_code=province_code)]
