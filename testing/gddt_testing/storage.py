"""What the private file storage holds, for tests that check a failed request saved nothing."""

from django.core.files.storage import storages


def stored_files() -> list[str]:
    """The name of every file in the default (private) storage, sorted: each test has its own folder, so this is
    what the test stored. Read through the storage, the same way the code under test writes."""
    storage = storages["default"]
    names: list[str] = []

    def walk(folder: str) -> None:
        try:
            folders, files = storage.listdir(folder)
        except FileNotFoundError:  # nothing was ever stored: the folder does not exist yet
            return
        names.extend(f"{folder}/{name}".lstrip("/") for name in files)
        for sub in folders:
            walk(f"{folder}/{sub}".lstrip("/"))

    walk("")
    return sorted(names)
