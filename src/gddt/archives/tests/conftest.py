"""The storage the archives' tests run on: each test that takes `document_storage` runs on local files and on S3."""

from collections.abc import Iterator

import pytest

from gddt_testing.s3 import s3_server


@pytest.fixture(params=["local", "s3"])
def document_storage(request, settings) -> Iterator[str]:
    """Each test that takes it runs twice: on local files and on S3 (moto's real HTTP server), encrypted both."""
    if request.param == "local":
        yield "local"
        return
    with s3_server() as server:
        settings.STORAGES = {**settings.STORAGES, "default": server.storage_setting()}
        yield "s3"
