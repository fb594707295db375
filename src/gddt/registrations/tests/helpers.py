import io
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult

from gddt.core.models import IdempotencyRecord
from gddt.notifications.models import SmsMessage
from gddt.registrations.models import Document, Dossier, Transition
from gddt_testing.storage import stored_files

API = "/api/v1/registrations"


def post_json(client, data, **headers):
    return client.post(API, data=json.dumps(data), content_type="application/json", headers=headers)


def post_multipart(client, data, files: dict[str, bytes], **headers):
    payload = {"data": json.dumps(data)}
    for kind, content in files.items():
        payload[kind] = SimpleUploadedFile(f"{kind}.jpg", content, content_type="image/jpeg")
    return client.post(API, data=payload, headers=headers)


def kept() -> dict[str, int]:
    """Everything a request could leave behind."""
    return {
        "dossiers": Dossier.objects.count(),
        "documents": Document.objects.count(),
        "transitions": Transition.objects.count(),
        "sms": SmsMessage.objects.count(),
        "tasks": DBTaskResult.objects.count(),
        "idempotency": IdempotencyRecord.objects.count(),
        "files": len(stored_files()),
    }


def upload(content: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, format="PNG", optimize=True)
    return out.getvalue()
