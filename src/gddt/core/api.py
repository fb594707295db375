"""Operations API: liveness and database reachability."""

from django.db import connection
from django.http import HttpRequest
from ninja import Router, Schema

router = Router(tags=["operations"])


class HealthOut(Schema):
    status: str
    database: str


@router.get("/health", response=HealthOut, summary="Liveness and database reachability, for load balancers")
def health(request: HttpRequest) -> HealthOut:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HealthOut(status="ok", database=connection.vendor)
