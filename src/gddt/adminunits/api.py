from ninja import Router, Schema

from gddt.adminunits.selectors import province_list, ward_list

router = Router(tags=["reference data"])


class UnitOut(Schema):
    code: str
    name: str


@router.get("/provinces", response=list[UnitOut], summary="The 34 provinces")
def provinces(request):
    return [UnitOut(code=p.code, name=p.name) for p in province_list()]


@router.get("/provinces/{province_code}/wards", response=list[UnitOut], summary="The communes of a province")
def wards(request, province_code: str):
    return [UnitOut(code=w.code, name=w.name) for w in ward_list(province_code=province_code)]
