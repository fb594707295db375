"""`gddt keys generate` prints a new master key; `gddt keys rotate` puts every stored document under the current
master key (GDDT_DATA_KEY) by rewrapping its data key, the bodies untouched. A rotation may be stopped at any point
and run again: each document is done whole or not at all, and one already under the current key is skipped."""

from collections import Counter
from typing import Any

from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError, CommandParser

from gddt.core import encryption
from gddt.core.encryption import StoredFileUnreadable
from gddt.core.storage import EncryptedStorage, key_ring, stored_names


class Command(BaseCommand):
    help = "Manage the master keys of the document encryption: generate a key, or rotate to GDDT_DATA_KEY."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("generate", help="print a new random master key (32 bytes in base64)")
        rotate = actions.add_parser("rotate", help="rewrap every document's data key under GDDT_DATA_KEY")
        rotate.add_argument("--dry-run", action="store_true", help="count the documents by key, change nothing")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "generate":
            self.stdout.write(encryption.key_generate())
            return
        self.rotate(dry_run=options["dry_run"])

    def rotate(self, *, dry_run: bool) -> None:
        storage = storages["default"]
        if not isinstance(storage, EncryptedStorage):
            raise CommandError("the document storage does not encrypt (STORAGES['default'] is not EncryptedStorage)")
        ring = key_ring()
        current = ring.current_id.hex()
        done: Counter[str] = Counter()
        unreadable: list[str] = []
        try:
            for name in stored_names(storage):
                try:
                    if dry_run:
                        head = storage.head_read(name)
                        found = encryption.sealed_key_id(head)
                        if found is None and not encryption.is_plain(head):
                            raise StoredFileUnreadable(name, "it is damaged (neither encrypted nor an image)")
                        if found is not None and found != current:
                            encryption.data_key_unwrap(ring, head, name=name)  # a key that opens it is configured
                        done["current" if found == current else "to rewrap" if found else "to seal"] += 1
                    else:
                        done[storage.rewrap(name, ring=ring)] += 1
                except StoredFileUnreadable as problem:
                    unreadable.append(name)
                    self.stderr.write(f"PROBLEM  {problem.name}: {problem.reason}")
                total = sum(done.values())
                if total and total % 500 == 0:
                    self.stdout.write(f"... {total} documents")
        except KeyboardInterrupt:
            raise CommandError(
                f"interrupted after {sum(done.values())} documents ({self._summary(done)}): run "
                "`gddt keys rotate` again to go on"
            ) from None
        self.stdout.write(
            f"master key {current}: {self._summary(done) or 'no documents'}"
            + (" (dry run: nothing changed)" if dry_run else "")
        )
        if unreadable:
            raise CommandError(
                f"{len(unreadable)} document(s) cannot be opened with the configured keys (named "
                "above): keep GDDT_DATA_KEY_PREVIOUS until they are restored or rewrapped"
            )
        if not dry_run:
            self.stdout.write("every document is under the current key: GDDT_DATA_KEY_PREVIOUS may be removed")

    @staticmethod
    def _summary(done: Counter[str]) -> str:
        return ", ".join(f"{count} {outcome}" for outcome, count in sorted(done.items()))
