"""Message delivery on the API: the SMS gateway's delivery reports."""

from django.http import HttpRequest, HttpResponse
from ninja import Router

from gddt.accounts.api import ProblemOut
from gddt.notifications import services

router = Router(tags=["messages"])

RECEIPT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["reference", "status"],
                    "properties": {
                        "reference": {
                            "type": "string",
                            "format": "uuid",
                            "description": "the reference the message was sent with",
                        },
                        "status": {"type": "string", "enum": ["delivered", "failed"]},
                        "error": {"type": "string", "description": "the gateway's reason, when it failed"},
                    },
                }
            }
        },
    },
    "parameters": [
        {
            "name": "X-Signature",
            "in": "header",
            "required": True,
            "schema": {"type": "string"},
            "description": "sha256=<hex HMAC-SHA256 of the raw body with GDDT_SMS_RECEIPT_SECRET>",
        }
    ],
}


@router.post(
    "/sms/receipts",
    auth=None,
    response={204: None, 400: ProblemOut, 401: ProblemOut, 404: ProblemOut, 422: ProblemOut},
    summary="A delivery report from the SMS gateway: the message becomes delivered or undelivered",
    openapi_extra=RECEIPT_BODY,
)
def sms_receipt(request: HttpRequest) -> HttpResponse:
    """Signed with the shared secret; applying a report again changes nothing and still answers 204."""
    services.sms_receipt_apply(body=request.body, signature=request.headers.get("X-Signature"))
    return HttpResponse(status=204)
