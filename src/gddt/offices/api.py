"""Public API of the offices where a registration can be completed."""

from django.http import HttpRequest
from ninja import Router, Schema

from gddt.offices.selectors import office_list

router = Router(tags=["offices"])


class OfficeOut(Schema):
    code: str
    name: str
    parent_code: str | None
    province_code: str | None


@router.get("/offices", response=list[OfficeOut], summary="The offices where a registration can be completed")
def offices(request: HttpRequest) -> list[OfficeOut]:
    return [
        OfficeOut(
            code=o.code, name=o.name, parent_code=o.parent.code if o.parent else None, province_code=o.province_id
        )
        for o in office_list()
    ]
