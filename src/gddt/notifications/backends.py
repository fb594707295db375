"""SMS providers. A provider failure is permanent (bad number: stop) or temporary (retry with backoff)."""

import fcntl
import json
import sys
from datetime import datetime
from pathlib import Path

from django.conf import settings


class PermanentSmsError(Exception):
    pass


class TemporarySmsError(Exception):
    pass


class FileBackend:
    """One JSON object a line in $GDDT_DATA_DIR/sms.jsonl. Like a real provider it accepts a reference once:
    a retry after a crash between sending and recording does not write the message twice."""

    def __init__(self, path: Path | None = None):
        self.path = Path(path or settings.GDDT_SMS_FILE)

    def send(self, *, to: str, text: str, reference: str, sent_at: datetime, is_retry: bool) -> None:
        line = json.dumps({"to": to, "text": text, "reference": reference, "sent_at": sent_at.isoformat()},
                          ensure_ascii=False)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a+", encoding="utf-8") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                if is_retry:
                    handle.seek(0)
                    if any(f'"reference": "{reference}"' in existing for existing in handle):
                        return
                handle.write(line + "\n")
                handle.flush()
        except OSError as error:
            raise TemporarySmsError(type(error).__name__) from error


class ConsoleBackend:
    def send(self, *, to: str, text: str, reference: str, sent_at: datetime, is_retry: bool) -> None:
        print(json.dumps({"to": to, "text": text, "reference": reference, "sent_at": sent_at.isoformat()},
                         ensure_ascii=False), file=sys.stdout, flush=True)


def sms_backend() -> FileBackend | ConsoleBackend:
    if settings.GDDT_SMS_BACKEND == "console":
        return ConsoleBackend()
    return FileBackend()
